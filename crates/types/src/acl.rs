//! ACLs (Consul 1.4+ tokens, policies and roles): the objects as
//! `/v1/acl/*` serves them, field by field as Consul 1.10's `structs.ACL*`,
//! their list stubs, the content hash Consul reports, and the ACL writes
//! carried through Raft.
//!
//! The rules inside a policy are text here; parsing and deciding live in the
//! pure `consul-acl` crate.

use std::time::Duration;

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::timestamp::Timestamp;

/// A grant of everything needed to act as one service (Consul's
/// `ACLServiceIdentity`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ServiceIdentity {
    /// The service.
    pub service_name: String,
    /// Where the grant applies; empty = every datacenter.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub datacenters: Vec<String>,
}

impl ServiceIdentity {
    /// Whether the identity applies in datacenter `dc`.
    pub fn applies_in(&self, dc: &str) -> bool {
        self.datacenters.is_empty() || self.datacenters.iter().any(|d| d == dc)
    }
}

/// A grant of everything needed to act as one node (Consul's
/// `ACLNodeIdentity`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct NodeIdentity {
    /// The node.
    pub node_name: String,
    /// The one datacenter the grant applies in (required).
    pub datacenter: String,
}

impl NodeIdentity {
    /// Whether the identity applies in datacenter `dc`.
    pub fn applies_in(&self, dc: &str) -> bool {
        self.datacenter == dc
    }
}

/// A reference from a token or role to a policy or role: by `ID`, or by
/// `Name` in a request (the server resolves names to IDs and fills both).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Link {
    /// The policy's or role's ID.
    #[serde(rename = "ID")]
    pub id: String,
    /// Its name (informational; not part of the hash).
    pub name: String,
}

/// A token as the legacy API (Consul ≤ 1.3, still served by 1.10) shows
/// it (`structs.ACL`): its secret is its `ID`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct LegacyAcl {
    /// The secret.
    #[serde(rename = "ID")]
    pub id: String,
    /// Free-form name (stored as the token's description).
    pub name: String,
    /// `client` (the default) or `management`.
    #[serde(rename = "Type")]
    pub kind: String,
    /// Legacy-syntax rules.
    pub rules: String,
    /// Raft index of the create.
    pub create_index: u64,
    /// Raft index of the last change.
    pub modify_index: u64,
}

/// An ACL token (`structs.ACLToken`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AclToken {
    /// The public ID.
    #[serde(rename = "AccessorID")]
    pub accessor_id: String,
    /// The secret a caller presents.
    #[serde(rename = "SecretID")]
    pub secret_id: String,
    /// Free-form description.
    pub description: String,
    /// Policies granted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub policies: Vec<Link>,
    /// Roles granted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<Link>,
    /// Service identities granted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub service_identities: Vec<ServiceIdentity>,
    /// Node identities granted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub node_identities: Vec<NodeIdentity>,
    /// Whether the token lives in this datacenter only.
    pub local: bool,
    /// The auth method that created it ("" = created directly).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub auth_method: String,
    /// When the token stops existing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiration_time: Option<Timestamp>,
    /// A lifetime asked for at create (a Go duration string or nanoseconds
    /// in; nanoseconds out, as Go encodes `time.Duration`).
    #[serde(
        with = "crate::duration::serde_nanos_in_any",
        skip_serializing_if = "Duration::is_zero"
    )]
    #[serde(rename = "ExpirationTTL")]
    pub expiration_ttl: Duration,
    /// When it was created.
    pub create_time: Timestamp,
    /// Content hash (base64 in JSON).
    #[serde(with = "crate::bytes_b64")]
    pub hash: Option<Bytes>,
    /// A legacy (pre-1.4) token's type, `client` or `management`; empty for
    /// tokens made by the current API. Kept so the legacy `/v1/acl/*`
    /// endpoints see their tokens.
    #[serde(rename = "Type", skip_serializing_if = "String::is_empty")]
    pub legacy_type: String,
    /// A legacy token's own rules (legacy syntax: every rule a prefix).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub rules: String,
    /// Raft index of the create.
    pub create_index: u64,
    /// Raft index of the last change.
    pub modify_index: u64,
}

