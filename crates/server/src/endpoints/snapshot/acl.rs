//! What `Snapshot.*` needs: a snapshot holds (and a restore replaces) every
//! token and secret, so both need `acl:write`, Consul's `Snapshot` permission.

use consul_acl::Authorize;

use super::SnapshotRpc;
use crate::acl_check::{check, AclRequirement};
use crate::{AclSettings, Identity, RpcError};

impl AclRequirement for SnapshotRpc {
    fn check_acl(&self, id: &Identity, _: &AclSettings) -> Result<(), RpcError> {
        match self {
            SnapshotRpc::Save(_) | SnapshotRpc::Restore(_) => check(id, |a| a.acl_write()),
        }
    }
}
