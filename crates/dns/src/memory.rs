//! An in-memory [`DnsBackend`] for tests and examples.

use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::RwLock;

use consul_types::catalog::{CheckServiceNode, Node, ServiceNode};

use crate::backend::{BackendError, BoxFuture, DnsBackend, ReadOptions};

/// A fixed catalog held in memory; nodes belong to the datacenter in their
/// `datacenter` field.
#[derive(Debug, Default)]
pub struct MemoryBackend {
    state: RwLock<Catalog>,
    /// Bumped by every [`MemoryBackend::update`] (the cache version).
    version: AtomicU64,
}

/// The contents of a [`MemoryBackend`].
#[derive(Debug, Default, Clone)]
pub struct Catalog {
    /// Registered nodes.
    pub nodes: Vec<Node>,
    /// Service instances with their checks.
    pub instances: Vec<CheckServiceNode>,
    /// Names of server nodes.
    pub servers: Vec<String>,
    /// Known datacenters.
    pub datacenters: Vec<String>,
}

impl MemoryBackend {
    /// An empty catalog knowing the datacenters `dcs`.
    pub fn new(dcs: &[&str]) -> Self {
        let b = MemoryBackend::default();
        b.update(|c| c.datacenters = dcs.iter().map(|s| s.to_string()).collect());
        b
    }

    /// Change the catalog.
    pub fn update(&self, f: impl FnOnce(&mut Catalog)) {
        let mut guard = self.state.write().unwrap_or_else(|e| e.into_inner());
        f(&mut guard);
        self.version.fetch_add(1, Ordering::SeqCst);
    }

    /// Register a node.
    pub fn add_node(&self, node: Node) {
        self.update(|c| c.nodes.push(node));
    }

    /// Register a service instance (its node too, if new).
    pub fn add_instance(&self, csn: CheckServiceNode) {
        self.update(|c| {
            if !c.nodes.iter().any(|n| n.node == csn.node.node) {
                c.nodes.push(csn.node.clone());
            }
            c.instances.push(csn);
        });
    }

    fn read<T>(&self, f: impl FnOnce(&Catalog) -> T) -> T {
        let guard = self.state.read().unwrap_or_else(|e| e.into_inner());
        f(&guard)
    }

    fn check_dc(&self, dc: &str) -> Result<(), BackendError> {
        self.read(|c| {
            if c.datacenters.iter().any(|d| d == dc) {
                Ok(())
            } else {
                Err(BackendError::UnknownDatacenter(dc.to_string()))
            }
        })
    }
}

impl DnsBackend for MemoryBackend {
    fn node<'a>(
        &'a self,
        dc: &'a str,
        name: &'a str,
        _opts: ReadOptions,
    ) -> BoxFuture<'a, Result<Option<Node>, BackendError>> {
        Box::pin(async move {
            self.check_dc(dc)?;
            Ok(self.read(|c| {
                c.nodes
                    .iter()
                    .find(|n| n.datacenter == dc && n.node.eq_ignore_ascii_case(name))
                    .cloned()
            }))
        })
    }

    fn service_nodes<'a>(
        &'a self,
        dc: &'a str,
        service: &'a str,
        _tag: Option<&'a str>,
        _opts: ReadOptions,
    ) -> BoxFuture<'a, Result<Vec<CheckServiceNode>, BackendError>> {
        Box::pin(async move {
            self.check_dc(dc)?;
            Ok(self.read(|c| {
                c.instances
                    .iter()
                    .filter(|i| {
                        i.node.datacenter == dc && i.service.service.eq_ignore_ascii_case(service)
                    })
                    .cloned()
                    .collect()
            }))
        })
    }

    fn nodes_by_address<'a>(
        &'a self,
        dc: &'a str,
        addr: IpAddr,
        _opts: ReadOptions,
    ) -> BoxFuture<'a, Result<Vec<Node>, BackendError>> {
        Box::pin(async move {
            self.check_dc(dc)?;
            Ok(self.read(|c| {
                c.nodes
                    .iter()
                    .filter(|n| n.datacenter == dc && n.address.parse() == Ok(addr))
                    .cloned()
                    .collect()
            }))
        })
    }

    fn services_by_address<'a>(
        &'a self,
        dc: &'a str,
        addr: IpAddr,
        _opts: ReadOptions,
    ) -> BoxFuture<'a, Result<Vec<ServiceNode>, BackendError>> {
        Box::pin(async move {
            self.check_dc(dc)?;
            Ok(self.read(|c| {
                c.instances
                    .iter()
                    .filter(|i| i.node.datacenter == dc && i.service.address.parse() == Ok(addr))
                    .map(|i| ServiceNode::from_parts(&i.node, &i.service))
                    .collect()
            }))
        })
    }

    fn servers<'a>(
        &'a self,
        dc: &'a str,
        _opts: ReadOptions,
    ) -> BoxFuture<'a, Result<Vec<Node>, BackendError>> {
        Box::pin(async move {
            self.check_dc(dc)?;
            Ok(self.read(|c| {
                c.nodes
                    .iter()
                    .filter(|n| n.datacenter == dc && c.servers.contains(&n.node))
                    .cloned()
                    .collect()
            }))
        })
    }

    fn datacenters(&self) -> BoxFuture<'_, Result<Vec<String>, BackendError>> {
        Box::pin(async move { Ok(self.read(|c| c.datacenters.clone())) })
    }

    fn cache_version(&self, _opts: ReadOptions) -> Option<u64> {
        Some(self.version.load(Ordering::SeqCst))
    }
}
