//! ACL auth methods and binding rules (`structs.ACLAuthMethod`,
//! `structs.ACLBindingRule`): how `POST /v1/acl/login` turns a credential
//! from an outside identity provider (a JWT) into a Consul token.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// An auth method: a named, typed validator of login credentials.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AclAuthMethod {
    /// Unique name (letters, digits, `-`, `_`).
    pub name: String,
    /// `jwt` (the type served here; Consul also has `kubernetes` and `oidc`).
    #[serde(rename = "Type")]
    pub kind: String,
    /// Name shown in UIs.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub display_name: String,
    /// Free-form description.
    pub description: String,
    /// Lifetime of the tokens its logins create (zero: no expiry).
    #[serde(
        rename = "MaxTokenTTL",
        with = "crate::duration::serde_go",
        skip_serializing_if = "Duration::is_zero"
    )]
    pub max_token_ttl: Duration,
    /// `local` (the default) or `global`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub token_locality: String,
    /// The validator's settings (for `jwt`: `JWTValidationPubKeys`,
    /// `BoundIssuer`, `BoundAudiences`, `ClaimMappings`, …).
    pub config: BTreeMap<String, serde_json::Value>,
    /// Raft index of the create.
    pub create_index: u64,
    /// Raft index of the last change.
    pub modify_index: u64,
}

impl Eq for AclAuthMethod {}

/// The list form of an auth method (`ACLAuthMethodListStub`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AclAuthMethodListStub {
    /// Its name.
    pub name: String,
    /// Its type.
    #[serde(rename = "Type")]
    pub kind: String,
    /// Name shown in UIs.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub display_name: String,
    /// Free-form description.
    pub description: String,
    /// Lifetime of the tokens its logins create.
    #[serde(
        rename = "MaxTokenTTL",
        with = "crate::duration::serde_go",
        skip_serializing_if = "Duration::is_zero"
    )]
    pub max_token_ttl: Duration,
    /// `local` or `global`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub token_locality: String,
    /// Raft index of the create.
    pub create_index: u64,
    /// Raft index of the last change.
    pub modify_index: u64,
}

impl AclAuthMethod {
    /// The list form.
    pub fn stub(&self) -> AclAuthMethodListStub {
        AclAuthMethodListStub {
            name: self.name.clone(),
            kind: self.kind.clone(),
            display_name: self.display_name.clone(),
            description: self.description.clone(),
            max_token_ttl: self.max_token_ttl,
            token_locality: self.token_locality.clone(),
            create_index: self.create_index,
            modify_index: self.modify_index,
        }
    }
}

/// A binding rule: which logins of an auth method get which service
/// identity, node identity or role.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AclBindingRule {
    /// Its UUID.
    #[serde(rename = "ID")]
    pub id: String,
    /// Free-form description.
    pub description: String,
    /// The auth method it applies to (immutable).
    pub auth_method: String,
    /// A filter expression over the login's claims (`value.<name>`,
    /// `list.<name>`); empty matches every login.
    pub selector: String,
    /// `service`, `node` or `role`.
    pub bind_type: String,
    /// The name bound, with `${value.<name>}` interpolated from the claims.
    pub bind_name: String,
    /// Raft index of the create.
    pub create_index: u64,
    /// Raft index of the last change.
    pub modify_index: u64,
}

/// A login (`structs.ACLLoginParams`): `POST /v1/acl/login`'s body.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AclLoginParams {
    /// The auth method to log in with.
    pub auth_method: String,
    /// The credential (a JWT for `jwt`).
    pub bearer_token: String,
    /// Metadata recorded in the created token's description.
    pub meta: BTreeMap<String, String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_method_json_is_consuls() {
        let m = AclAuthMethod {
            name: "jwt".into(),
            kind: "jwt".into(),
            max_token_ttl: Duration::from_secs(300),
            ..Default::default()
        };
        let v = serde_json::to_value(&m).unwrap();
        assert_eq!(v["Type"], "jwt");
        assert_eq!(v["MaxTokenTTL"], "5m0s");
        assert!(v.get("DisplayName").is_none());
        let back: AclAuthMethod = serde_json::from_value(v).unwrap();
        assert_eq!(back, m);
        let b = rmp_serde::to_vec_named(&m).unwrap();
        assert_eq!(rmp_serde::from_slice::<AclAuthMethod>(&b).unwrap(), m);
    }
}
