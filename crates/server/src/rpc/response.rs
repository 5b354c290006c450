//! Typed responses: one variant per result shape, with Consul's `Indexed*` structs (their
//! embedded `QueryMeta` flattened into them).

use std::collections::BTreeMap;

use consul_types::catalog::{CheckServiceNode, HealthCheck, Node, NodeServices, ServiceNode};
use consul_types::kv::DirEntry;
use serde::{Deserialize, Serialize};

use super::error::CallError;
use super::query::WireQueryMeta;
use super::raft::RaftReply;

/// Every answer the server port gives.
#[derive(Debug, Serialize, Deserialize)]
pub enum RpcResponse {
    /// Nothing to report (register, deregister, ping).
    Empty,
    /// A boolean outcome (KV apply).
    Bool(bool),
    /// One string (status leader).
    String(String),
    /// A list of strings (status peers, datacenters).
    Strings(Vec<String>),
    /// `structs.IndexedDirEntries`.
    DirEntries(IndexedDirEntries),
    /// `structs.IndexedKeyList`.
    KeyList(IndexedKeyList),
    /// `structs.IndexedNodes`.
    Nodes(IndexedNodes),
    /// `structs.IndexedServices`.
    Services(IndexedServices),
    /// `structs.IndexedServiceNodes`.
    ServiceNodes(IndexedServiceNodes),
    /// `structs.IndexedNodeServices`.
    NodeServices(IndexedNodeServices),
    /// `structs.IndexedHealthChecks`.
    HealthChecks(IndexedHealthChecks),
    /// `structs.IndexedCheckServiceNodes`.
    CheckServiceNodes(IndexedCheckServiceNodes),
    /// A Raft answer.
    Raft(RaftReply),
    /// `structs.RaftConfigurationResponse`.
    RaftConfiguration(crate::endpoints::operator::RaftConfigurationResponse),
    /// `structs.AutopilotConfig`.
    AutopilotConfig(crate::endpoints::operator::AutopilotConfig),
    /// `structs.OperatorHealthReply`.
    OperatorHealth(crate::endpoints::operator::OperatorHealthReply),
    /// One server's Raft progress (`Status.RaftStats`).
    RaftStats(crate::endpoints::operator::ServerStats),
    /// `structs.IndexedSessions`.
    Sessions(IndexedSessions),
    /// `structs.TxnResponse` (`Txn.Apply`).
    Txn(consul_types::command::TxnResult),
    /// `structs.TxnReadResponse` (`Txn.Read`).
    TxnRead(crate::endpoints::txn::TxnReadResponse),
    /// An `ACL.*` answer.
    Acl(crate::endpoints::acl::AclReply),
    /// A saved snapshot archive (`Snapshot.Save`).
    Snapshot(crate::endpoints::snapshot::SnapshotReply),
}

/// Sessions with their query meta.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct IndexedSessions {
    /// The sessions.
    pub sessions: Vec<consul_types::session::Session>,
    /// Query meta.
    #[serde(flatten)]
    pub query_meta: WireQueryMeta,
}

/// KV entries with their query meta.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct IndexedDirEntries {
    /// The entries.
    pub entries: Vec<DirEntry>,
    /// Query meta.
    #[serde(flatten)]
    pub query_meta: WireQueryMeta,
}

/// KV keys with their query meta.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct IndexedKeyList {
    /// The keys.
    pub keys: Vec<String>,
    /// Query meta.
    #[serde(flatten)]
    pub query_meta: WireQueryMeta,
}

/// Catalog nodes with their query meta.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct IndexedNodes {
    /// The nodes.
    pub nodes: Vec<Node>,
    /// Query meta.
    #[serde(flatten)]
    pub query_meta: WireQueryMeta,
}

/// Service names with their tags, and query meta.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct IndexedServices {
    /// Service name → union of its tags.
    pub services: BTreeMap<String, Vec<String>>,
    /// Query meta.
    #[serde(flatten)]
    pub query_meta: WireQueryMeta,
}

