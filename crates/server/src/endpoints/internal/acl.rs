//! What `Internal.*` needs: firing a user event needs `event:write` on its name.

use consul_acl::Authorize;

use super::InternalRpc;
use crate::acl_check::{check, AclRequirement};
use crate::{AclSettings, Identity, RpcError};

impl AclRequirement for InternalRpc {
    fn check_acl(&self, id: &Identity, _: &AclSettings) -> Result<(), RpcError> {
        match self {
            InternalRpc::EventFire(r) => check(id, |a| a.event_write(&r.name)),
        }
    }
}
