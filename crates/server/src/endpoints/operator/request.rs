//! What the operator area accepts (`Operator.*`), with the names of Consul's
//! `structs.RaftRemovePeerRequest` and `structs.AutopilotSetConfigRequest`.

use serde::{Deserialize, Serialize};

use super::types::AutopilotConfig;
use crate::rpc::args::DcSpecificRequest;
use crate::rpc::{RequestInfo, Token, WireQueryOptions};

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
    /// `Operator.RaftTransferLeader`: answers `Bool` (true once this leader stepped down).
    RaftTransferLeader(RaftTransferLeaderRequest),
}

impl OperatorRpc {
    fn args(&self) -> &dyn RequestInfo {
        match self {
            OperatorRpc::RaftGetConfiguration(r)
            | OperatorRpc::AutopilotGetConfiguration(r)
            | OperatorRpc::ServerHealth(r) => r,
            OperatorRpc::RaftRemovePeerById(r) | OperatorRpc::RaftRemovePeerByAddress(r) => r,
            OperatorRpc::AutopilotSetConfiguration(r) => r,
            OperatorRpc::RaftTransferLeader(r) => r,
        }
    }
}

/// Only the Raft configuration may be read from any server (`?stale`); autopilot state
/// lives on the leader, so every other call goes there.
impl RequestInfo for OperatorRpc {
    fn datacenter(&self) -> &str {
        self.args().datacenter()
    }

    fn token(&self) -> &Token {
        self.args().token()
    }

    fn query_options(&self) -> Option<&WireQueryOptions> {
        self.args().query_options()
    }

    fn needs_leader(&self) -> bool {
        match self {
            OperatorRpc::RaftGetConfiguration(r) => r.needs_leader(),
            _ => true,
        }
    }
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
    pub token: Token,
}

/// Set the autopilot configuration (`structs.AutopilotSetConfigRequest`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AutopilotSetConfigRequest {
    /// Target datacenter.
    pub datacenter: String,
    /// The new configuration (`ModifyIndex` is the CAS index).
    pub config: AutopilotConfig,
    /// Only store it if `config.modify_index` matches the current one.
    #[serde(rename = "CAS")]
    pub cas: bool,
    /// ACL token.
    pub token: Token,
}

/// Hand leadership to another voter (Consul 1.15's `TransferLeaderRequest`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct RaftTransferLeaderRequest {
    /// Target datacenter.
    pub datacenter: String,
    /// The new leader's ID (node UUID); empty = the most up-to-date other voter.
    #[serde(rename = "ID")]
    pub id: String,
    /// ACL token.
    pub token: Token,
}

/// Implement [`RequestInfo`] for a write whose struct has `datacenter` and `token`.
macro_rules! write_request_info {
    ($($ty:ty),*) => {$(
        impl RequestInfo for $ty {
            fn datacenter(&self) -> &str {
                &self.datacenter
            }
            fn token(&self) -> &Token {
                &self.token
            }
        }
    )*};
}

write_request_info!(
    RaftRemovePeerRequest,
    AutopilotSetConfigRequest,
    RaftTransferLeaderRequest
);