/// Service instances with their query meta.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct IndexedServiceNodes {
    /// The instances.
    pub service_nodes: Vec<ServiceNode>,
    /// Query meta.
    #[serde(flatten)]
    pub query_meta: WireQueryMeta,
}

/// One node's services (absent when the node is unknown), with query meta.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct IndexedNodeServices {
    /// The node and its services.
    pub node_services: Option<NodeServices>,
    /// Query meta.
    #[serde(flatten)]
    pub query_meta: WireQueryMeta,
}

/// Health checks with their query meta.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct IndexedHealthChecks {
    /// The checks.
    pub health_checks: Vec<HealthCheck>,
    /// Query meta.
    #[serde(flatten)]
    pub query_meta: WireQueryMeta,
}

/// Service instances with node and checks, and query meta.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct IndexedCheckServiceNodes {
    /// The instances.
    pub nodes: Vec<CheckServiceNode>,
    /// Query meta.
    #[serde(flatten)]
    pub query_meta: WireQueryMeta,
}

macro_rules! accessor {
    ($(#[$doc:meta] $name:ident => $variant:ident($ty:ty);)*) => {
        impl RpcResponse {
            $(
                #[$doc]
                pub fn $name(self) -> Result<$ty, CallError> {
                    match self {
                        RpcResponse::$variant(v) => Ok(v),
                        other => Err(CallError::UnexpectedResponse(format!(
                            concat!("expected ", stringify!($variant), ", got {:?}"),
                            other
                        ))),
                    }
                }
            )*
        }
    };
}

accessor! {
    /// The `Bool` answer, or an error for any other variant.
    into_bool => Bool(bool);
    /// The `String` answer.
    into_string => String(String);
    /// The `Strings` answer.
    into_strings => Strings(Vec<String>);
    /// The `DirEntries` answer.
    into_dir_entries => DirEntries(IndexedDirEntries);
    /// The `KeyList` answer.
    into_key_list => KeyList(IndexedKeyList);
    /// The `Nodes` answer.
    into_nodes => Nodes(IndexedNodes);
    /// The `Services` answer.
    into_services => Services(IndexedServices);
    /// The `ServiceNodes` answer.
    into_service_nodes => ServiceNodes(IndexedServiceNodes);
    /// The `NodeServices` answer.
    into_node_services => NodeServices(IndexedNodeServices);
    /// The `HealthChecks` answer.
    into_health_checks => HealthChecks(IndexedHealthChecks);
    /// The `CheckServiceNodes` answer.
    into_check_service_nodes => CheckServiceNodes(IndexedCheckServiceNodes);
    /// The `Raft` answer.
    into_raft => Raft(RaftReply);
    /// The `Snapshot` answer.
    into_snapshot => Snapshot(crate::endpoints::snapshot::SnapshotReply);
    /// The `RaftConfiguration` answer.
    into_raft_configuration => RaftConfiguration(crate::endpoints::operator::RaftConfigurationResponse);
    /// The `AutopilotConfig` answer.
    into_autopilot_config => AutopilotConfig(crate::endpoints::operator::AutopilotConfig);
    /// The `OperatorHealth` answer.
    into_operator_health => OperatorHealth(crate::endpoints::operator::OperatorHealthReply);
    /// The `Sessions` answer.
    into_sessions => Sessions(IndexedSessions);
    /// The `Txn` answer.
    into_txn => Txn(consul_types::command::TxnResult);
    /// The `TxnRead` answer.
    into_txn_read => TxnRead(crate::endpoints::txn::TxnReadResponse);
    /// The `Acl` answer.
    into_acl => Acl(crate::endpoints::acl::AclReply);
}

impl RpcResponse {
    /// Accepts only `Empty`.
    pub fn into_empty(self) -> Result<(), CallError> {
        match self {
            RpcResponse::Empty => Ok(()),
            other => Err(CallError::UnexpectedResponse(format!(
                "expected Empty, got {other:?}"
            ))),
        }
    }
}
