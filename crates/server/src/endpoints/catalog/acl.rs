//! What `Catalog.*` needs: registering a service needs `service:write` on
//! it; registering a node or node-level checks needs `node:write` on the
//! node. Deregistration needs the same on what it removes, which needs the
//! state to know (a service ID names its service there), so it is checked
//! in [`check_deregister`] when served. Lists are filtered
//! (`crate::acl_filter`).

use consul_acl::Authorize;
use consul_state::WatchSet;
use consul_types::catalog::DeregisterRequest;

use crate::dispatch::RequestCtx;
use crate::Server;

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

/// Deregistering a service needs `service:write` on it, a check the same
/// on its service (or `node:write` for a node-level check), a whole node
/// `node:write`. Something already gone needs only `node:write`.
pub(super) fn check_deregister(
    server: &Server,
    ctx: &RequestCtx,
    req: &DeregisterRequest,
) -> Result<(), RpcError> {
    let snap = server.store().snapshot();
    let mut ws = WatchSet::new();
    let node_services = snap.node_services(&mut ws, &req.node).1;
    let service_of = |id: &str| {
        node_services
            .as_ref()
            .and_then(|ns| ns.services.get(id))
            .map(|s| s.service.clone())
    };
    let service = if !req.service_id.is_empty() {
        service_of(&req.service_id)
    } else if !req.check_id.is_empty() {
        snap.node_checks(&mut ws, &req.node)
            .1
            .into_iter()
            .find(|c| c.check_id == req.check_id)
            .filter(|c| !c.service_id.is_empty())
            .and_then(|c| service_of(&c.service_id))
    } else {
        None
    };
    let id = &ctx.identity;
    match service {
        Some(name) => check(id, |a| a.service_write(&name)),
        None => check(id, |a| a.node_write(&req.node)),
    }
}
