//! Typed requests, one enum per area; argument structs keep the names of Consul's
//! (`structs.KVSRequest`, `structs.KeyRequest`, `structs.DCSpecificRequest`, …) with their
//! embedded `QueryOptions` flattened into them, as Go's msgpack codec does.

use std::collections::BTreeMap;
use std::time::Duration;

use consul_types::catalog::{DeregisterRequest, RegisterRequest};
use consul_types::kv::{DirEntry, KvOp, KvRequest};
use serde::{Deserialize, Serialize};

use super::query::WireQueryOptions;
use super::raft::RaftRpc;

/// Every request the server port answers. Routing is by variant, never by method name.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum RpcRequest {
    /// Raft between servers (routed to the Raft node, not to the [`super::RpcHandler`]).
    Raft(RaftRpc),
    /// `Status.*`.
    Status(StatusRpc),
    /// `KVS.*`.
    Kv(KvRpc),
    /// `Catalog.*`.
    Catalog(CatalogRpc),
    /// `Health.*`.
    Health(HealthRpc),
    /// `Operator.*`.
    Operator(OperatorRpc),
}

/// `Status.*` calls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum StatusRpc {
    /// `Status.Ping`: answers [`super::RpcResponse::Empty`].
    Ping,
    /// `Status.Leader`: the leader's RPC address, "" if none.
    Leader,
    /// `Status.Peers`: RPC addresses of the Raft voters.
    Peers,
    /// `Status.RaftStats`: this server's Raft progress (answers `RaftStats`; never forwarded).
    RaftStats,
}

/// `Operator.*` calls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum OperatorRpc {
    /// `Operator.RaftGetConfiguration`: answers `RaftConfiguration`.
    RaftGetConfiguration(DcSpecificRequest),
    /// `Operator.RaftRemovePeerByID`: answers `Empty`.
    RaftRemovePeerById(RaftRemovePeerRequest),
    /// `Operator.RaftRemovePeerByAddress`: answers `Empty`.
    RaftRemovePeerByAddress(RaftRemovePeerRequest),
    /// `Operator.AutopilotGetConfiguration`: answers `AutopilotConfig` (always from the leader).
    AutopilotGetConfiguration(DcSpecificRequest),
    /// `Operator.AutopilotSetConfiguration`: answers `Bool`.
    AutopilotSetConfiguration(AutopilotSetConfigRequest),
    /// `Operator.ServerHealth`: answers `OperatorHealth` (always from the leader).
    ServerHealth(DcSpecificRequest),
}

/// Remove a Raft peer (`structs.RaftRemovePeerRequest`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct RaftRemovePeerRequest {
    /// Target datacenter.
    pub datacenter: String,
    /// The peer's server RPC address (`ip:port`), for removal by address.
    pub address: String,
    /// The peer's ID (node UUID), for removal by ID.
    #[serde(rename = "ID")]
    pub id: String,
    /// ACL token.
    pub token: String,
}

/// Set the autopilot configuration (`structs.AutopilotSetConfigRequest`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AutopilotSetConfigRequest {
    /// Target datacenter.
    pub datacenter: String,
    /// The new configuration (`ModifyIndex` is the CAS index).
    pub config: crate::endpoints::operator::AutopilotConfig,
    /// Only store it if `config.modify_index` matches the current one.
    #[serde(rename = "CAS")]
    pub cas: bool,
    /// ACL token.
    pub token: String,
}

/// `KVS.*` calls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum KvRpc {
    /// `KVS.Apply`: answers `Bool`.
    Apply(KvsRequest),
    /// `KVS.Get`: answers `DirEntries` with zero or one entry.
    Get(KeyRequest),
    /// `KVS.List`: answers `DirEntries`.
    List(KeyRequest),
    /// `KVS.ListKeys`: answers `KeyList`.
    ListKeys(KeyListRequest),
}

/// `Catalog.*` calls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CatalogRpc {
    /// `Catalog.Register`: answers `Empty` (boxed: by far the largest request).
    Register(Box<RegisterRequest>),
    /// `Catalog.Deregister`: answers `Empty`.
    Deregister(DeregisterRequest),
    /// `Catalog.ListDatacenters`: answers `Strings`.
    ListDatacenters,
    /// `Catalog.ListNodes`: answers `Nodes`.
    ListNodes(DcSpecificRequest),
    /// `Catalog.ListServices`: answers `Services`.
    ListServices(DcSpecificRequest),
    /// `Catalog.ServiceNodes`: answers `ServiceNodes`.
    ServiceNodes(ServiceSpecificRequest),
    /// `Catalog.NodeServices`: answers `NodeServices`.
    NodeServices(NodeSpecificRequest),
}

/// `Health.*` calls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum HealthRpc {
    /// `Health.NodeChecks`: answers `HealthChecks`.
    NodeChecks(NodeSpecificRequest),
    /// `Health.ServiceChecks`: answers `HealthChecks`.
    ServiceChecks(ServiceSpecificRequest),
    /// `Health.ChecksInState`: answers `HealthChecks`.
    ChecksInState(ChecksInStateRequest),
    /// `Health.ServiceNodes`: answers `CheckServiceNodes`.
    ServiceNodes(ServiceSpecificRequest),
}

