//! The catalog view the DNS server reads, implemented by the agent (a server
//! reads its state store, a client asks a server).

use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::time::Duration;

use consul_types::catalog::{CheckServiceNode, Node, ServiceNode};

/// A boxed future, so that [`DnsBackend`] stays object-safe.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Why a backend read failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BackendError {
    /// The datacenter is not known (Consul: "No path to datacenter").
    #[error("no path to datacenter {0:?}")]
    UnknownDatacenter(String),
    /// The catalog could not be read (no leader, RPC failure, …).
    #[error("catalog unavailable: {0}")]
    Unavailable(String),
}

/// Consistency options of every read, from `allow_stale` / `max_stale`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadOptions {
    /// Any server may answer, not only the leader.
    pub allow_stale: bool,
    /// The oldest acceptable data when stale.
    pub max_stale: Duration,
}

/// The catalog reads the DNS interface needs. Every method takes the target
/// datacenter; a backend answers [`BackendError::UnknownDatacenter`] for one
/// it cannot reach.
pub trait DnsBackend: Send + Sync + 'static {
    /// The node called `name` (case-insensitively), if registered.
    fn node<'a>(
        &'a self,
        dc: &'a str,
        name: &'a str,
        opts: ReadOptions,
    ) -> BoxFuture<'a, Result<Option<Node>, BackendError>>;

    /// Instances of `service`, with their checks. The backend may ignore
    /// `tag` and return unhealthy instances: the DNS layer filters both.
    fn service_nodes<'a>(
        &'a self,
        dc: &'a str,
        service: &'a str,
        tag: Option<&'a str>,
        opts: ReadOptions,
    ) -> BoxFuture<'a, Result<Vec<CheckServiceNode>, BackendError>>;

    /// Nodes whose address is `addr` (for PTR). May return more; the DNS
    /// layer compares addresses itself.
    fn nodes_by_address<'a>(
        &'a self,
        dc: &'a str,
        addr: IpAddr,
        opts: ReadOptions,
    ) -> BoxFuture<'a, Result<Vec<Node>, BackendError>>;

    /// Service instances whose service address is `addr` (for PTR). May
    /// return more; the DNS layer compares addresses itself.
    fn services_by_address<'a>(
        &'a self,
        dc: &'a str,
        addr: IpAddr,
        opts: ReadOptions,
    ) -> BoxFuture<'a, Result<Vec<ServiceNode>, BackendError>>;

    /// The server nodes of `dc` (named in NS records, with glue).
    fn servers<'a>(
        &'a self,
        dc: &'a str,
        opts: ReadOptions,
    ) -> BoxFuture<'a, Result<Vec<Node>, BackendError>>;

    /// Every known datacenter name.
    fn datacenters(&self) -> BoxFuture<'_, Result<Vec<String>, BackendError>>;

    /// A number that changes whenever an answer of this backend for the
    /// local datacenter could change (e.g. the catalog's index), never
    /// returning to an earlier value, and cheap to read without blocking.
    /// The DNS server then caches encoded answers and serves one only while
    /// this number is the one it was built at. `None` (the default): do not
    /// cache, every query reads the backend.
    fn cache_version(&self, opts: ReadOptions) -> Option<u64> {
        let _ = opts;
        None
    }
}
