//! The auth-method, binding-rule and login shapes as Go's `api` package
//! declares them (`api.ACLAuthMethod`, `api.ACLBindingRule`, …), in Go's
//! field order and with its omissions, so `-format=json` reads as Consul's.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// An auth method (Go's `api.ACLAuthMethod`). Go marshals `MaxTokenTTL`
/// first, as a duration string, and leaves it out when zero.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AclAuthMethod {
    /// Lifetime of the tokens its logins make (zero: none).
    #[serde(
        rename = "MaxTokenTTL",
        skip_serializing_if = "Duration::is_zero",
        with = "ttl"
    )]
    pub max_token_ttl: Duration,
    /// Its unique name.
    pub name: String,
    /// Its type (`jwt`, `kubernetes`, …).
    #[serde(rename = "Type")]
    pub kind: String,
    /// Name shown in UIs.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub display_name: String,
    /// Free text.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// `local` or `global` ("" = local).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub token_locality: String,
    /// The type's settings; `None` is Go's nil map (`null`).
    pub config: Option<BTreeMap<String, serde_json::Value>>,
    /// Raft index of the create.
    pub create_index: u64,
    /// Raft index of the last change.
    pub modify_index: u64,
    /// Enterprise namespace ("" = none).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub namespace: String,
}

/// An auth method as `/v1/acl/auth-methods` lists it (Go's
/// `api.ACLAuthMethodListEntry`): no config.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AclAuthMethodListEntry {
    /// Lifetime of the tokens its logins make (zero: none).
    #[serde(
        rename = "MaxTokenTTL",
        skip_serializing_if = "Duration::is_zero",
        with = "ttl"
    )]
    pub max_token_ttl: Duration,
    /// Its unique name.
    pub name: String,
    /// Its type.
    #[serde(rename = "Type")]
    pub kind: String,
    /// Name shown in UIs.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub display_name: String,
    /// Free text.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// `local` or `global`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub token_locality: String,
    /// Raft index of the create.
    pub create_index: u64,
    /// Raft index of the last change.
    pub modify_index: u64,
    /// Enterprise namespace ("" = none).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub namespace: String,
}

/// A binding rule (Go's `api.ACLBindingRule`): which logins of a method
/// get which service identity or role.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AclBindingRule {
    /// The rule's ID.
    #[serde(rename = "ID")]
    pub id: String,
    /// Free text.
    pub description: String,
    /// The auth method it belongs to.
    pub auth_method: String,
    /// Expression over the login's identity ("" matches all).
    pub selector: String,
    /// `service` or `role` (or `node`).
    pub bind_type: String,
    /// The name bound, with `${var}` interpolation.
    pub bind_name: String,
    /// Raft index of the create.
    pub create_index: u64,
    /// Raft index of the last change.
    pub modify_index: u64,
    /// Enterprise namespace ("" = none).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub namespace: String,
}

/// The body of `POST /v1/acl/login` (Go's `api.ACLLoginParams`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AclLoginParams {
    /// The auth method's name.
    pub auth_method: String,
    /// The credential it validates (a JWT).
    pub bearer_token: String,
    /// Metadata for the new token's description.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub meta: BTreeMap<String, String>,
}

/// A `time.Duration` as Go's `api` writes it here: a duration string in
/// (`"5m0s"`, also nanoseconds) and out.
mod ttl {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&consul_types::duration::format_go_duration(*d))
    }

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Repr {
        Nanos(u64),
        Text(String),
        Null(()),
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        match Repr::deserialize(d)? {
            Repr::Nanos(n) => Ok(Duration::from_nanos(n)),
            Repr::Null(()) => Ok(Duration::ZERO),
            Repr::Text(t) if t.is_empty() => Ok(Duration::ZERO),
            Repr::Text(t) => {
                consul_types::duration::parse_go_duration(&t).map_err(serde::de::Error::custom)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_method_json_in_go_order() {
        let m = AclAuthMethod {
            max_token_ttl: Duration::from_secs(300),
            name: "jwt".into(),
            kind: "jwt".into(),
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_string(&m).unwrap(),
            r#"{"MaxTokenTTL":"5m0s","Name":"jwt","Type":"jwt","Config":null,"CreateIndex":0,"ModifyIndex":0}"#
        );
        let back: AclAuthMethod =
            serde_json::from_str(r#"{"Name":"jwt","MaxTokenTTL":"10m0s","Config":{"a":1}}"#)
                .unwrap();
        assert_eq!(back.max_token_ttl, Duration::from_secs(600));
        assert_eq!(back.config.unwrap()["a"], 1);
    }

    #[test]
    fn binding_rule_json_in_go_order() {
        let r = AclBindingRule {
            id: "x".into(),
            bind_type: "service".into(),
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"ID":"x","Description":"","AuthMethod":"","Selector":"","BindType":"service","BindName":"","CreateIndex":0,"ModifyIndex":0}"#
        );
    }
}
