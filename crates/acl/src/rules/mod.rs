//! Consul's ACL rules language: the text of a policy (HCL 1 or JSON) parsed
//! into a typed [`Policy`].
//!
//! ```text
//! key_prefix "foo/" { policy = "write" }
//! service "" { policy = "read" intentions = "deny" }
//! operator = "read"
//! ```
//! is the same policy as
//! `{"key_prefix": {"foo/": {"policy": "write"}}, "service": {"": {…}}, "operator": "read"}`.
//!
//! As in Consul 1.10 (OSS), names are matched ignoring case, unknown keys —
//! `mesh`, `namespace`, `partition` (Enterprise or later-version rules), typos
//! — are ignored, a label given twice yields two rules (merged later, see
//! [`crate::merge`]; in JSON too, where a repeated key with an object value
//! adds a block and a repeated scalar keeps the last), and errors carry
//! Consul's texts:
//! `Failed to parse ACL rules: …` for syntax and type errors, `Invalid key
//! policy: &acl.KeyRule{…}` and the like for a bad access level.

mod decode;
mod json;
mod validate;

pub(crate) use validate::go_quote;

use crate::access::Access;

/// One rule naming a segment: an exact name (`key "a"`) or a prefix
/// (`key_prefix "a"`), depending on the list of [`Policy`] it is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// The name or prefix the rule covers (`""` as a prefix covers all).
    pub segment: String,
    /// The access it grants.
    pub access: Access,
    /// Whether the level was written in lower case. Levels parse ignoring
    /// case, but Consul merges them by comparing the text, so a level
    /// written otherwise (`"WRITE"`) never replaces another rule's level for
    /// the same segment (see [`Access::replaces_as_written`]).
    pub lower_case: bool,
}

impl Rule {
    /// A rule whose level is written in lower case (as every rule Consul
    /// itself writes is).
    pub fn new(segment: impl Into<String>, access: Access) -> Rule {
        Rule {
            segment: segment.into(),
            access,
            lower_case: true,
        }
    }
}

/// A `service` or `service_prefix` rule: its service access and, optionally,
/// its own access to intentions whose destination it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceRule {
    /// The service name or prefix.
    pub segment: String,
    /// Access to the service (`policy = …`).
    pub access: Access,
    /// `intentions = …`; when absent, intentions follow `access`: `read` for
    /// read or write, `deny` otherwise (see [`ServiceRule::intention_access`]).
    pub intentions: Option<Access>,
    /// Whether `policy` was written in lower case (see [`Rule::lower_case`]).
    pub lower_case: bool,
    /// Whether `intentions`, when given, was written in lower case (`true`
    /// when absent).
    pub intentions_lower_case: bool,
}

impl ServiceRule {
    /// A rule whose levels are written in lower case.
    pub fn new(segment: impl Into<String>, access: Access, intentions: Option<Access>) -> Self {
        ServiceRule {
            segment: segment.into(),
            access,
            intentions,
            lower_case: true,
            intentions_lower_case: true,
        }
    }

    /// The access to intentions this rule grants, after Consul's defaulting:
    /// without `intentions`, `read` when the service level is `read` or
    /// `write` — compared as written, so `policy = "WRITE"` defaults
    /// intentions to `deny`, as in Consul — and `deny` otherwise.
    pub fn intention_access(&self) -> Access {
        match (self.intentions, self.access) {
            (Some(i), _) => i,
            (None, Access::Read | Access::Write) if self.lower_case => Access::Read,
            (None, _) => Access::Deny,
        }
    }
}

/// The rules of one policy (Consul's `acl.PolicyRules`), in source order.
///
/// `Policy::default()` is the empty policy: it decides nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Policy {
    /// `acl = …`: ACL management (tokens, policies, roles…) and snapshots.
    pub acl: Option<Access>,
    /// `agent "node"`.
    pub agents: Vec<Rule>,
    /// `agent_prefix "node"`.
    pub agent_prefixes: Vec<Rule>,
    /// `event "name"`.
    pub events: Vec<Rule>,
    /// `event_prefix "name"`.
    pub event_prefixes: Vec<Rule>,
    /// `key "path"` (the only resource that accepts `list`).
    pub keys: Vec<Rule>,
    /// `key_prefix "path"`.
    pub key_prefixes: Vec<Rule>,
    /// `keyring = …`.
    pub keyring: Option<Access>,
    /// `node "name"`.
    pub nodes: Vec<Rule>,
    /// `node_prefix "name"`.
    pub node_prefixes: Vec<Rule>,
    /// `operator = …`.
    pub operator: Option<Access>,
    /// `query "name"` (prepared queries).
    pub queries: Vec<Rule>,
    /// `query_prefix "name"`.
    pub query_prefixes: Vec<Rule>,
    /// `service "name"`.
    pub services: Vec<ServiceRule>,
    /// `service_prefix "name"`.
    pub service_prefixes: Vec<ServiceRule>,
    /// `session "node"`.
    pub sessions: Vec<Rule>,
    /// `session_prefix "node"`.
    pub session_prefixes: Vec<Rule>,
}

impl Policy {
    /// Parses rules text, HCL or JSON (JSON when its first non-blank
    /// character is `{`, as HCL 1 decides). Empty text is the empty policy.
    pub fn parse(text: &str) -> Result<Policy, RulesError> {
        if text.is_empty() {
            return Ok(Policy::default());
        }
        let raw = decode::decode(text).map_err(RulesError::Parse)?;
        validate::validate(raw).map_err(RulesError::Invalid)
    }
}

/// Why rules text was refused. Its `Display` is Consul 1.10's message, one
/// line, meant for the client as the response body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RulesError {
    /// Not HCL or JSON, or a value of the wrong type.
    #[error("Failed to parse ACL rules: {0}")]
    Parse(String),
    /// A rule with an access level its resource does not accept; the text is
    /// Consul's whole message (`Invalid key policy: &acl.KeyRule{…}`).
    #[error("{0}")]
    Invalid(String),
}
