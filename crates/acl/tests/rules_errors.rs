//! Rules text Consul 1.10 refuses, and what it says: the error's `Display`
//! is the body clients get back from `PUT /v1/acl/policy` and friends.
//!
//! - an invalid access level: the whole message is Consul's, the rule printed
//!   as Go's `%#v` prints it (`Invalid key policy: &acl.KeyRule{…}`), the
//!   first invalid rule in Consul's validation order reported;
//! - bad syntax or a value of the wrong type: `Failed to parse ACL rules: `
//!   then the parser's reason (its wording is ours, not HCL 1's).
//!
//! Every expectation here was checked against Consul 1.10.12's `acl` package.

use consul_acl::{Policy, RulesError};

/// Rules with an invalid level, and Consul's whole message.
#[rustfmt::skip]
const INVALID: &[(&str, &str)] = &[
    (r#"key "a" { policy = "foo" }"#,
     r#"Invalid key policy: &acl.KeyRule{Prefix:"a", Policy:"foo", EnterpriseRule:acl.EnterpriseRule{}}"#),
    (r#"key_prefix "a/" { policy = "nope" }"#,
     r#"Invalid key_prefix policy: &acl.KeyRule{Prefix:"a/", Policy:"nope", EnterpriseRule:acl.EnterpriseRule{}}"#),
    (r#"agent "n" { policy = "nope" }"#,
     r#"Invalid agent policy: &acl.AgentRule{Node:"n", Policy:"nope"}"#),
    (r#"agent_prefix "" { policy = "list" }"#,
     r#"Invalid agent_prefix policy: &acl.AgentRule{Node:"", Policy:"list"}"#),
    (r#"node "n" { policy = "list" }"#,
     r#"Invalid node policy: &acl.NodeRule{Name:"n", Policy:"list", EnterpriseRule:acl.EnterpriseRule{}}"#),
    (r#"node_prefix "x" { policy = "" }"#,
     r#"Invalid node_prefix policy: &acl.NodeRule{Name:"x", Policy:"", EnterpriseRule:acl.EnterpriseRule{}}"#),
    (r#"service "web" { policy = "nope" }"#,
     r#"Invalid service policy: &acl.ServiceRule{Name:"web", Policy:"nope", Intentions:"", EnterpriseRule:acl.EnterpriseRule{}}"#),
    (r#"service_prefix "" { policy = "list" }"#,
     r#"Invalid service_prefix policy: &acl.ServiceRule{Name:"", Policy:"list", Intentions:"", EnterpriseRule:acl.EnterpriseRule{}}"#),
    (r#"service "web" { policy = "read" intentions = "list" }"#,
     r#"Invalid service intentions policy: &acl.ServiceRule{Name:"web", Policy:"read", Intentions:"list", EnterpriseRule:acl.EnterpriseRule{}}"#),
    (r#"service_prefix "w" { policy = "read" intentions = "maybe" }"#,
     r#"Invalid service_prefix intentions policy: &acl.ServiceRule{Name:"w", Policy:"read", Intentions:"maybe", EnterpriseRule:acl.EnterpriseRule{}}"#),
    (r#"session "n" { policy = "sure" }"#,
     r#"Invalid session policy: &acl.SessionRule{Node:"n", Policy:"sure"}"#),
    (r#"session_prefix "" { policy = "x" }"#,
     r#"Invalid session_prefix policy: &acl.SessionRule{Node:"", Policy:"x"}"#),
    (r#"event "e" { policy = "fire" }"#,
     r#"Invalid event policy: &acl.EventRule{Event:"e", Policy:"fire"}"#),
    (r#"event_prefix "" { policy = "fire" }"#,
     r#"Invalid event_prefix policy: &acl.EventRule{Event:"", Policy:"fire"}"#),
    (r#"query "q" { policy = "exec" }"#,
     r#"Invalid query policy: &acl.PreparedQueryRule{Prefix:"q", Policy:"exec"}"#),
    (r#"query_prefix "" { policy = "exec" }"#,
     r#"Invalid query_prefix policy: &acl.PreparedQueryRule{Prefix:"", Policy:"exec"}"#),
    (r#"acl = "list""#, r#"Invalid acl policy: "list""#),
    (r#"acl = "manage""#, r#"Invalid acl policy: "manage""#),
    (r#"keyring = "nope""#, r#"Invalid keyring policy: "nope""#),
    (r#"operator = "nope""#, r#"Invalid operator policy: "nope""#),
    // A number where a level goes is taken as its text, then refused.
    (r#"operator = 5"#, r#"Invalid operator policy: "5""#),
    (r#"key "a" { policy = 1 }"#,
     r#"Invalid key policy: &acl.KeyRule{Prefix:"a", Policy:"1", EnterpriseRule:acl.EnterpriseRule{}}"#),
    // A rule without a level.
    (r#"key "a" {}"#,
     r#"Invalid key policy: &acl.KeyRule{Prefix:"a", Policy:"", EnterpriseRule:acl.EnterpriseRule{}}"#),
    // Labels quoted as Go quotes them.
    (r#"key "a\"b" { policy = "x" }"#,
     r#"Invalid key policy: &acl.KeyRule{Prefix:"a\"b", Policy:"x", EnterpriseRule:acl.EnterpriseRule{}}"#),
    (r#"key "a\nb" { policy = "x" }"#,
     r#"Invalid key policy: &acl.KeyRule{Prefix:"a\nb", Policy:"x", EnterpriseRule:acl.EnterpriseRule{}}"#),
    // The first invalid rule in Consul's order: acl first, operator last.
    ("acl = \"bad\"\nkey \"a\" { policy = \"bad\" }", r#"Invalid acl policy: "bad""#),
    ("operator = \"bad\"\nkey \"a\" { policy = \"bad\" }",
     r#"Invalid key policy: &acl.KeyRule{Prefix:"a", Policy:"bad", EnterpriseRule:acl.EnterpriseRule{}}"#),
    ("key \"a\" { policy = \"read\" }\nkey \"b\" { policy = \"bad\" }",
     r#"Invalid key policy: &acl.KeyRule{Prefix:"b", Policy:"bad", EnterpriseRule:acl.EnterpriseRule{}}"#),
    // JSON rules, same messages.
    (r#"{"key": {"a": {"policy": "foo"}}}"#,
     r#"Invalid key policy: &acl.KeyRule{Prefix:"a", Policy:"foo", EnterpriseRule:acl.EnterpriseRule{}}"#),
    (r#"{"key": [{"a": {"policy": "nope"}}]}"#,
     r#"Invalid key policy: &acl.KeyRule{Prefix:"a", Policy:"nope", EnterpriseRule:acl.EnterpriseRule{}}"#),
    (r#"  {"keyring": "nope"}"#, r#"Invalid keyring policy: "nope""#),
];

/// Rules Consul cannot decode: syntax errors and values of the wrong type.
const UNPARSABLE: &[&str] = &[
    r#"key "a" { policy = "read" "#,
    r#"key "a" { policy = read }"#,
    r#"key = "read""#,
    r#"key "a" = "read""#,
    r#"key "a" { policy = ["read"] }"#,
    r#"key "a" { policy = true }"#,
    r#"operator = ["read"]"#,
    r#"operator { policy = "read" }"#,
    r#"{"key": "read"}"#,
    r#"{"operator": ["read"]}"#,
    r#"[1,2]"#,
    r#""just a string""#,
    r#"key "a" { policy = "read" } }"#,
    "=",
    "\u{0}",
    // Labels then `=`, and commas other than one after an item.
    r#"key "a" = { policy = "write" }"#,
    r#"service "web" { p"deny"olicy = "write" }"#,
    r#", key_prefix "" { policy = "write" }"#,
    r#"key_prefix "" { policy = "write" },, operator = "read""#,
];

/// Rules Consul 1.10 OSS accepts although they look wrong: unknown resources
/// (later versions' `mesh`, Enterprise's `namespace`, typos) are ignored,
/// empty single-valued levels mean "none", levels ignore case.
const ACCEPTED: &[&str] = &[
    r#"foo "bar" { policy = "read" }"#,
    r#"mesh = "write""#,
    r#"namespace "ns" { policy = "write" }"#,
    r#"partition "p" { policy = "write" }"#,
    r#"keyring = """#,
    r#"operator = """#,
    r#"operator = "WRITE""#,
    r#"key "a" { policy = "LIST" }"#,
    "# only a comment",
    "",
    // One comma may follow each item, at the top level and in blocks.
    r#"service "web" { policy = "read", intentions = "write", }, key "a" { policy = "read" },"#,
];

#[test]
fn invalid_levels_are_refused_with_consuls_message() {
    for (rules, want) in INVALID {
        match Policy::parse(rules) {
            Err(e @ RulesError::Invalid(_)) => assert_eq!(e.to_string(), *want, "{rules}"),
            other => panic!("{rules}: {other:?}, want {want}"),
        }
    }
}

#[test]
fn undecodable_rules_fail_to_parse() {
    for rules in UNPARSABLE {
        match Policy::parse(rules) {
            Err(e @ RulesError::Parse(_)) => {
                let text = e.to_string();
                assert!(
                    text.starts_with("Failed to parse ACL rules: ") && text.len() > 27,
                    "{rules:?}: {text}"
                );
                assert!(!text.contains('\n'), "{rules:?}: one line: {text}");
            }
            other => panic!("{rules:?}: {other:?}, want a parse error"),
        }
    }
}

#[test]
fn syntax_errors_say_where() {
    let e = Policy::parse("key \"a\" {\n  policy = read\n}").unwrap_err();
    assert!(
        e.to_string()
            .starts_with("Failed to parse ACL rules: At 2:"),
        "{e}"
    );
}

#[test]
fn what_consul_accepts_parses() {
    for rules in ACCEPTED {
        if let Err(e) = Policy::parse(rules) {
            panic!("{rules:?}: {e}");
        }
    }
    // Ignored resources grant nothing.
    assert_eq!(
        Policy::parse(r#"mesh = "write" foo "x" { policy = "write" }"#).unwrap(),
        Policy::default()
    );
}
