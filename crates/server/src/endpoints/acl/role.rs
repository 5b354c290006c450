//! `ACL.RoleSet`: names unique, policy links resolved, identities valid.

use consul_types::acl::{AclRequest, AclRole};
use consul_types::command::Command;

use super::links::resolve_policy_links;
use super::validate;
use crate::new_uuid::new_uuid;
use crate::{RpcError, Server};

/// Create or update a role (`ACL.RoleSet`).
pub async fn role_set(server: &Server, mut r: AclRole) -> Result<AclRole, RpcError> {
    validate::name(&r.name, "Role", 256)?;
    let snap = server.store().snapshot();
    let mut ws = consul_state::WatchSet::new();
    if r.id.is_empty() {
        r.id = new_uuid();
    } else if snap.acl_role_by_id(&mut ws, &r.id).1.is_none() {
        return Err(RpcError::Internal(format!("Cannot find role {}", r.id)));
    }
    if let Some(other) = snap.acl_role_by_name(&mut ws, &r.name).1 {
        if other.id != r.id {
            return Err(RpcError::Internal(format!(
                "Invalid Role: A Role with Name {:?} already exists",
                r.name
            )));
        }
    }
    r.policies = resolve_policy_links(server, &r.policies)?;
    validate::identities(&r.service_identities, &r.node_identities)?;
    r.hash = Some(r.compute_hash());
    let id = r.id.clone();
    server
        .apply(Command::Acl(AclRequest::RoleSet(vec![r])))
        .await?;
    let mut ws = consul_state::WatchSet::new();
    server
        .store()
        .snapshot()
        .acl_role_by_id(&mut ws, &id)
        .1
        .ok_or(RpcError::AclNotFound)
}
