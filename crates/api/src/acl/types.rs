//! The ACL shapes as Go's `api` package declares them. Field order and
//! omission rules follow Go's structs, so the CLI's `-format=json` output
//! (Go's `json.MarshalIndent` of these) reads exactly as Consul's; list
//! fields are `Option` so Go's nil (`null`, or omitted) and empty (`[]`) stay
//! apart where Go prints them.

use consul_types::timestamp::Timestamp;
use serde::{Deserialize, Serialize};

/// A reference to a policy or role by ID and name (Go's `api.ACLLink`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AclLink {
    /// The linked object's ID ("" when linked by name only).
    #[serde(rename = "ID")]
    pub id: String,
    /// The linked object's name ("" when linked by ID only).
    #[serde(rename = "Name")]
    pub name: String,
}

impl AclLink {
    /// A link naming only an ID.
    pub fn by_id(id: &str) -> Self {
        AclLink {
            id: id.to_string(),
            name: String::new(),
        }
    }

    /// A link naming only a name.
    pub fn by_name(name: &str) -> Self {
        AclLink {
            id: String::new(),
            name: name.to_string(),
        }
    }
}

/// A service identity: the rules a service's sidecar needs (Go's
/// `api.ACLServiceIdentity`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AclServiceIdentity {
    /// The service's name.
    pub service_name: String,
    /// Datacenters it is valid in (none = all).
    #[serde(skip_serializing_if = "none_or_empty")]
    pub datacenters: Option<Vec<String>>,
}

/// A node identity: the rules a node's agent needs (Go's `api.ACLNodeIdentity`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AclNodeIdentity {
    /// The node's name.
    pub node_name: String,
    /// The datacenter it is valid in.
    pub datacenter: String,
}

/// A token (Go's `api.ACLToken`): what create, read, update and clone answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AclToken {
    /// Raft index of the create.
    pub create_index: u64,
    /// Raft index of the last change.
    pub modify_index: u64,
    /// The token's public ID.
    #[serde(rename = "AccessorID")]
    pub accessor_id: String,
    /// The token's secret (what clients send).
    #[serde(rename = "SecretID")]
    pub secret_id: String,
    /// Free text.
    pub description: String,
    /// Linked policies.
    #[serde(skip_serializing_if = "none_or_empty")]
    pub policies: Option<Vec<AclLink>>,
    /// Linked roles.
    #[serde(skip_serializing_if = "none_or_empty")]
    pub roles: Option<Vec<AclLink>>,
    /// Service identities.
    #[serde(skip_serializing_if = "none_or_empty")]
    pub service_identities: Option<Vec<AclServiceIdentity>>,
    /// Node identities.
    #[serde(skip_serializing_if = "none_or_empty")]
    pub node_identities: Option<Vec<AclNodeIdentity>>,
    /// Whether the token lives only in this datacenter.
    pub local: bool,
    /// The auth method that made it ("" = none).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub auth_method: String,
    /// A lifetime asked for at create, nanoseconds (0 = none).
    #[serde(
        rename = "ExpirationTTL",
        skip_serializing_if = "is_zero",
        deserialize_with = "nanos::deserialize"
    )]
    pub expiration_ttl: u64,
    /// When the token stops existing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiration_time: Option<Timestamp>,
    /// When it was created (`None`: not yet; left out of requests, as a
    /// server cannot store Go's zero time).
    #[serde(with = "go_time", skip_serializing_if = "Option::is_none")]
    pub create_time: Option<Timestamp>,
    /// Content hash.
    #[serde(skip_serializing_if = "none_or_empty", with = "b64")]
    pub hash: Option<Vec<u8>>,
    /// Rules of a legacy token.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub rules: String,
    /// Enterprise namespace ("" = none).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub namespace: String,
}

