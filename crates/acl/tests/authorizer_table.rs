//! The authorizer against a table of (policies, default policy, check,
//! expected decision) rows, written from Consul 1.10's ACL rules
//! documentation and checked against Consul 1.10.12's `acl` package:
//!
//! - an exact rule (`key "a"`) beats every prefix rule for that name, and
//!   covers nothing else; among prefix rules the longest one wins;
//! - a token's policies (and a label repeated within one policy) merge per
//!   resource and per segment, exact and prefix kept apart, the level that
//!   takes precedence winning: deny, then write, then list, then read;
//! - `list` (keys only) grants list and read; `write` grants everything;
//! - `intentions` on a service rule defaults to `read` for read or write
//!   services, `deny` otherwise; `*` asks "any" for read and "all" for write;
//! - `acl`, `operator`, `keyring` are single-valued; snapshots need `acl = "write"`;
//! - what no rule decides falls through to `acl.default_policy` (a static
//!   authorizer: `allow` grants all but ACL management, `deny` nothing);
//! - service and node identities expand into Consul's synthetic policies.

use consul_acl::{
    enforce_named, Authorize, Authorizer, Decision, NodeIdentity, Policy, PolicyAuthorizer,
    ServiceIdentity, StaticAuthorizer, SyntheticPolicy,
};

/// One policy of a token.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Src {
    /// Rules text, HCL or JSON.
    Rules(&'static str),
    /// A service identity for this service name.
    Svc(&'static str),
    /// A node identity for this node name.
    Node(&'static str),
}

/// What stands behind the token's policies.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Fallback {
    /// The policy authorizer alone: it answers `Default` where it has no rule.
    Alone,
    /// `acl.default_policy = "allow"`.
    Allow,
    /// `acl.default_policy = "deny"`.
    Deny,
    /// The management authorizer.
    Manage,
}

/// One row: `policies` + `fallback` asked `access` on `resource` `segment`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Case {
    pub name: &'static str,
    pub policies: &'static [Src],
    pub fallback: Fallback,
    pub resource: &'static str,
    pub segment: &'static str,
    /// `read`, `write`, `list` / `write-prefix` (keys), `read-all` (node,
    /// service), `default-allow` (intention); `snapshot` takes `write`.
    pub access: &'static str,
    pub want: Decision,
}

use Decision::{Allow as A, Default as D, Deny as N};
use Fallback::{Allow as DfAllow, Alone, Deny as DfDeny, Manage as DfManage};
use Src::{Node, Rules as R, Svc};

const fn case(
    name: &'static str,
    policies: &'static [Src],
    fallback: Fallback,
    resource: &'static str,
    segment: &'static str,
    access: &'static str,
    want: Decision,
) -> Case {
    Case {
        name,
        policies,
        fallback,
        resource,
        segment,
        access,
        want,
    }
}

/// Exact `foo` write and `football` deny, prefixes `foot` and `fo` read,
/// for one resource (Consul's "prefer exact matches" shape).
macro_rules! exact_vs_prefix {
    ($kind:literal) => {
        concat!(
            $kind,
            " \"foo\" { policy = \"write\" }\n",
            $kind,
            " \"football\" { policy = \"deny\" }\n",
            $kind,
            "_prefix \"foot\" { policy = \"read\" }\n",
            $kind,
            "_prefix \"fo\" { policy = \"read\" }\n",
        )
    };
}

const AGENT_EVP: &[Src] = &[R(exact_vs_prefix!("agent"))];
const KEY_EVP: &[Src] = &[R(exact_vs_prefix!("key"))];
const NODE_EVP: &[Src] = &[R(exact_vs_prefix!("node"))];
const SERVICE_EVP: &[Src] = &[R(exact_vs_prefix!("service"))];
const SESSION_EVP: &[Src] = &[R(exact_vs_prefix!("session"))];
const EVENT_EVP: &[Src] = &[R(exact_vs_prefix!("event"))];
const QUERY_EVP: &[Src] = &[R(exact_vs_prefix!("query"))];

