//! `ACL.TokenSet`, `TokenClone` and `TokenDelete`: the leader validates a
//! token write (IDs, secrets, links, expiry) before it enters Raft.

use consul_acl::builtin::ANONYMOUS_TOKEN_ID;
use consul_types::acl::{AclRequest, AclToken};
use consul_types::command::Command;
use consul_types::session::validate_uuid;
use consul_types::timestamp::Timestamp;

use super::links::{resolve_policy_links, resolve_role_links};
use super::validate;
use crate::acl_init::stamped;
use crate::dispatch::RequestCtx;
use crate::new_uuid::new_uuid;
use crate::{RpcError, Server};

/// The stored token with this accessor ID.
pub(super) fn read_token(server: &Server, accessor: &str) -> Result<AclToken, RpcError> {
    let mut ws = consul_state::WatchSet::new();
    server
        .store()
        .snapshot()
        .acl_token_by_accessor(&mut ws, accessor)
        .1
        .ok_or(RpcError::AclNotFound)
}

/// Create or update a token (`ACL.TokenSet`).
pub async fn token_set(
    server: &Server,
    mut t: AclToken,
    create: bool,
) -> Result<AclToken, RpcError> {
    let snap = server.store().snapshot();
    let mut ws = consul_state::WatchSet::new();
    if !t.rules.is_empty() {
        return Err(RpcError::Internal(
            "Rules cannot be specified for this token".into(),
        ));
    }
    if create {
        t.legacy_type.clear();
        if t.accessor_id.is_empty() {
            t.accessor_id = new_uuid();
        } else {
            validate::accessor_id(&t.accessor_id)?;
            if snap
                .acl_token_by_accessor(&mut ws, &t.accessor_id)
                .1
                .is_some()
            {
                return Err(RpcError::Internal(
                    "Invalid Token: AccessorID is already in use".into(),
                ));
            }
        }
        if t.secret_id.is_empty() {
            t.secret_id = new_uuid();
        } else if snap.acl_token_by_secret(&mut ws, &t.secret_id).1.is_some() {
            return Err(RpcError::Internal(
                "Invalid Token: SecretID is already in use".into(),
            ));
        }
        t.create_time = Timestamp::now();
        validate::expiration(&mut t)?;
    } else {
        let old = snap
            .acl_token_by_accessor(&mut ws, &t.accessor_id)
            .1
            .ok_or_else(|| RpcError::Internal(format!("Cannot find token {:?}", t.accessor_id)))?;
        if !t.secret_id.is_empty() && t.secret_id != old.secret_id {
            return Err(RpcError::Internal(
                "Changing a tokens SecretID is not permitted".into(),
            ));
        }
        if t.local != old.local {
            return Err(RpcError::Internal(format!(
                "Cannot toggle local mode of {}",
                t.accessor_id
            )));
        }
        t.secret_id = old.secret_id;
        t.create_time = old.create_time;
        t.expiration_time = old.expiration_time;
        t.expiration_ttl = std::time::Duration::ZERO;
        t.auth_method = old.auth_method;
        t.legacy_type = old.legacy_type;
        t.rules = old.rules;
    }
    t.policies = resolve_policy_links(server, &t.policies)?;
    t.roles = resolve_role_links(server, &t.roles)?;
    validate::identities(&t.service_identities, &t.node_identities)?;
    let t = stamped(t);
    let accessor = t.accessor_id.clone();
    server
        .apply(Command::Acl(AclRequest::TokenSet(vec![t])))
        .await?;
    read_token(server, &accessor)
}

/// Copy a token under new IDs (`ACL.TokenClone`); `tmpl.description`
/// replaces the description when not empty.
pub(super) async fn token_clone(server: &Server, tmpl: &AclToken) -> Result<AclToken, RpcError> {
    validate_uuid(&tmpl.accessor_id)
        .map_err(|e| RpcError::Internal(format!("failed acl token lookup: index error: {e}")))?;
    let old = read_token(server, &tmpl.accessor_id)?;
    if old.is_legacy() && !old.rules.is_empty() {
        return Err(RpcError::Internal(
            "Cannot clone a legacy ACL with this endpoint".into(),
        ));
    }
    let copy = AclToken {
        accessor_id: String::new(),
        secret_id: String::new(),
        description: if tmpl.description.is_empty() {
            old.description.clone()
        } else {
            tmpl.description.clone()
        },
        expiration_time: None,
        create_index: 0,
        modify_index: 0,
        ..old
    };
    token_set(server, copy, true).await
}

pub(super) async fn token_delete(
    server: &Server,
    accessor: &str,
    ctx: &RequestCtx,
) -> Result<(), RpcError> {
    validate_uuid(accessor)
        .map_err(|e| RpcError::Internal(format!("failed acl token lookup: index error: {e}")))?;
    if accessor == ANONYMOUS_TOKEN_ID {
        return Err(RpcError::Internal(
            "Delete operation not permitted on the anonymous token".into(),
        ));
    }
    if accessor == ctx.identity.accessor_id {
        return Err(RpcError::Internal(
            "Deletion of the request's authorization token is not permitted".into(),
        ));
    }
    let cmd = Command::Acl(AclRequest::TokenDelete(vec![accessor.to_string()]));
    server.apply(cmd).await.map(|_| ())
}
