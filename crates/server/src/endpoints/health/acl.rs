//! What `Health.*` needs: nothing up front — every health read is a list
//! Consul filters by `node:read` / `service:read` (`crate::acl_filter`).

use super::HealthRpc;
use crate::acl_check::{anyone, AclRequirement};
use crate::{AclSettings, Identity, RpcError};

impl AclRequirement for HealthRpc {
    fn check_acl(&self, _: &Identity, _: &AclSettings) -> Result<(), RpcError> {
        match self {
            HealthRpc::NodeChecks(_)
            | HealthRpc::ServiceChecks(_)
            | HealthRpc::ChecksInState(_)
            | HealthRpc::ServiceNodes(_) => anyone(),
        }
    }
}
