//! `ACL.AuthMethodSet` and `AuthMethodDelete`: names as policy names, the
//! type immutable and one this server validates, `MaxTokenTTL` within the
//! token-expiry bounds, `TokenLocality` `local` or `global`, and a config
//! the validator accepts.

use consul_types::acl::AclRequest;
use consul_types::acl_auth::AclAuthMethod;
use consul_types::command::Command;

use super::validate::{self, fail, MAX_EXPIRATION_TTL, MIN_EXPIRATION_TTL};
use crate::auth_method::validate_method;
use crate::{RpcError, Server};

/// The stored auth method named `name`.
pub(super) fn read_method(server: &Server, name: &str) -> Option<AclAuthMethod> {
    let mut ws = consul_state::WatchSet::new();
    server.store().snapshot().acl_auth_method(&mut ws, name).1
}

/// Create or update an auth method.
pub(super) async fn set(server: &Server, mut m: AclAuthMethod) -> Result<AclAuthMethod, RpcError> {
    validate::name(&m.name, "Auth Method", 128)?;
    if let Some(old) = read_method(server, &m.name) {
        if m.kind.is_empty() {
            m.kind = old.kind;
        } else if m.kind != old.kind {
            return Err(fail("the Type field of an Auth Method is immutable"));
        }
    }
    if !crate::auth_method::TYPES.contains(&m.kind.as_str()) {
        return Err(fail(format!(
            "Invalid Auth Method: Type should be one of: {:?}",
            crate::auth_method::TYPES
        )));
    }
    if !m.max_token_ttl.is_zero() {
        let fmt = consul_types::duration::format_go_duration;
        if m.max_token_ttl > MAX_EXPIRATION_TTL {
            return Err(fail(format!(
                "MaxTokenTTL {} cannot be more than {}",
                fmt(m.max_token_ttl),
                fmt(MAX_EXPIRATION_TTL)
            )));
        }
        if m.max_token_ttl < MIN_EXPIRATION_TTL {
            return Err(fail(format!(
                "MaxTokenTTL {} cannot be less than {}",
                fmt(m.max_token_ttl),
                fmt(MIN_EXPIRATION_TTL)
            )));
        }
    }
    match m.token_locality.as_str() {
        "" | "local" | "global" => {}
        _ => {
            return Err(fail(
                "Invalid Auth Method: TokenLocality should be one of 'local' or 'global'",
            ))
        }
    }
    validate_method(&m).map_err(|e| fail(e.to_string()))?;
    let name = m.name.clone();
    server
        .apply(Command::Acl(AclRequest::AuthMethodSet(vec![m])))
        .await?;
    read_method(server, &name).ok_or(RpcError::AclNotFound)
}

/// Delete an auth method (with its binding rules and login tokens).
pub(super) async fn delete(server: &Server, name: &str) -> Result<(), RpcError> {
    let cmd = Command::Acl(AclRequest::AuthMethodDelete(vec![name.to_string()]));
    server.apply(cmd).await.map(|_| ())
}
