//! Argument shapes several areas share, with the names of Consul's (`structs.DCSpecificRequest`,
//! `structs.NodeSpecificRequest`, `structs.ServiceSpecificRequest`) and their embedded
//! `QueryOptions` flattened into them, as Go's msgpack codec does. Each is a read.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::query::WireQueryOptions;

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

/// Implement [`RequestInfo`] for a read whose struct has `datacenter` and `query_options`.
macro_rules! read_request_info {
    ($($ty:ty),* $(,)?) => {$(
        impl $crate::rpc::RequestInfo for $ty {
            fn datacenter(&self) -> &str {
                &self.datacenter
            }
            fn token(&self) -> &$crate::rpc::Token {
                &self.query_options.token
            }
            fn query_options(&self) -> Option<&$crate::rpc::WireQueryOptions> {
                Some(&self.query_options)
            }
        }
    )*};
}
pub(crate) use read_request_info;

read_request_info!(
    DcSpecificRequest,
    ServiceSpecificRequest,
    NodeSpecificRequest
);

/// `node-meta` filters as the pairs the state store takes.
pub(crate) fn meta_pairs(m: &BTreeMap<String, String>) -> Vec<(String, String)> {
    m.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}
