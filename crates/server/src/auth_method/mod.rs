//! Auth-method validators: turn a login credential into a verified
//! [`Identity`] (the claims a binding rule selects on and interpolates),
//! and the binding of an identity to service identities, node identities
//! and roles ([`bind`]). The only type served is `jwt` with static public
//! keys (`JWTValidationPubKeys`), as Consul's `jwt` method without JWKS or
//! OIDC discovery, which need an outside HTTPS endpoint.

pub mod bind;
pub mod jwt;

use std::collections::BTreeMap;

use consul_types::acl_auth::AclAuthMethod;

/// The auth-method types this server can validate.
pub const TYPES: &[&str] = &["jwt"];

/// A verified login: the claims mapped by the method's `ClaimMappings`
/// (`value.<name>`) and `ListClaimMappings` (`list.<name>`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identity {
    /// Single-valued claims, by mapped name.
    pub values: BTreeMap<String, String>,
    /// List claims, by mapped name.
    pub lists: BTreeMap<String, Vec<String>>,
}

impl Identity {
    /// What a binding rule's `Selector` filters: `{"value": {…}, "list": {…}}`.
    pub fn selectable(&self) -> serde_json::Value {
        serde_json::json!({ "value": self.values, "list": self.lists })
    }

    /// What `${…}` in a binding rule's `BindName` may name: `value.<name>`.
    pub fn projected_vars(&self) -> BTreeMap<String, String> {
        self.values
            .iter()
            .map(|(k, v)| (format!("value.{k}"), v.clone()))
            .collect()
    }
}

/// Why an auth method could not be used or a login was refused; the
/// `Display` is the one-line reason the client gets.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// The method's `Config` is unusable.
    #[error("Invalid Auth Method: {0}")]
    Config(String),
    /// The credential did not verify.
    #[error("{0}")]
    Login(String),
}

/// Check `method`'s type and config (at create and update).
pub fn validate_method(method: &AclAuthMethod) -> Result<(), AuthError> {
    match method.kind.as_str() {
        "jwt" => jwt::JwtConfig::from_method(method).map(|_| ()),
        other => Err(AuthError::Config(format!(
            "Type should be one of: {TYPES:?} (got {other:?})"
        ))),
    }
}

/// Verify `bearer` against `method` at unix time `now_secs`.
pub fn validate_login(
    method: &AclAuthMethod,
    bearer: &str,
    now_secs: i64,
) -> Result<Identity, AuthError> {
    match method.kind.as_str() {
        "jwt" => jwt::JwtConfig::from_method(method)?.verify(bearer, now_secs),
        other => Err(AuthError::Config(format!("unsupported type {other:?}"))),
    }
}