/// A token as `/v1/acl/tokens` lists it (Go's `api.ACLTokenListEntry`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AclTokenListEntry {
    /// Raft index of the create.
    pub create_index: u64,
    /// Raft index of the last change.
    pub modify_index: u64,
    /// The token's public ID.
    #[serde(rename = "AccessorID")]
    pub accessor_id: String,
    /// The token's secret.
    #[serde(rename = "SecretID")]
    pub secret_id: String,
    /// Free text.
    pub description: String,
    /// Linked policies.
    #[serde(skip_serializing_if = "none_or_empty")]
    pub policies: Option<Vec<AclLink>>,
    /// Linked roles.
    #[serde(skip_serializing_if = "none_or_empty")]
    pub roles: Option<Vec<AclLink>>,
    /// Service identities.
    #[serde(skip_serializing_if = "none_or_empty")]
    pub service_identities: Option<Vec<AclServiceIdentity>>,
    /// Node identities.
    #[serde(skip_serializing_if = "none_or_empty")]
    pub node_identities: Option<Vec<AclNodeIdentity>>,
    /// Whether the token lives only in this datacenter.
    pub local: bool,
    /// The auth method that made it ("" = none).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub auth_method: String,
    /// When the token stops existing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiration_time: Option<Timestamp>,
    /// When it was created (`None` is Go's zero time).
    #[serde(with = "go_time")]
    pub create_time: Option<Timestamp>,
    /// Content hash (`null` when absent, as Go prints it).
    #[serde(with = "b64")]
    pub hash: Option<Vec<u8>>,
    /// Whether it is a legacy (pre-1.4) token.
    pub legacy: bool,
    /// Enterprise namespace ("" = none).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub namespace: String,
}

/// A policy (Go's `api.ACLPolicy`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AclPolicy {
    /// The policy's ID.
    #[serde(rename = "ID")]
    pub id: String,
    /// Its unique name.
    pub name: String,
    /// Free text.
    pub description: String,
    /// The rules, HCL or JSON.
    pub rules: String,
    /// Datacenters it is valid in (`None`/empty = all).
    pub datacenters: Option<Vec<String>>,
    /// Content hash.
    #[serde(with = "b64")]
    pub hash: Option<Vec<u8>>,
    /// Raft index of the create.
    pub create_index: u64,
    /// Raft index of the last change.
    pub modify_index: u64,
    /// Enterprise namespace ("" = none).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub namespace: String,
}

/// A policy as `/v1/acl/policies` lists it (Go's `api.ACLPolicyListEntry`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AclPolicyListEntry {
    /// The policy's ID.
    #[serde(rename = "ID")]
    pub id: String,
    /// Its unique name.
    pub name: String,
    /// Free text.
    pub description: String,
    /// Datacenters it is valid in (`None`/empty = all).
    pub datacenters: Option<Vec<String>>,
    /// Content hash.
    #[serde(with = "b64")]
    pub hash: Option<Vec<u8>>,
    /// Raft index of the create.
    pub create_index: u64,
    /// Raft index of the last change.
    pub modify_index: u64,
    /// Enterprise namespace ("" = none).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub namespace: String,
}

/// A role: a named set of policies and identities (Go's `api.ACLRole`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AclRole {
    /// The role's ID.
    #[serde(rename = "ID")]
    pub id: String,
    /// Its unique name.
    pub name: String,
    /// Free text.
    pub description: String,
    /// Linked policies.
    #[serde(skip_serializing_if = "none_or_empty")]
    pub policies: Option<Vec<AclLink>>,
    /// Service identities.
    #[serde(skip_serializing_if = "none_or_empty")]
    pub service_identities: Option<Vec<AclServiceIdentity>>,
    /// Node identities.
    #[serde(skip_serializing_if = "none_or_empty")]
    pub node_identities: Option<Vec<AclNodeIdentity>>,
    /// Content hash.
    #[serde(with = "b64")]
    pub hash: Option<Vec<u8>>,
    /// Raft index of the create.
    pub create_index: u64,
    /// Raft index of the last change.
    pub modify_index: u64,
    /// Enterprise namespace ("" = none).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub namespace: String,
}

