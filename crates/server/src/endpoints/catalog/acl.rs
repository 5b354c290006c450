//! What `Catalog.*` needs: registering a service needs `service:write` on
//! it; registering a node or node-level checks needs `node:write` on the
//! node. Deregistration and the lists are not checked yet (see
//! ARCHITECTURE.md, "ACL enforcement: what is checked so far").

use consul_acl::Authorize;

use super::CatalogRpc;
use crate::acl_check::{anyone, check, AclRequirement};
use crate::{AclSettings, Identity, RpcError};

impl AclRequirement for CatalogRpc {
    fn check_acl(&self, id: &Identity, _: &AclSettings) -> Result<(), RpcError> {
        match self {
            CatalogRpc::Register(args) => {
                let r = &args.request;
                let node_level_checks = r
                    .check
                    .iter()
                    .chain(&r.checks)
                    .any(|c| c.service_id.is_empty());
                if let Some(s) = &r.service {
                    check(id, |a| a.service_write(&s.service))?;
                }
                if r.service.is_none() || node_level_checks {
                    check(id, |a| a.node_write(&r.node))?;
                }
                Ok(())
            }
            CatalogRpc::Deregister(_)
            | CatalogRpc::ListDatacenters
            | CatalogRpc::ListNodes(_)
            | CatalogRpc::ListServices(_)
            | CatalogRpc::ServiceNodes(_)
            | CatalogRpc::NodeServices(_) => anyone(),
        }
    }
}
