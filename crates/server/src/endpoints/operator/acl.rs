//! What `Operator.*` needs: `operator:read` to look, `operator:write` to
//! change the Raft peer set, its leader or the autopilot configuration.

use consul_acl::Authorize;

use super::OperatorRpc;
use crate::acl_check::{check, AclRequirement};
use crate::{AclSettings, Identity, RpcError};

impl AclRequirement for OperatorRpc {
    fn check_acl(&self, id: &Identity, _: &AclSettings) -> Result<(), RpcError> {
        match self {
            OperatorRpc::RaftGetConfiguration(_)
            | OperatorRpc::AutopilotGetConfiguration(_)
            | OperatorRpc::ServerHealth(_) => check(id, |a| a.operator_read()),
            OperatorRpc::RaftRemovePeerById(_)
            | OperatorRpc::RaftRemovePeerByAddress(_)
            | OperatorRpc::AutopilotSetConfiguration(_)
            | OperatorRpc::RaftTransferLeader(_) => check(id, |a| a.operator_write()),
        }
    }
}