impl AclToken {
    /// Whether this token was made by the legacy API (Consul's `Legacy`).
    pub fn is_legacy(&self) -> bool {
        !self.legacy_type.is_empty()
    }

    /// The legacy API's view of it (`structs.ACL`); `None` for a token made
    /// by the current API.
    pub fn to_legacy(&self) -> Option<LegacyAcl> {
        self.is_legacy().then(|| LegacyAcl {
            id: self.secret_id.clone(),
            name: self.description.clone(),
            kind: self.legacy_type.clone(),
            rules: self.rules.clone(),
            create_index: self.create_index,
            modify_index: self.modify_index,
        })
    }

    /// Whether the token has expired at `now`.
    pub fn expired(&self, now: Timestamp) -> bool {
        self.expiration_time.is_some_and(|t| t <= now)
    }

    /// Consul's content hash: the fields that change what the token grants.
    pub fn compute_hash(&self) -> Bytes {
        let mut h = Sha256::new();
        h.update(self.description.as_bytes());
        for p in &self.policies {
            h.update(p.id.as_bytes());
        }
        for r in &self.roles {
            h.update(r.id.as_bytes());
        }
        hash_identities(&mut h, &self.service_identities, &self.node_identities);
        h.update([u8::from(self.local)]);
        h.update(self.auth_method.as_bytes());
        h.update(self.legacy_type.as_bytes());
        h.update(self.rules.as_bytes());
        Bytes::from(h.finalize().to_vec())
    }

    /// The list form (`ACLTokenListStub`).
    pub fn stub(&self) -> AclTokenListStub {
        AclTokenListStub {
            accessor_id: self.accessor_id.clone(),
            secret_id: self.secret_id.clone(),
            description: self.description.clone(),
            policies: self.policies.clone(),
            roles: self.roles.clone(),
            service_identities: self.service_identities.clone(),
            node_identities: self.node_identities.clone(),
            local: self.local,
            auth_method: self.auth_method.clone(),
            expiration_time: self.expiration_time,
            create_time: self.create_time,
            hash: self.hash.clone(),
            create_index: self.create_index,
            modify_index: self.modify_index,
            legacy: !self.rules.is_empty(),
        }
    }
}

fn hash_identities(h: &mut Sha256, services: &[ServiceIdentity], nodes: &[NodeIdentity]) {
    for s in services {
        h.update(s.service_name.as_bytes());
        for dc in &s.datacenters {
            h.update(dc.as_bytes());
        }
    }
    for n in nodes {
        h.update(n.node_name.as_bytes());
        h.update(n.datacenter.as_bytes());
    }
}

/// A token in `/v1/acl/tokens` (`structs.ACLTokenListStub`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AclTokenListStub {
    /// See [`AclToken`].
    #[serde(rename = "AccessorID")]
    pub accessor_id: String,
    /// See [`AclToken`].
    #[serde(rename = "SecretID")]
    pub secret_id: String,
    /// See [`AclToken`].
    pub description: String,
    /// See [`AclToken`].
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub policies: Vec<Link>,
    /// See [`AclToken`].
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<Link>,
    /// See [`AclToken`].
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub service_identities: Vec<ServiceIdentity>,
    /// See [`AclToken`].
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub node_identities: Vec<NodeIdentity>,
    /// See [`AclToken`].
    pub local: bool,
    /// See [`AclToken`].
    #[serde(skip_serializing_if = "String::is_empty")]
    pub auth_method: String,
    /// See [`AclToken`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiration_time: Option<Timestamp>,
    /// See [`AclToken`].
    pub create_time: Timestamp,
    /// See [`AclToken`].
    #[serde(with = "crate::bytes_b64")]
    pub hash: Option<Bytes>,
    /// See [`AclToken`].
    pub create_index: u64,
    /// See [`AclToken`].
    pub modify_index: u64,
    /// A token of the legacy (pre-1.4) system; never, here.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub legacy: bool,
}

