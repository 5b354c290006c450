//! `ACL.BindingRuleSet` and `BindingRuleDelete`: a rule belongs to an
//! existing auth method (for good), its selector parses, and its bind name
//! yields a valid name of its bind type for any login of the method.

use consul_types::acl::AclRequest;
use consul_types::acl_auth::AclBindingRule;
use consul_types::command::Command;
use consul_types::session::validate_uuid;

use super::auth_method::read_method;
use super::validate::fail;
use crate::auth_method::bind::{bind_name, BIND_TYPES};
use crate::auth_method::jwt::JwtConfig;
use crate::new_uuid::new_uuid;
use crate::{RpcError, Server};

fn read_rule(server: &Server, id: &str) -> Option<AclBindingRule> {
    let mut ws = consul_state::WatchSet::new();
    server.store().snapshot().acl_binding_rule(&mut ws, id).1
}

/// Create (empty `ID`) or update a binding rule.
pub(super) async fn set(
    server: &Server,
    mut r: AclBindingRule,
) -> Result<AclBindingRule, RpcError> {
    if r.id.is_empty() {
        r.id = new_uuid();
    } else {
        validate_uuid(&r.id).map_err(|_| fail("Binding Rule ID invalid UUID"))?;
        let old = read_rule(server, &r.id)
            .ok_or_else(|| fail(format!("cannot find binding rule {}", r.id)))?;
        if r.auth_method.is_empty() {
            r.auth_method = old.auth_method;
        } else if r.auth_method != old.auth_method {
            return Err(fail("the AuthMethod field of an Binding Rule is immutable"));
        }
    }
    if r.auth_method.is_empty() {
        return Err(fail("Invalid Binding Rule: no AuthMethod is set"));
    }
    let method = read_method(server, &r.auth_method).ok_or_else(|| {
        fail(format!(
            "cannot find auth method with name {:?}",
            r.auth_method
        ))
    })?;
    if !r.selector.is_empty() {
        consul_filter::Filter::parse_with(&r.selector, consul_filter::consul::jwt_identity())
            .map_err(|e| fail(format!("invalid Binding Rule: Selector is invalid: {e}")))?;
    }
    if r.bind_type.is_empty() {
        return Err(fail("Invalid Binding Rule: no BindType is set"));
    }
    if r.bind_name.is_empty() {
        return Err(fail("Invalid Binding Rule: no BindName is set"));
    }
    if !BIND_TYPES.contains(&r.bind_type.as_str()) {
        return Err(fail(format!(
            "Invalid Binding Rule: unknown BindType {:?}",
            r.bind_type
        )));
    }
    // Every variable the method can project, with a stand-in value.
    let fake: std::collections::BTreeMap<String, String> = JwtConfig::from_method(&method)
        .map(|c| {
            c.claim_mappings
                .values()
                .map(|t| (format!("value.{t}"), "fake".to_string()))
                .collect()
        })
        .unwrap_or_default();
    match bind_name(&r.bind_type, &r.bind_name, &fake) {
        Ok(_) => {}
        Err(crate::auth_method::bind::BindError::Invalid { .. }) => {
            return Err(fail("Invalid Binding Rule: invalid BindName"))
        }
        Err(e) => return Err(fail(format!("Invalid Binding Rule: invalid BindName: {e}"))),
    }
    let id = r.id.clone();
    server
        .apply(Command::Acl(AclRequest::BindingRuleSet(vec![r])))
        .await?;
    read_rule(server, &id).ok_or(RpcError::AclNotFound)
}

/// Delete a binding rule.
pub(super) async fn delete(server: &Server, id: &str) -> Result<(), RpcError> {
    validate_uuid(id).map_err(|_| fail("Binding Rule ID invalid UUID"))?;
    let cmd = Command::Acl(AclRequest::BindingRuleDelete(vec![id.to_string()]));
    server.apply(cmd).await.map(|_| ())
}
