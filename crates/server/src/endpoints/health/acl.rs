//! What `Health.*` needs: every health read is a list Consul filters by
//! `node:read` / `service:read`; the filtering is not done yet (see
//! ARCHITECTURE.md, "ACL enforcement: what is checked so far").

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
