//! `ACL.PolicySet` and `PolicyDelete`: names unique, rules parsed, the
//! built-in global-management policy protected.

use consul_acl::builtin::GLOBAL_MANAGEMENT_POLICY_ID;
use consul_types::acl::{AclPolicy, AclRequest};
use consul_types::command::Command;

use super::validate;

use crate::new_uuid::new_uuid;
use crate::{RpcError, Server};

/// Create or update a policy (`ACL.PolicySet`).
pub async fn policy_set(server: &Server, mut p: AclPolicy) -> Result<AclPolicy, RpcError> {
    validate::name(&p.name, "Policy", 128)?;
    let snap = server.store().snapshot();
    let mut ws = consul_state::WatchSet::new();
    if p.id.is_empty() {
        p.id = new_uuid();
    } else {
        let old = snap
            .acl_policy_by_id(&mut ws, &p.id)
            .1
            .ok_or_else(|| RpcError::Internal(format!("Cannot find policy {}", p.id)))?;
        if p.id == GLOBAL_MANAGEMENT_POLICY_ID && p.rules.trim() != old.rules.trim() {
            return Err(RpcError::Internal(
                "Changing the Rules for the builtin global-management policy is not permitted"
                    .into(),
            ));
        }
        if p.id == GLOBAL_MANAGEMENT_POLICY_ID {
            p.rules = old.rules;
        }
    }
    if let Some(other) = snap.acl_policy_by_name(&mut ws, &p.name).1 {
        if other.id != p.id {
            return Err(RpcError::Internal(format!(
                "Invalid Policy: A Policy with Name {:?} already exists",
                p.name
            )));
        }
    }
    consul_acl::Policy::parse(&p.rules).map_err(|e| RpcError::Internal(e.to_string()))?;
    p.hash = Some(p.compute_hash());
    let id = p.id.clone();
    server
        .apply(Command::Acl(AclRequest::PolicySet(vec![p])))
        .await?;
    let mut ws = consul_state::WatchSet::new();
    server
        .store()
        .snapshot()
        .acl_policy_by_id(&mut ws, &id)
        .1
        .ok_or(RpcError::AclNotFound)
}

pub(super) async fn policy_delete(server: &Server, id: &str) -> Result<(), RpcError> {
    if id == GLOBAL_MANAGEMENT_POLICY_ID {
        return Err(RpcError::Internal(
            "Delete operation not permitted on the builtin global-management policy".into(),
        ));
    }
    let cmd = Command::Acl(AclRequest::PolicyDelete(vec![id.to_string()]));
    server.apply(cmd).await.map(|_| ())
}
