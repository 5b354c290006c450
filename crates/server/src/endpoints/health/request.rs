//! What the health area accepts (`Health.*`); besides the shared node and service shapes,
//! Consul's `structs.ChecksInStateRequest`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::rpc::args::{read_request_info, NodeSpecificRequest, ServiceSpecificRequest};
use crate::rpc::{AreaArgs, RequestInfo, WireQueryOptions};

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

impl AreaArgs for HealthRpc {
    fn args(&self) -> Option<&dyn RequestInfo> {
        Some(match self {
            HealthRpc::NodeChecks(r) => r,
            HealthRpc::ServiceChecks(r) | HealthRpc::ServiceNodes(r) => r,
            HealthRpc::ChecksInState(r) => r,
        })
    }
}

crate::request_info_from_args!(HealthRpc);

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

read_request_info!(ChecksInStateRequest);
