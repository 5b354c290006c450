//! `ACL.Login` and `ACL.Logout`: a credential verified by an auth method
//! becomes a token holding what the method's matching binding rules bind
//! (service identities, node identities, roles); logging out deletes a
//! token a login created.

use consul_types::acl::{AclRequest, AclToken, Link, NodeIdentity, ServiceIdentity};
use consul_types::acl_auth::AclLoginParams;
use consul_types::command::Command;
use consul_types::timestamp::Timestamp;

use super::auth_method::read_method;
use super::token::token_set;
use crate::auth_method::bind::{bindings, Binding};
use crate::auth_method::validate_login;
use crate::{RpcError, Server};

/// Log in: the created token (with its secret).
pub(super) async fn login(server: &Server, p: AclLoginParams) -> Result<AclToken, RpcError> {
    let method = read_method(server, &p.auth_method).ok_or_else(|| {
        RpcError::Forbidden(format!(
            "ACL not found: auth method {:?} not found",
            p.auth_method
        ))
    })?;
    let now = Timestamp::now().unix_secs();
    let id = validate_login(&method, &p.bearer_token, now)
        .map_err(|e| RpcError::Internal(e.to_string()))?;
    let snap = server.store().snapshot();
    let mut ws = consul_state::WatchSet::new();
    let rules = snap.acl_binding_rules(&mut ws, &method.name).1;
    let bound = bindings(&rules, &id).map_err(|e| RpcError::Internal(e.to_string()))?;
    let mut token = AclToken {
        local: method.token_locality != "global",
        auth_method: method.name.clone(),
        expiration_ttl: method.max_token_ttl,
        ..Default::default()
    };
    for b in bound {
        match b {
            Binding::Service(name) => token.service_identities.push(ServiceIdentity {
                service_name: name,
                ..Default::default()
            }),
            Binding::Node(name) => token.node_identities.push(NodeIdentity {
                node_name: name,
                datacenter: server.config().datacenter.clone(),
            }),
            Binding::Role(name) => {
                if let Some(role) = snap.acl_role_by_name(&mut ws, &name).1 {
                    if !token.roles.iter().any(|l| l.id == role.id) {
                        token.roles.push(Link {
                            id: role.id,
                            name: role.name,
                        });
                    }
                }
            }
        }
    }
    if token.service_identities.is_empty()
        && token.node_identities.is_empty()
        && token.roles.is_empty()
    {
        return Err(RpcError::PermissionDenied);
    }
    token.description = if p.meta.is_empty() {
        "token created via login".to_string()
    } else {
        let meta = serde_json::to_string(&p.meta).unwrap_or_default();
        format!("token created via login: {meta}")
    };
    token_set(server, token, true).await
}

/// Log out: delete the caller's own token, which a login must have made.
pub(super) async fn logout(server: &Server, secret: &str) -> Result<(), RpcError> {
    if secret.is_empty() {
        return Err(RpcError::AclNotFound);
    }
    let mut ws = consul_state::WatchSet::new();
    let token = server
        .store()
        .snapshot()
        .acl_token_by_secret(&mut ws, secret)
        .1
        .ok_or(RpcError::AclNotFound)?;
    if token.auth_method.is_empty() {
        return Err(RpcError::PermissionDenied);
    }
    let cmd = Command::Acl(AclRequest::TokenDelete(vec![token.accessor_id]));
    server
        .apply(cmd)
        .await
        .map(|_| ())
        .map_err(|e| RpcError::Internal(format!("Failed to apply token delete request: {e}")))
}
