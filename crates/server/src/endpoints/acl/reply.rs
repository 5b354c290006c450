//! What `ACL.*` answers: one object, a list, or a delete's `true`, with the
//! read's query meta.

use consul_types::acl::{
    AclPolicy, AclPolicyListStub, AclRole, AclToken, AclTokenListStub, LegacyAcl,
};
use consul_types::acl_auth::{AclAuthMethod, AclAuthMethodListStub, AclBindingRule};
use serde::{Deserialize, Serialize};

use crate::rpc::WireQueryMeta;

/// An `ACL.*` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AclReply {
    /// The answer itself.
    pub body: AclBody,
    /// Index and leader facts of the read.
    #[serde(flatten)]
    pub query_meta: WireQueryMeta,
}

/// The body of an [`AclReply`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AclBody {
    /// One token (bootstrap, read, self, set, clone).
    Token(Option<AclToken>),
    /// A token list.
    Tokens(Vec<AclTokenListStub>),
    /// One policy.
    Policy(Option<AclPolicy>),
    /// A policy list.
    Policies(Vec<AclPolicyListStub>),
    /// One role.
    Role(Option<AclRole>),
    /// A role list.
    Roles(Vec<AclRole>),
    /// Legacy tokens (`ACL.Get`, `ACL.List`).
    Legacy(Vec<LegacyAcl>),
    /// A legacy write's token secret (HTTP answers `{"ID": …}`).
    LegacyId(String),
    /// One auth method.
    AuthMethod(Option<AclAuthMethod>),
    /// An auth-method list.
    AuthMethods(Vec<AclAuthMethodListStub>),
    /// One binding rule.
    BindingRule(Option<AclBindingRule>),
    /// A binding-rule list.
    BindingRules(Vec<AclBindingRule>),
    /// `ACL.ReplicationStatus`.
    Replication(ReplicationStatus),
    /// A delete succeeded (HTTP answers `true`).
    Deleted,
    /// What a token grants, for a client agent to compile.
    Grants {
        /// The token.
        token: AclToken,
        /// The roles it links.
        roles: Vec<AclRole>,
        /// The policies it and its roles link.
        policies: Vec<AclPolicy>,
    },
}

/// Consul's `structs.ACLReplicationStatus`. Every datacenter here resolves
/// tokens against the one ACL table its own servers keep (there is no
/// cross-datacenter replication), so replication is never enabled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ReplicationStatus {
    /// Whether this datacenter replicates ACLs from the primary.
    pub enabled: bool,
    /// Whether the replication routine runs.
    pub running: bool,
    /// Where ACLs are replicated from.
    pub source_datacenter: String,
    /// `legacy`, `policies` or `tokens`; empty when not replicating.
    pub replication_type: String,
    /// Last replicated policy index.
    pub replicated_index: u64,
    /// Last replicated role index.
    pub replicated_role_index: u64,
    /// Last replicated token index.
    pub replicated_token_index: u64,
    /// When replication last succeeded (Go's zero time: never).
    pub last_success: String,
    /// When replication last failed (Go's zero time: never).
    pub last_error: String,
}

impl Default for ReplicationStatus {
    fn default() -> Self {
        const GO_ZERO_TIME: &str = "0001-01-01T00:00:00Z";
        ReplicationStatus {
            enabled: false,
            running: false,
            source_datacenter: String::new(),
            replication_type: String::new(),
            replicated_index: 0,
            replicated_role_index: 0,
            replicated_token_index: 0,
            last_success: GO_ZERO_TIME.into(),
            last_error: GO_ZERO_TIME.into(),
        }
    }
}