/// Read everywhere, write under `app/`, nothing under `app/secret/`.
const KEY_LAYERS: &[Src] = &[R(r#"
key_prefix "" { policy = "read" }
key_prefix "app/" { policy = "write" }
key_prefix "app/secret/" { policy = "deny" }
"#)];

/// The same layers, in JSON.
const KEY_LAYERS_JSON: &[Src] = &[R(r#"{
  "key_prefix": {
    "": {"policy": "read"},
    "app/": {"policy": "write"},
    "app/secret/": {"policy": "deny"}
  }
}"#)];

const KEY_WRITE_UNDER_A: &[Src] = &[R(r#"
key_prefix "a/" { policy = "write" }
key "a/locked" { policy = "read" }
"#)];

const KEY_LIST: &[Src] = &[R(r#"
key_prefix "list/" { policy = "list" }
key_prefix "read/" { policy = "read" }
key_prefix "write/" { policy = "write" }
key_prefix "deny/" { policy = "deny" }
key "exact-list" { policy = "list" }
"#)];

const SVC_WRITE: &[Src] = &[R(r#"service "web" { policy = "write" }"#)];
const SVC_READ_INT_WRITE: &[Src] = &[R(
    r#"service "web" { policy = "read" intentions = "write" }"#,
)];
const SVC_DENY: &[Src] = &[R(r#"service "web" { policy = "deny" }"#)];
const SVC_DENY_INT_READ: &[Src] = &[R(
    r#"service "web" { policy = "deny" intentions = "read" }"#,
)];
const SVC_WRITE_INT_DENY: &[Src] = &[R(
    r#"service "web" { policy = "write" intentions = "deny" }"#,
)];
const SVC_PREFIX_READ: &[Src] = &[R(r#"service_prefix "" { policy = "read" }"#)];
const SVC_ALL_INT_WRITE: &[Src] = &[R(
    r#"service_prefix "" { policy = "read" intentions = "write" }"#,
)];
const SVC_ALL_INT_WRITE_BUT_DB: &[Src] = &[R(r#"
service_prefix "" { policy = "write" intentions = "write" }
service "db" { policy = "write" intentions = "read" }
"#)];
const SVC_ONE_READ_REST_DENY: &[Src] = &[R(r#"
service_prefix "" { policy = "deny" }
service "web" { policy = "read" }
"#)];
const SVC_PREFIX_INT_DENIED: &[Src] = &[R(r#"
service_prefix "" { policy = "write" intentions = "write" }
service_prefix "internal-" { policy = "write" intentions = "deny" }
"#)];

const MERGE_SVC_INTENTIONS: &[Src] = &[
    R(r#"service "a" { policy = "write" }"#),
    R(r#"service "a" { policy = "read" intentions = "deny" }"#),
];
const MERGE_SVC_INT_WRITE: &[Src] = &[
    R(r#"service "a" { policy = "read" }"#),
    R(r#"{"service": {"a": {"policy": "read", "intentions": "write"}}}"#),
];

const MERGE_DENY_WINS: &[Src] = &[
    R(r#"service_prefix "" { policy = "write" }"#),
    R(r#"service "db" { policy = "deny" }"#),
];
const MERGE_SAME_SEGMENT: &[Src] = &[
    R(r#"key_prefix "a/" { policy = "read" }"#),
    R(r#"key_prefix "a/" { policy = "write" }"#),
    R(r#"key_prefix "b/" { policy = "write" }"#),
    R(r#"key_prefix "b/" { policy = "deny" }"#),
    R(r#"key_prefix "c/" { policy = "read" }"#),
    R(r#"key_prefix "c/" { policy = "list" }"#),
    R(r#"key_prefix "d/" { policy = "write" }"#),
    R(r#"key_prefix "d/" { policy = "list" }"#),
];
const MERGE_EXACT_OVER_OTHER_PREFIX: &[Src] = &[
    R(r#"key "a/b" { policy = "read" }"#),
    R(r#"key_prefix "a/" { policy = "write" }"#),
];
const REPEATED_LABEL: &[Src] = &[R(r#"
node_prefix "db-" { policy = "write" }
node_prefix "db-" { policy = "deny" }
node "web-1" { policy = "read" }
node "web-1" { policy = "write" }
"#)];
const REPEATED_LABEL_JSON: &[Src] = &[R(
    r#"{"node_prefix": [{"db-": {"policy": "write"}}, {"db-": {"policy": "deny"}}]}"#,
)];

const JSON_REPEATED_LABEL: &[Src] = &[R(
    r#"{"key_prefix": {"a/": {"policy": "deny"}, "a/": {"policy": "write"}}}"#,
)];
const JSON_REPEATED_RESOURCE: &[Src] = &[R(
    r#"{"key": {"a": {"policy": "deny"}}, "key": {"a": {"policy": "write"}}}"#,
)];
const JSON_REPEATED_SCALAR: &[Src] = &[R(r#"{"operator": "deny", "operator": "read"}"#)];
const JSON_REPEATED_FIELD: &[Src] = &[R(
    r#"{"key": {"a": {"policy": "write", "policy": "deny"}}}"#,
)];
const HCL_REPEATED_FIELD: &[Src] = &[R(r#"key "a" { policy = "deny" policy = "write" }"#)];
const HCL_REPEATED_SCALAR: &[Src] = &[R("operator = \"read\"\noperator = \"deny\"")];
const OPERATOR_READ: &[Src] = &[R(r#"operator = "read""#)];
const OPERATOR_WRITE: &[Src] = &[R(r#"operator = "write""#)];
const OPERATOR_DENY: &[Src] = &[R(r#"operator = "deny""#)];
const OPERATOR_MERGED: &[Src] = &[R(r#"operator = "read""#), R(r#"operator = "write""#)];
const OPERATOR_MERGED_DENY: &[Src] = &[R(r#"operator = "write""#), R(r#"{"operator": "deny"}"#)];
const KEYRING_READ: &[Src] = &[R(r#"keyring = "read""#)];
const KEYRING_WRITE_JSON: &[Src] = &[R(r#"{"keyring": "write"}"#)];
const ACL_READ: &[Src] = &[R(r#"acl = "read""#)];
const ACL_WRITE: &[Src] = &[R(r#"acl = "write""#)];
const ACL_DENY: &[Src] = &[R(r#"acl = "deny""#)];
const ONLY_KEY: &[Src] = &[R(r#"key "a" { policy = "read" }"#)];
const ALL_KEYS_DENIED: &[Src] = &[R(r#"key_prefix "" { policy = "deny" }"#)];
const EMPTY: &[Src] = &[R("")];
const NONE: &[Src] = &[];

const NODES_ALL_READ: &[Src] = &[R(r#"node_prefix "" { policy = "read" }"#)];
const NODES_ALL_READ_BUT_ONE: &[Src] = &[R(r#"
node_prefix "" { policy = "read" }
node "secret" { policy = "deny" }
"#)];
const NODES_ONE_READ: &[Src] = &[R(r#"node "a" { policy = "read" }"#)];
const SERVICES_ALL_WRITE: &[Src] = &[R(r#"service_prefix "" { policy = "write" }"#)];
const SERVICES_ALL_DENY: &[Src] = &[R(r#"service_prefix "" { policy = "deny" }"#)];
const SERVICES_READ_BUT_PREFIX: &[Src] = &[R(r#"
service_prefix "" { policy = "read" }
service_prefix "int-" { policy = "deny" }
"#)];

const SESSIONS: &[Src] = &[R(r#"
session_prefix "" { policy = "read" }
session "n1" { policy = "write" }
"#)];
const EVENTS: &[Src] = &[R(r#"
event_prefix "" { policy = "read" }
event "deploy" { policy = "write" }
"#)];
const QUERIES: &[Src] = &[R(r#"
query_prefix "" { policy = "read" }
query_prefix "team-a-" { policy = "write" }
"#)];

const SVC_ID: &[Src] = &[Svc("web")];
const NODE_ID: &[Src] = &[Node("n1")];
const SVC_ID_AND_DENY: &[Src] = &[Svc("web"), R(r#"service "web" { policy = "deny" }"#)];
const SVC_ID_AND_NODE_ID: &[Src] = &[Svc("web"), Node("n1")];

const CASE_INSENSITIVE_NAMES: &[Src] = &[R(r#"KEY_PREFIX "x/" { Policy = "write" }"#)];
const UPPER_LEVEL_SINGLE_RULE: &[Src] = &[R(r#"key "x" { policy = "WRITE" }"#)];
const UPPER_LEVEL_LOSES_MERGE: &[Src] = &[
    R(r#"key "x" { policy = "read" }"#),
    R(r#"key "x" { policy = "DENY" }"#),
];
const LOWER_LEVEL_BEATS_UPPER: &[Src] = &[
    R(r#"key "x" { policy = "Write" }"#),
    R(r#"key "x" { policy = "read" }"#),
];
const UPPER_SCALAR: &[Src] = &[R(r#"operator = "WRITE""#)];
const UPPER_SCALAR_AND_LOWER: &[Src] = &[R(r#"operator = "WRITE""#), R(r#"operator = "read""#)];
const UPPER_INTENTIONS_MERGED: &[Src] = &[
    R(r#"service "a" { policy = "read" }"#),
    R(r#"service "a" { policy = "read" intentions = "Write" }"#),
];
const UPPER_SERVICE_LEVEL: &[Src] = &[R(r#"service "web" { policy = "Write" }"#)];
const UPPER_INTENTIONS_FIRST: &[Src] =
    &[R(r#"service "a" { policy = "read" intentions = "Write" }"#)];

const MANAGEMENT: &[Src] = &[R(consul_acl::builtin::GLOBAL_MANAGEMENT_RULES)];
const UNKNOWN_KINDS_IGNORED: &[Src] = &[R(r#"
mesh = "write"
namespace "ns" { policy = "write" }
partition "p" { policy = "write" }
key "k" { policy = "write" }
"#)];

#[rustfmt::skip]
pub(crate) const CASES: &[Case] = &[
    // Exact beats prefix; longest prefix wins; exact covers one name only.
    case("agent exact write", AGENT_EVP, Alone, "agent", "foo", "write", A),
    case("agent exact deny beats longer prefix", AGENT_EVP, Alone, "agent", "football", "read", N),
    case("agent longest prefix read", AGENT_EVP, Alone, "agent", "foothold", "read", A),
    case("agent longest prefix is read only", AGENT_EVP, Alone, "agent", "foothold", "write", N),
    case("agent shorter prefix", AGENT_EVP, Alone, "agent", "fox", "read", A),
    case("agent exact covers no children", AGENT_EVP, Alone, "agent", "foo2", "write", N),
    case("agent no rule", AGENT_EVP, Alone, "agent", "bar", "read", D),
    case("key exact write", KEY_EVP, Alone, "key", "foo", "write", A),
    case("key exact deny", KEY_EVP, Alone, "key", "football", "read", N),
    case("key exact deny refuses list", KEY_EVP, Alone, "key", "football", "list", N),
    case("key longest prefix", KEY_EVP, Alone, "key", "footnote", "read", A),
    case("key prefix read refuses write", KEY_EVP, Alone, "key", "footnote", "write", N),
    case("key exact covers no children", KEY_EVP, Alone, "key", "foo/bar", "write", N),
    case("key unmatched", KEY_EVP, Alone, "key", "f", "read", D),
    case("node exact write", NODE_EVP, Alone, "node", "foo", "write", A),
    case("node exact deny", NODE_EVP, Alone, "node", "football", "read", N),
    case("node longest prefix", NODE_EVP, Alone, "node", "foot", "read", A),
    case("node unmatched with deny default", NODE_EVP, DfDeny, "node", "bar", "read", N),
    case("node unmatched with allow default", NODE_EVP, DfAllow, "node", "bar", "write", A),
    case("service exact write", SERVICE_EVP, Alone, "service", "foo", "write", A),
    case("service exact deny", SERVICE_EVP, Alone, "service", "football", "read", N),
    case("service prefix read", SERVICE_EVP, Alone, "service", "fog", "read", A),
    case("service prefix refuses write", SERVICE_EVP, DfAllow, "service", "fog", "write", N),
    case("session exact write", SESSION_EVP, Alone, "session", "foo", "write", A),
    case("session exact deny", SESSION_EVP, Alone, "session", "football", "read", N),
    case("session prefix read", SESSION_EVP, Alone, "session", "footpath", "read", A),
    case("event exact write", EVENT_EVP, Alone, "event", "foo", "write", A),
    case("event exact deny", EVENT_EVP, Alone, "event", "football", "write", N),
    case("event prefix read refuses fire", EVENT_EVP, Alone, "event", "fob", "write", N),
    case("query exact write", QUERY_EVP, Alone, "query", "foo", "write", A),
    case("query exact deny", QUERY_EVP, Alone, "query", "football", "read", N),
    case("query prefix read", QUERY_EVP, Alone, "query", "footy", "read", A),
    // Layers of key prefixes (HCL and JSON).
    case("key layer write", KEY_LAYERS, DfDeny, "key", "app/config", "write", A),
    case("key layer deny under write", KEY_LAYERS, DfAllow, "key", "app/secret/pw", "read", N),
    case("key layer catch-all read", KEY_LAYERS, DfDeny, "key", "other", "read", A),
    case("key layer catch-all refuses write", KEY_LAYERS, DfAllow, "key", "other", "write", N),
    case("key prefixes match bytes, not path parts", KEY_LAYERS, DfDeny, "key", "app/secret", "write", A),
    case("key layer shorter than a prefix", KEY_LAYERS, DfDeny, "key", "ap", "write", N),
    case("json key layer write", KEY_LAYERS_JSON, DfDeny, "key", "app/x", "write", A),
    case("json key layer deny", KEY_LAYERS_JSON, DfDeny, "key", "app/secret/x", "read", N),
    case("json key layer catch-all", KEY_LAYERS_JSON, DfDeny, "key", "zzz", "read", A),
    // list and write-prefix on keys.
    case("list grants list", KEY_LIST, DfDeny, "key", "list/a", "list", A),
    case("list grants read", KEY_LIST, DfDeny, "key", "list/a", "read", A),
    case("list refuses write", KEY_LIST, DfAllow, "key", "list/a", "write", N),
    case("read refuses list", KEY_LIST, DfAllow, "key", "read/a", "list", N),
    case("write grants list", KEY_LIST, DfDeny, "key", "write/a", "list", A),
    case("deny refuses list", KEY_LIST, DfAllow, "key", "deny/a", "list", N),
    case("exact list", KEY_LIST, DfDeny, "key", "exact-list", "list", A),
    case("list without rule falls through", KEY_LIST, Alone, "key", "zzz", "list", D),
    case("write-prefix refused by a read key under it", KEY_WRITE_UNDER_A, DfAllow, "key", "a/", "write-prefix", N),
    case("write-prefix below the read key", KEY_WRITE_UNDER_A, DfDeny, "key", "a/other/", "write-prefix", A),
    case("write-prefix of the read key itself", KEY_WRITE_UNDER_A, DfAllow, "key", "a/locked", "write-prefix", N),
    case("write-prefix with no covering prefix", KEY_WRITE_UNDER_A, Alone, "key", "b/", "write-prefix", D),
    case("write-prefix of everything", KEY_WRITE_UNDER_A, DfAllow, "key", "", "write-prefix", N),
    case("write-prefix under a read layer", KEY_LAYERS, DfAllow, "key", "x/", "write-prefix", N),
    case("write-prefix over a deny layer", KEY_LAYERS, DfAllow, "key", "app/", "write-prefix", N),
    case("plain write still allowed beside the read key", KEY_WRITE_UNDER_A, DfDeny, "key", "a/x", "write", A),
    // Intentions.
    case("intentions default to read for a write service", SVC_WRITE, DfDeny, "intention", "web", "read", A),
    case("intentions default is not write", SVC_WRITE, DfAllow, "intention", "web", "write", N),
    case("explicit intentions write on a read service", SVC_READ_INT_WRITE, DfDeny, "intention", "web", "write", A),
    case("intentions write leaves the service read", SVC_READ_INT_WRITE, DfAllow, "service", "web", "write", N),
    case("intentions default to deny for a denied service", SVC_DENY, DfAllow, "intention", "web", "read", N),
    case("explicit intentions read on a denied service", SVC_DENY_INT_READ, DfDeny, "intention", "web", "read", A),
    case("intentions deny on a write service", SVC_WRITE_INT_DENY, DfAllow, "intention", "web", "read", N),
    case("intentions deny leaves the service writable", SVC_WRITE_INT_DENY, DfDeny, "service", "web", "write", A),
    case("intentions by prefix", SVC_PREFIX_READ, DfDeny, "intention", "anything", "read", A),
    case("intentions by prefix not writable", SVC_PREFIX_READ, DfAllow, "intention", "anything", "write", N),
    case("intention read * : one readable is enough", SVC_ONE_READ_REST_DENY, DfDeny, "intention", "*", "read", A),
    case("intention read * with no rule", NONE, Alone, "intention", "*", "read", D),
    case("intention write * : all writable", SVC_ALL_INT_WRITE, DfDeny, "intention", "*", "write", A),
    case("intention write * : one read-only exact refuses", SVC_ALL_INT_WRITE_BUT_DB, DfAllow, "intention", "*", "write", N),
    case("intention write * : one denied prefix refuses", SVC_PREFIX_INT_DENIED, DfAllow, "intention", "*", "write", N),
    case("intention write on the denied prefix", SVC_PREFIX_INT_DENIED, DfAllow, "intention", "internal-api", "write", N),
    case("intention write outside the denied prefix", SVC_PREFIX_INT_DENIED, DfDeny, "intention", "web", "write", A),
    case("service write but intentions deny across policies", MERGE_SVC_INTENTIONS, DfDeny, "service", "a", "write", A),
    case("intentions deny merged from another policy", MERGE_SVC_INTENTIONS, DfAllow, "intention", "a", "read", N),
    case("intentions write merged from another policy", MERGE_SVC_INT_WRITE, DfDeny, "intention", "a", "write", A),
    case("intention default-allow under allow", NONE, DfAllow, "intention", "", "default-allow", A),
    case("intention default-allow under deny", SVC_WRITE, DfDeny, "intention", "", "default-allow", N),
    case("intention default-allow under manage", NONE, DfManage, "intention", "", "default-allow", A),
    case("intention default-allow is never a policy's", MANAGEMENT, Alone, "intention", "", "default-allow", D),
    // Merging across policies and within one.
    case("deny in one policy beats write in another", MERGE_DENY_WINS, DfAllow, "service", "db", "read", N),
    case("the other names keep the write", MERGE_DENY_WINS, DfDeny, "service", "web", "write", A),
    case("write beats read on one segment", MERGE_SAME_SEGMENT, DfDeny, "key", "a/x", "write", A),
    case("deny beats write on one segment", MERGE_SAME_SEGMENT, DfAllow, "key", "b/x", "read", N),
    case("list beats read on one segment", MERGE_SAME_SEGMENT, DfDeny, "key", "c/x", "list", A),
    case("write beats list on one segment", MERGE_SAME_SEGMENT, DfDeny, "key", "d/x", "write", A),
    case("an exact read beats another policy's prefix write", MERGE_EXACT_OVER_OTHER_PREFIX, DfAllow, "key", "a/b", "write", N),
    case("the prefix write still covers siblings", MERGE_EXACT_OVER_OTHER_PREFIX, DfDeny, "key", "a/c", "write", A),
    case("a label repeated in one policy: deny wins", REPEATED_LABEL, DfAllow, "node", "db-1", "read", N),
    case("a label repeated in one policy: write beats read", REPEATED_LABEL, DfDeny, "node", "web-1", "write", A),
    case("a label repeated in JSON: deny wins", REPEATED_LABEL_JSON, DfAllow, "node", "db-1", "read", N),
    case("a label repeated in a JSON object: both rules merge", JSON_REPEATED_LABEL, DfDeny, "key", "a/x", "write", N),
    case("a resource repeated in a JSON object: both rules merge", JSON_REPEATED_RESOURCE, DfDeny, "key", "a", "write", N),
    case("a scalar repeated in a JSON object: the last counts", JSON_REPEATED_SCALAR, DfDeny, "operator", "", "read", A),
    case("a field repeated in a JSON rule: the last counts", JSON_REPEATED_FIELD, DfAllow, "key", "a", "write", N),
    case("a field repeated in an HCL rule: the last counts", HCL_REPEATED_FIELD, DfDeny, "key", "a", "write", A),
    case("a scalar repeated in HCL: the last counts", HCL_REPEATED_SCALAR, DfAllow, "operator", "", "read", N),
    // Single-valued resources.
    case("operator read grants read", OPERATOR_READ, DfDeny, "operator", "", "read", A),
    case("operator read refuses write", OPERATOR_READ, DfAllow, "operator", "", "write", N),
    case("operator write grants read", OPERATOR_WRITE, DfDeny, "operator", "", "read", A),
    case("operator deny beats the allow default", OPERATOR_DENY, DfAllow, "operator", "", "read", N),
    case("operator merged: write beats read", OPERATOR_MERGED, DfDeny, "operator", "", "write", A),
    case("operator merged: deny beats write", OPERATOR_MERGED_DENY, DfAllow, "operator", "", "read", N),
    case("operator unset falls through (allow)", ONLY_KEY, DfAllow, "operator", "", "write", A),
    case("operator unset falls through (deny)", ONLY_KEY, DfDeny, "operator", "", "read", N),
    case("operator unset alone", ONLY_KEY, Alone, "operator", "", "read", D),
    case("keyring read", KEYRING_READ, DfDeny, "keyring", "", "read", A),
    case("keyring read refuses write", KEYRING_READ, DfAllow, "keyring", "", "write", N),
    case("keyring write (JSON)", KEYRING_WRITE_JSON, DfDeny, "keyring", "", "write", A),
    case("acl read", ACL_READ, DfDeny, "acl", "", "read", A),
    case("acl read refuses write", ACL_READ, DfManage, "acl", "", "write", N),
    case("acl read refuses snapshots", ACL_READ, DfManage, "snapshot", "", "write", N),
    case("acl write grants snapshots", ACL_WRITE, DfDeny, "snapshot", "", "write", A),
    case("acl deny", ACL_DENY, DfManage, "acl", "", "read", N),
    case("the allow default does not manage ACLs", ONLY_KEY, DfAllow, "acl", "", "read", N),
    case("the allow default takes no snapshots", NONE, DfAllow, "snapshot", "", "write", N),
    case("the manage default manages ACLs", NONE, DfManage, "acl", "", "write", A),
    // Default policy fall-through.
    case("unmatched key under allow", ONLY_KEY, DfAllow, "key", "b", "write", A),
    case("unmatched key under deny", ONLY_KEY, DfDeny, "key", "b", "read", N),
    case("explicit deny beats the allow default", ALL_KEYS_DENIED, DfAllow, "key", "x", "read", N),
    case("an empty policy decides nothing", EMPTY, Alone, "service", "web", "read", D),
    case("no policy under allow", NONE, DfAllow, "session", "n1", "write", A),
    case("no policy under deny", NONE, DfDeny, "event", "e", "read", N),
    // Reading every node or service.
    case("node read-all with a catch-all read", NODES_ALL_READ, DfDeny, "node", "", "read-all", A),
    case("node read-all refused by one denied node", NODES_ALL_READ_BUT_ONE, DfAllow, "node", "", "read-all", N),
    case("node read-all without a catch-all falls through", NODES_ONE_READ, Alone, "node", "", "read-all", D),
    case("node read-all without a catch-all (deny)", NODES_ONE_READ, DfDeny, "node", "", "read-all", N),
    case("service read-all with a catch-all write", SERVICES_ALL_WRITE, DfDeny, "service", "", "read-all", A),
    case("service read-all with a catch-all deny", SERVICES_ALL_DENY, DfAllow, "service", "", "read-all", N),
    case("service read-all refused by a denied prefix", SERVICES_READ_BUT_PREFIX, DfAllow, "service", "", "read-all", N),
    // Other resources.
    case("session exact write on its node", SESSIONS, DfDeny, "session", "n1", "write", A),
    case("session catch-all is read only", SESSIONS, DfAllow, "session", "n2", "write", N),
    case("session catch-all read", SESSIONS, DfDeny, "session", "n2", "read", A),
    case("event exact fire", EVENTS, DfDeny, "event", "deploy", "write", A),
    case("event exact covers no longer names", EVENTS, DfAllow, "event", "deploy-all", "write", N),
    case("query prefix write", QUERIES, DfDeny, "query", "team-a-lookup", "write", A),
    case("query catch-all read", QUERIES, DfAllow, "query", "team-b-lookup", "write", N),
    // Service and node identities.
    case("service identity writes its service", SVC_ID, DfDeny, "service", "web", "write", A),
    case("service identity writes its sidecar", SVC_ID, DfDeny, "service", "web-sidecar-proxy", "write", A),
    case("service identity reads other services", SVC_ID, DfDeny, "service", "db", "read", A),
    case("service identity writes no other service", SVC_ID, DfDeny, "service", "db", "write", N),
    case("service identity exact covers no longer names", SVC_ID, DfDeny, "service", "web2", "write", N),
    case("service identity reads nodes", SVC_ID, DfDeny, "node", "n1", "read", A),
    case("service identity writes no node", SVC_ID, DfDeny, "node", "n1", "write", N),
    case("service identity reads its intentions", SVC_ID, DfDeny, "intention", "web", "read", A),
    case("service identity writes no intentions", SVC_ID, DfDeny, "intention", "web", "write", N),
    case("service identity grants no keys", SVC_ID, DfDeny, "key", "web/config", "read", N),
    case("service identity reads all services", SVC_ID, DfDeny, "service", "", "read-all", A),
    case("service identity reads all nodes", SVC_ID, DfDeny, "node", "", "read-all", A),
    case("service identity under allow", SVC_ID, DfAllow, "key", "x", "write", A),
    case("node identity writes its node", NODE_ID, DfDeny, "node", "n1", "write", A),
    case("node identity writes no other node", NODE_ID, DfDeny, "node", "n2", "write", N),
    case("node identity does not read other nodes", NODE_ID, DfDeny, "node", "n2", "read", N),
    case("node identity reads services", NODE_ID, DfDeny, "service", "web", "read", A),
    case("node identity writes no service", NODE_ID, DfDeny, "service", "web", "write", N),
    case("node identity grants no agent", NODE_ID, DfDeny, "agent", "n1", "read", N),
    case("a deny policy beats the service identity", SVC_ID_AND_DENY, DfAllow, "service", "web", "write", N),
    case("a deny policy leaves the sidecar", SVC_ID_AND_DENY, DfDeny, "service", "web-sidecar-proxy", "write", A),
    case("service and node identity together", SVC_ID_AND_NODE_ID, DfDeny, "node", "n1", "write", A),
    case("service and node identity: other nodes readable", SVC_ID_AND_NODE_ID, DfDeny, "node", "n2", "read", A),
    // Case: names ignore case, levels are merged as written.
    case("resource and field names ignore case", CASE_INSENSITIVE_NAMES, DfDeny, "key", "x/y", "write", A),
    case("an upper-case level alone is honoured", UPPER_LEVEL_SINGLE_RULE, DfDeny, "key", "x", "write", A),
    case("an upper-case deny never takes precedence", UPPER_LEVEL_LOSES_MERGE, DfDeny, "key", "x", "read", A),
    case("a lower-case level replaces an upper-case one", LOWER_LEVEL_BEATS_UPPER, DfAllow, "key", "x", "write", N),
    case("an upper-case operator level grants nothing", UPPER_SCALAR, DfDeny, "operator", "", "write", N),
    case("an upper-case operator level decides nothing", UPPER_SCALAR, Alone, "operator", "", "read", D),
    case("a lower-case operator level next to it counts", UPPER_SCALAR_AND_LOWER, DfDeny, "operator", "", "read", A),
    case("an upper-case intentions level loses the merge", UPPER_INTENTIONS_MERGED, DfDeny, "intention", "a", "write", N),
    case("an upper-case intentions level of a first rule", UPPER_INTENTIONS_FIRST, DfDeny, "intention", "a", "write", A),
    case("an upper-case service level is honoured", UPPER_SERVICE_LEVEL, DfDeny, "service", "web", "write", A),
    case("an upper-case service level defaults intentions to deny", UPPER_SERVICE_LEVEL, DfAllow, "intention", "web", "read", N),
    // The builtin management policy, and keys Consul 1.10 OSS ignores.
    case("management writes keys", MANAGEMENT, DfDeny, "key", "any/thing", "write-prefix", A),
    case("management writes intentions", MANAGEMENT, DfDeny, "intention", "*", "write", A),
    case("management manages ACLs", MANAGEMENT, DfDeny, "acl", "", "write", A),
    case("management takes snapshots", MANAGEMENT, DfDeny, "snapshot", "", "write", A),
    case("management writes the keyring", MANAGEMENT, DfDeny, "keyring", "", "write", A),
    case("unknown resources are ignored", UNKNOWN_KINDS_IGNORED, DfDeny, "key", "k", "write", A),
    case("unknown resources grant nothing", UNKNOWN_KINDS_IGNORED, DfDeny, "operator", "", "read", N),
];

#[test]
fn an_upper_case_level_merged_first_stays() {
    let first = Policy::parse(r#"service "a" { policy = "read" intentions = "Write" }"#).unwrap();
    let second = Policy::parse(r#"service "a" { policy = "read" }"#).unwrap();
    let authz = |ps: [&Policy; 2]| Authorizer::from_policies(ps, StaticAuthorizer::DenyAll);
    assert!(authz([&first, &second]).intention_write("a").allowed());
    assert!(!authz([&second, &first]).intention_write("a").allowed());
}

/// The typed policy of one source.
fn policy(src: &Src) -> Policy {
    match *src {
        Src::Rules(text) => {
            Policy::parse(text).unwrap_or_else(|e| panic!("rules do not parse: {e}\n{text}"))
        }
        Src::Svc(name) => ServiceIdentity {
            service_name: name.to_string(),
            datacenters: Vec::new(),
        }
        .policy(),
        Src::Node(name) => NodeIdentity {
            node_name: name.to_string(),
            datacenter: "dc1".to_string(),
        }
        .policy(),
    }
}

/// Asks one check of an authorizer.
fn ask(authz: &dyn Authorize, c: &Case) -> Decision {
    match (c.resource, c.access) {
        ("node", "read-all") => authz.node_read_all(),
        ("service", "read-all") => authz.service_read_all(),
        ("snapshot", "write") => authz.snapshot(),
        ("intention", "default-allow") => authz.intention_default_allow(),
        _ => enforce_named(authz, c.resource, c.segment, c.access)
            .unwrap_or_else(|e| panic!("{}: bad check: {e}", c.name)),
    }
}

fn decide(c: &Case) -> Decision {
    let policies: Vec<Policy> = c.policies.iter().map(policy).collect();
    let fallback = match c.fallback {
        Fallback::Alone => return ask(&PolicyAuthorizer::new(policies.iter()), c),
        Fallback::Allow => StaticAuthorizer::AllowAll,
        Fallback::Deny => StaticAuthorizer::DenyAll,
        Fallback::Manage => StaticAuthorizer::ManageAll,
    };
    ask(&Authorizer::from_policies(policies.iter(), fallback), c)
}

#[test]
fn every_case_decides_as_consul() {
    assert!(CASES.len() >= 80, "{} cases", CASES.len());
    let failures: Vec<String> = CASES
        .iter()
        .filter_map(|c| {
            let got = decide(c);
            (got != c.want).then(|| {
                format!(
                    "{}: {} {} {:?}: got {got:?}, want {:?}",
                    c.name, c.resource, c.access, c.segment, c.want
                )
            })
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n")
    );
}

#[test]
fn case_names_are_unique() {
    let mut names: Vec<&str> = CASES.iter().map(|c| c.name).collect();
    names.sort_unstable();
    let before = names.len();
    names.dedup();
    assert_eq!(before, names.len(), "duplicate case names");
}

/// Merging is order-independent, except between levels not written in
/// lower case (Consul keeps the first such level it merges).
#[test]
fn policy_order_does_not_matter() {
    let upper = |c: &&Case| c.name.contains("upper-case");
    for c in CASES.iter().filter(|c| c.policies.len() > 1 && !upper(c)) {
        let mut policies: Vec<Policy> = c.policies.iter().map(policy).collect();
        policies.reverse();
        let reversed = Authorizer::from_policies(policies.iter(), StaticAuthorizer::DenyAll);
        let forward = Authorizer::from_policies(
            c.policies.iter().map(policy).collect::<Vec<_>>().iter(),
            StaticAuthorizer::DenyAll,
        );
        assert_eq!(ask(&reversed, c), ask(&forward, c), "{}", c.name);
    }
}

/// `/v1/internal/acl/authorize` names checks by strings: resources are
/// exact lower case, levels ignore case, and the refusals are Consul's.
#[test]
fn named_checks_refuse_what_consul_refuses() {
    let authz = StaticAuthorizer::AllowAll;
    let refused = [
        ("foo", "read", r#"Invalid ACL resource requested: "foo""#),
        ("Key", "read", r#"Invalid ACL resource requested: "Key""#),
        (
            "node",
            "list",
            "Invalid access level for node resource: list",
        ),
        ("key", "deny", "Invalid access level for key resource: deny"),
        (
            "operator",
            "list",
            "Invalid access level for operator resource: list",
        ),
        (
            "intention",
            "list",
            "Invalid access level for intention resource: list",
        ),
    ];
    for (resource, access, want) in refused {
        let e = enforce_named(&authz, resource, "x", access).unwrap_err();
        assert_eq!(e.to_string(), want);
    }
    for access in ["LIST", "Write-Prefix", "write-prefix", "READ"] {
        assert_eq!(enforce_named(&authz, "key", "x", access), Ok(A), "{access}");
    }
}
