//! Policy and role links given by ID or name, resolved to `{ID, Name}` the
//! way Consul stores them.

use consul_types::acl::Link;

use crate::{RpcError, Server};

/// Resolve each link by ID or name into `{ID, Name}`; unknown ones fail
/// with Consul's message.
pub(super) fn resolve_policy_links(server: &Server, links: &[Link]) -> Result<Vec<Link>, RpcError> {
    let snap = server.store().snapshot();
    let mut ws = consul_state::WatchSet::new();
    let mut out: Vec<Link> = Vec::new();
    for l in links {
        let p = if !l.id.is_empty() {
            snap.acl_policy_by_id(&mut ws, &l.id).1.ok_or_else(|| {
                RpcError::Internal(format!("No such ACL policy with ID {:?}", l.id))
            })?
        } else {
            snap.acl_policy_by_name(&mut ws, &l.name).1.ok_or_else(|| {
                RpcError::Internal(format!("No such ACL policy with name {:?}", l.name))
            })?
        };
        if !out.iter().any(|o| o.id == p.id) {
            out.push(Link {
                id: p.id,
                name: p.name,
            });
        }
    }
    Ok(out)
}

/// Resolve role links as [`resolve_policy_links`] does policies.
pub(super) fn resolve_role_links(server: &Server, links: &[Link]) -> Result<Vec<Link>, RpcError> {
    let snap = server.store().snapshot();
    let mut ws = consul_state::WatchSet::new();
    let mut out: Vec<Link> = Vec::new();
    for l in links {
        let r = if !l.id.is_empty() {
            snap.acl_role_by_id(&mut ws, &l.id)
                .1
                .ok_or_else(|| RpcError::Internal(format!("No such ACL role with ID {:?}", l.id)))?
        } else {
            snap.acl_role_by_name(&mut ws, &l.name).1.ok_or_else(|| {
                RpcError::Internal(format!("No such ACL role with name {:?}", l.name))
            })?
        };
        if !out.iter().any(|o| o.id == r.id) {
            out.push(Link {
                id: r.id,
                name: r.name,
            });
        }
    }
    Ok(out)
}
