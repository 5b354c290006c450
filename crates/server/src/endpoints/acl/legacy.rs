//! The legacy ACL API (`ACL.Apply`, `ACL.Get`, `ACL.List` of Consul ≤ 1.3,
//! still served by 1.10) over the same token table: a legacy token is a
//! token with a `Type` and its own rules, found by its secret. A legacy
//! management token is linked to `global-management` at once (what Consul's
//! leader upgrade does within seconds).

use consul_acl::builtin::ANONYMOUS_TOKEN_ID;
use consul_acl::StaticAuthorizer;
use consul_types::acl::{AclRequest, AclToken, LegacyAcl};
use consul_types::command::Command;
use consul_types::timestamp::Timestamp;

use super::validate::fail;
use crate::acl_init::{management_link, stamped};
use crate::new_uuid::new_uuid;
use crate::{RpcError, Server};

/// What a legacy write does (`structs.ACLOp`).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct LegacyApply {
    /// `set` or `delete`.
    pub op: String,
    /// The token, by its secret `ID`.
    #[serde(rename = "ACL")]
    pub acl: LegacyAcl,
}

fn by_secret(server: &Server, secret: &str) -> Option<AclToken> {
    let mut ws = consul_state::WatchSet::new();
    server
        .store()
        .snapshot()
        .acl_token_by_secret(&mut ws, secret)
        .1
}

/// `ACL.Apply`: create or update (`set`) or delete a legacy token; answers
/// its secret.
pub(super) async fn apply(server: &Server, mut req: LegacyApply) -> Result<String, RpcError> {
    match req.op.as_str() {
        "set" => {
            if req.acl.id.is_empty() {
                req.acl.id = new_uuid();
            }
            set(server, req.acl).await
        }
        "delete" => {
            let id = req.acl.id;
            if id.is_empty() {
                return Err(fail("Missing ACL ID"));
            }
            if id == "anonymous" {
                return Err(RpcError::Forbidden(
                    "Permission denied: Cannot delete anonymous token".into(),
                ));
            }
            if let Some(t) = by_secret(server, &id) {
                if t.accessor_id == ANONYMOUS_TOKEN_ID {
                    return Err(RpcError::Forbidden(
                        "Permission denied: Cannot delete anonymous token".into(),
                    ));
                }
                let cmd = Command::Acl(AclRequest::TokenDelete(vec![t.accessor_id]));
                server.apply(cmd).await?;
            }
            Ok(id)
        }
        _ => Err(fail("Invalid ACL Operation")),
    }
}

async fn set(server: &Server, acl: LegacyAcl) -> Result<String, RpcError> {
    let kind = if acl.kind.is_empty() {
        "client".to_string()
    } else {
        acl.kind
    };
    if kind != "client" && kind != "management" {
        return Err(fail("Invalid ACL Type"));
    }
    let existing = by_secret(server, &acl.id);
    if let Some(old) = &existing {
        let management_link_only = old.policies.len() == 1
            && old.policies[0].id == consul_acl::builtin::GLOBAL_MANAGEMENT_POLICY_ID
            && old.legacy_type == "management";
        let non_legacy = !old.is_legacy()
            || (!old.policies.is_empty() && !management_link_only)
            || !old.roles.is_empty()
            || !old.service_identities.is_empty()
            || !old.node_identities.is_empty()
            || old.expiration_time.is_some()
            || !old.auth_method.is_empty();
        if non_legacy {
            return Err(fail(
                "Cannot use legacy endpoint to modify a non-legacy token",
            ));
        }
    }
    if StaticAuthorizer::from_name(&acl.id).is_some() {
        return Err(RpcError::Forbidden(
            "Permission denied: Cannot modify root ACL".into(),
        ));
    }
    consul_acl::legacy::parse_legacy_rules(&acl.rules)
        .map_err(|e| fail(format!("ACL rule compilation failed: {e}")))?;
    let (accessor, create_time) = match &existing {
        Some(old) => (old.accessor_id.clone(), old.create_time),
        None => (new_uuid(), Timestamp::now()),
    };
    let token = stamped(AclToken {
        accessor_id: accessor,
        secret_id: acl.id.clone(),
        description: acl.name,
        policies: if kind == "management" {
            vec![management_link()]
        } else {
            Vec::new()
        },
        legacy_type: kind,
        rules: acl.rules,
        create_time,
        ..Default::default()
    });
    server
        .apply(Command::Acl(AclRequest::TokenSet(vec![token])))
        .await?;
    Ok(acl.id)
}

/// `ACL.Get`: the legacy token with this secret, in a list (empty when
/// there is none, or it is not a legacy token).
pub(super) fn get(token: Option<AclToken>) -> Vec<LegacyAcl> {
    super::live(token)
        .and_then(|t| t.to_legacy())
        .into_iter()
        .collect()
}

/// `ACL.List`: every live legacy token.
pub(super) fn list(tokens: Vec<AclToken>) -> Vec<LegacyAcl> {
    tokens
        .into_iter()
        .filter_map(|t| super::live(Some(t)))
        .filter_map(|t| t.to_legacy())
        .collect()
}