/// Go's `omitempty` on a slice: nil and empty are both left out.
fn none_or_empty<T>(v: &Option<Vec<T>>) -> bool {
    v.as_ref().is_none_or(Vec::is_empty)
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// `[]byte` as Go's `encoding/json` writes it: base64 text, `null` for nil.
mod b64 {
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &Option<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            None => s.serialize_none(),
            Some(b) => s.serialize_str(&STANDARD.encode(b)),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<u8>>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(t) => STANDARD
                .decode(t.as_bytes())
                .map(Some)
                .map_err(serde::de::Error::custom),
        }
    }
}

/// A `time.Time` that is never omitted: `None` is Go's zero time.
mod go_time {
    use consul_types::timestamp::Timestamp;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    /// Go's zero `time.Time` in RFC 3339.
    pub const ZERO: &str = "0001-01-01T00:00:00Z";

    pub fn serialize<S: Serializer>(v: &Option<Timestamp>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(t) => t.serialize(s),
            None => s.serialize_str(ZERO),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Timestamp>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(t) if t == ZERO => Ok(None),
            Some(t) => Timestamp::parse_rfc3339(&t)
                .map(Some)
                .map_err(serde::de::Error::custom),
        }
    }
}

/// A `time.Duration` in: nanoseconds, or a Go duration string.
mod nanos {
    use serde::{Deserialize, Deserializer};

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Repr {
        Nanos(u64),
        Text(String),
        Null(()),
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        match Repr::deserialize(d)? {
            Repr::Nanos(n) => Ok(n),
            Repr::Null(()) => Ok(0),
            Repr::Text(t) => consul_types::duration::parse_go_duration(&t)
                .map(|d| d.as_nanos().min(u64::MAX as u128) as u64)
                .map_err(serde::de::Error::custom),
        }
    }
}

/// Go's `time.Time.String()` of a UTC instant, as the CLI prints times
/// (`2026-12-04 18:04:44.518930352 +0000 UTC`); `None` is Go's zero time.
pub fn go_time_string(t: Option<Timestamp>) -> String {
    let rfc = t.map_or_else(|| go_time::ZERO.to_string(), Timestamp::to_rfc3339);
    let body = rfc.trim_end_matches('Z').replacen('T', " ", 1);
    format!("{body} +0000 UTC")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_json_in_go_order_with_go_omissions() {
        let t = AclToken {
            accessor_id: "a".into(),
            policies: Some(vec![AclLink::by_id("p")]),
            roles: Some(vec![]),
            create_time: Some(Timestamp::parse_rfc3339("2026-12-04T18:04:44.5Z").unwrap()),
            hash: Some(vec![1, 2]),
            ..Default::default()
        };
        let s = serde_json::to_string(&t).unwrap();
        assert_eq!(
            s,
            r#"{"CreateIndex":0,"ModifyIndex":0,"AccessorID":"a","SecretID":"","Description":"","Policies":[{"ID":"p","Name":""}],"Local":false,"CreateTime":"2026-12-04T18:04:44.5Z","Hash":"AQI="}"#
        );
    }

    #[test]
    fn list_entries_print_null_hash_and_datacenters() {
        let p = AclPolicyListEntry::default();
        let s = serde_json::to_string(&p).unwrap();
        assert_eq!(
            s,
            r#"{"ID":"","Name":"","Description":"","Datacenters":null,"Hash":null,"CreateIndex":0,"ModifyIndex":0}"#
        );
    }

    #[test]
    fn decodes_server_answers_with_nulls_and_ttl_forms() {
        let t: AclToken = serde_json::from_str(
            r#"{"AccessorID":"a","Policies":null,"ExpirationTTL":"1m","CreateTime":"0001-01-01T00:00:00Z","Hash":null}"#,
        )
        .unwrap();
        assert_eq!(t.expiration_ttl, 60_000_000_000);
        assert_eq!(t.create_time, None);
        assert_eq!(t.policies, None);
    }

    #[test]
    fn time_as_go_prints_it() {
        let t = Timestamp::parse_rfc3339("2026-12-04T18:04:44.518930352Z").unwrap();
        assert_eq!(
            go_time_string(Some(t)),
            "2026-12-04 18:04:44.518930352 +0000 UTC"
        );
        assert_eq!(go_time_string(None), "0001-01-01 00:00:00 +0000 UTC");
    }
}
