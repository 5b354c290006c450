//! What `ACL.*` answers: one object, a list, or a delete's `true`, with the
//! read's query meta.

use consul_types::acl::{
    AclPolicy, AclPolicyListStub, AclRole, AclToken, AclTokenListStub, LegacyAcl,
};
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