/// An ACL policy (`structs.ACLPolicy`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AclPolicy {
    /// UUID.
    #[serde(rename = "ID")]
    pub id: String,
    /// Unique name.
    pub name: String,
    /// Free-form description.
    pub description: String,
    /// The rules, HCL or JSON text.
    pub rules: String,
    /// Datacenters it applies in; empty = all.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub datacenters: Vec<String>,
    /// Content hash (base64 in JSON).
    #[serde(with = "crate::bytes_b64")]
    pub hash: Option<Bytes>,
    /// Raft index of the create.
    pub create_index: u64,
    /// Raft index of the last change.
    pub modify_index: u64,
}

impl AclPolicy {
    /// Consul's content hash over name, description, rules and datacenters.
    pub fn compute_hash(&self) -> Bytes {
        let mut h = Sha256::new();
        h.update(self.name.as_bytes());
        h.update(self.description.as_bytes());
        h.update(self.rules.as_bytes());
        for dc in &self.datacenters {
            h.update(dc.as_bytes());
        }
        Bytes::from(h.finalize().to_vec())
    }

    /// Whether the policy applies in datacenter `dc`.
    pub fn applies_in(&self, dc: &str) -> bool {
        self.datacenters.is_empty() || self.datacenters.iter().any(|d| d == dc)
    }

    /// The list form (`ACLPolicyListStub`: no rules, `Datacenters` always present).
    pub fn stub(&self) -> AclPolicyListStub {
        AclPolicyListStub {
            id: self.id.clone(),
            name: self.name.clone(),
            description: self.description.clone(),
            datacenters: (!self.datacenters.is_empty()).then(|| self.datacenters.clone()),
            hash: self.hash.clone(),
            create_index: self.create_index,
            modify_index: self.modify_index,
        }
    }
}

/// A policy in `/v1/acl/policies` (`structs.ACLPolicyListStub`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AclPolicyListStub {
    /// See [`AclPolicy`].
    #[serde(rename = "ID")]
    pub id: String,
    /// See [`AclPolicy`].
    pub name: String,
    /// See [`AclPolicy`].
    pub description: String,
    /// `null` when the policy applies everywhere, as Go writes a nil slice.
    pub datacenters: Option<Vec<String>>,
    /// See [`AclPolicy`].
    #[serde(with = "crate::bytes_b64")]
    pub hash: Option<Bytes>,
    /// See [`AclPolicy`].
    pub create_index: u64,
    /// See [`AclPolicy`].
    pub modify_index: u64,
}

/// An ACL role (`structs.ACLRole`): a named bundle of policies and identities.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AclRole {
    /// UUID.
    #[serde(rename = "ID")]
    pub id: String,
    /// Unique name.
    pub name: String,
    /// Free-form description.
    pub description: String,
    /// Policies granted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub policies: Vec<Link>,
    /// Service identities granted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub service_identities: Vec<ServiceIdentity>,
    /// Node identities granted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub node_identities: Vec<NodeIdentity>,
    /// Content hash (base64 in JSON).
    #[serde(with = "crate::bytes_b64")]
    pub hash: Option<Bytes>,
    /// Raft index of the create.
    pub create_index: u64,
    /// Raft index of the last change.
    pub modify_index: u64,
}

impl AclRole {
    /// Consul's content hash over what the role grants.
    pub fn compute_hash(&self) -> Bytes {
        let mut h = Sha256::new();
        h.update(self.name.as_bytes());
        h.update(self.description.as_bytes());
        for p in &self.policies {
            h.update(p.id.as_bytes());
        }
        hash_identities(&mut h, &self.service_identities, &self.node_identities);
        Bytes::from(h.finalize().to_vec())
    }
}