/// A KV write (`structs.KVSRequest`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct KvsRequest {
    /// Target datacenter ("" = the server's own).
    #[serde(default)]
    pub datacenter: String,
    /// What to do.
    pub op: KvOp,
    /// The entry (key, value, flags, session; `ModifyIndex` for CAS).
    pub dir_ent: DirEntry,
    /// ACL token (`WriteRequest.Token`).
    #[serde(default)]
    pub token: String,
}

impl KvsRequest {
    /// The endpoint's request.
    pub fn to_kv_request(&self) -> KvRequest {
        KvRequest {
            op: self.op,
            dir_ent: self.dir_ent.clone(),
        }
    }
}

/// A read of one key or prefix (`structs.KeyRequest`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct KeyRequest {
    /// Target datacenter.
    pub datacenter: String,
    /// The key (or prefix for `List`).
    pub key: String,
    /// Read options.
    #[serde(flatten)]
    pub query_options: WireQueryOptions,
}

/// A key listing (`structs.KeyListRequest`; Consul spells the field `Seperator`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct KeyListRequest {
    /// Target datacenter.
    pub datacenter: String,
    /// Key prefix.
    pub prefix: String,
    /// Roll keys up at this separator ("" = no roll-up).
    pub seperator: String,
    /// Read options.
    #[serde(flatten)]
    pub query_options: WireQueryOptions,
}

/// A datacenter-wide read (`structs.DCSpecificRequest`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DcSpecificRequest {
    /// Target datacenter.
    pub datacenter: String,
    /// `node-meta` filters (ANDed).
    pub node_meta_filters: BTreeMap<String, String>,
    /// Read options.
    #[serde(flatten)]
    pub query_options: WireQueryOptions,
}

/// A read about one service (`structs.ServiceSpecificRequest`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ServiceSpecificRequest {
    /// Target datacenter.
    pub datacenter: String,
    /// `node-meta` filters (ANDed).
    pub node_meta_filters: BTreeMap<String, String>,
    /// The service.
    pub service_name: String,
    /// Tags every instance must carry.
    pub service_tags: Vec<String>,
    /// Whether `service_tags` applies.
    pub tag_filter: bool,
    /// Only instances whose checks all pass (`?passing`; ours, Consul filters at the agent).
    pub passing_only: bool,
    /// Read options.
    #[serde(flatten)]
    pub query_options: WireQueryOptions,
}

/// A read about one node (`structs.NodeSpecificRequest`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct NodeSpecificRequest {
    /// Target datacenter.
    pub datacenter: String,
    /// The node's name.
    pub node: String,
    /// Read options.
    #[serde(flatten)]
    pub query_options: WireQueryOptions,
}

/// Checks in a state (`structs.ChecksInStateRequest`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ChecksInStateRequest {
    /// Target datacenter.
    pub datacenter: String,
    /// `node-meta` filters (ANDed).
    pub node_meta_filters: BTreeMap<String, String>,
    /// `any`, `passing`, `warning` or `critical`.
    pub state: String,
    /// Read options.
    #[serde(flatten)]
    pub query_options: WireQueryOptions,
}

impl RpcRequest {
    /// The read options of a read request; `None` for writes, Raft and status calls.
    pub fn query_options(&self) -> Option<&WireQueryOptions> {
        Some(match self {
            RpcRequest::Kv(KvRpc::Get(r) | KvRpc::List(r)) => &r.query_options,
            RpcRequest::Kv(KvRpc::ListKeys(r)) => &r.query_options,
            RpcRequest::Catalog(CatalogRpc::ListNodes(r) | CatalogRpc::ListServices(r)) => {
                &r.query_options
            }
            RpcRequest::Catalog(CatalogRpc::ServiceNodes(r))
            | RpcRequest::Health(HealthRpc::ServiceChecks(r) | HealthRpc::ServiceNodes(r)) => {
                &r.query_options
            }
            RpcRequest::Catalog(CatalogRpc::NodeServices(r))
            | RpcRequest::Health(HealthRpc::NodeChecks(r)) => &r.query_options,
            RpcRequest::Health(HealthRpc::ChecksInState(r)) => &r.query_options,
            RpcRequest::Operator(OperatorRpc::RaftGetConfiguration(r)) => &r.query_options,
            _ => return None,
        })
    }

    /// Consul's client-side timeout rule: a blocking query may take `wait + wait/16` on the
    /// server plus `hold` (`rpc_hold_timeout`) to find a leader; anything else gets
    /// `default_timeout` (Consul's `RPCClientTimeout`, 60 s).
    pub fn timeout(&self, hold: Duration, default_timeout: Duration) -> Duration {
        match self.query_options().and_then(|q| q.blocking_timeout()) {
            Some(blocking) => blocking + hold,
            None => default_timeout,
        }
    }
}
