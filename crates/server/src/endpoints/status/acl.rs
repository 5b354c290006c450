//! What `Status.*` needs: nothing (Consul's status endpoints take no token).

use super::StatusRpc;
use crate::acl_check::{anyone, AclRequirement};
use crate::{AclSettings, Identity, RpcError};

impl AclRequirement for StatusRpc {
    fn check_acl(&self, _: &Identity, _: &AclSettings) -> Result<(), RpcError> {
        match self {
            StatusRpc::Ping | StatusRpc::Leader(_) | StatusRpc::Peers(_) | StatusRpc::RaftStats => {
                anyone()
            }
        }
    }

    fn resolves_token(&self) -> bool {
        false
    }
}