/// An ACL write carried through Raft (Consul's `ACLBootstrapRequest`,
/// `ACLToken*Request`, `ACLPolicy*Request`, `ACLRole*Request`). The leader
/// fills IDs, hashes and links before the write enters the log, so every
/// server applies the same rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AclRequest {
    /// The one-time bootstrap: insert the first management token, allowed
    /// while no bootstrap happened or when `reset_index` names the last one.
    Bootstrap {
        /// The token to create.
        token: AclToken,
        /// The reset index from the data dir's `acl-bootstrap-reset` (0: none).
        reset_index: u64,
    },
    /// Create or update tokens.
    TokenSet(Vec<AclToken>),
    /// Delete tokens by accessor ID.
    TokenDelete(Vec<String>),
    /// Create or update policies.
    PolicySet(Vec<AclPolicy>),
    /// Delete policies by ID.
    PolicyDelete(Vec<String>),
    /// Create or update roles.
    RoleSet(Vec<AclRole>),
    /// Delete roles by ID.
    RoleDelete(Vec<String>),
    /// Create or update auth methods (by name).
    AuthMethodSet(Vec<crate::acl_auth::AclAuthMethod>),
    /// Delete auth methods by name, with their binding rules and the tokens
    /// their logins created.
    AuthMethodDelete(Vec<String>),
    /// Create or update binding rules (by ID).
    BindingRuleSet(Vec<crate::acl_auth::AclBindingRule>),
    /// Delete binding rules by ID.
    BindingRuleDelete(Vec<String>),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_json_has_consuls_fields_and_omissions() {
        let t = AclToken {
            accessor_id: "a".into(),
            secret_id: "s".into(),
            create_time: Timestamp::parse_rfc3339("2026-12-04T12:31:14.30650165Z").unwrap(),
            hash: Some(Bytes::from_static(b"\x01\x02")),
            create_index: 6,
            modify_index: 20,
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            r#"{"AccessorID":"a","SecretID":"s","Description":"","Local":false,"CreateTime":"2026-12-04T12:31:14.30650165Z","Hash":"AQI=","CreateIndex":6,"ModifyIndex":20}"#
        );
    }

    #[test]
    fn token_requests_accept_ttl_strings_links_by_name_and_nulls() {
        let t: AclToken = crate::json::from_slice_ci(
            br#"{"Description":"x","Policies":[{"Name":"kv-read"}],"Roles":null,"ExpirationTTL":"1h","ExpirationTime":null,"local":true}"#,
        )
        .unwrap();
        assert_eq!(t.policies[0].name, "kv-read");
        assert_eq!(t.expiration_ttl, Duration::from_secs(3600));
        assert!(t.local && t.roles.is_empty() && t.expiration_time.is_none());
        let n: AclToken = serde_json::from_str(r#"{"ExpirationTTL":5000000000}"#).unwrap();
        assert_eq!(n.expiration_ttl, Duration::from_secs(5));
    }

    #[test]
    fn policy_stub_writes_null_datacenters_and_no_rules() {
        let p = AclPolicy {
            id: "i".into(),
            name: "n".into(),
            rules: "key \"\" {}".into(),
            ..Default::default()
        };
        let j = serde_json::to_value(p.stub()).unwrap();
        assert_eq!(j["Datacenters"], serde_json::Value::Null);
        assert!(j.get("Rules").is_none());
        assert!(serde_json::to_value(&p)
            .unwrap()
            .get("Datacenters")
            .is_none());
    }

    #[test]
    fn hashes_change_with_grants_only() {
        let mut t = AclToken {
            description: "d".into(),
            ..Default::default()
        };
        let h = t.compute_hash();
        t.modify_index = 9;
        assert_eq!(t.compute_hash(), h);
        t.policies.push(Link {
            id: "p".into(),
            name: String::new(),
        });
        assert_ne!(t.compute_hash(), h);
        assert_eq!(t.compute_hash().len(), 32);
    }

    #[test]
    fn requests_round_trip_through_msgpack() {
        let r = AclRequest::TokenSet(vec![AclToken {
            accessor_id: "a".into(),
            expiration_time: Some(Timestamp(5)),
            hash: Some(Bytes::from_static(b"\x00\xff")),
            ..Default::default()
        }]);
        let b = rmp_serde::to_vec_named(&r).unwrap();
        assert_eq!(rmp_serde::from_slice::<AclRequest>(&b).unwrap(), r);
    }
}
