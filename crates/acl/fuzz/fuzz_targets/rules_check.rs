//! The property of the `rules` fuzz target, shared with the normal test
//! suite (`crates/acl/tests/rules_fuzz.rs` includes this file): any text
//! given as ACL rules never panics the parser or the authorizer built from
//! it; a refusal is one line of Consul's kind; an accepted policy parses the
//! same way again, means the same as HCL and as the equivalent JSON, and
//! the authorizer built from it answers each exact and prefix rule's own
//! name with that rule's level.

use consul_acl::{
    merge_policies, Access, Authorize, Authorizer, Decision, Policy, PolicyAuthorizer, Rule,
    RulesError, StaticAuthorizer,
};
use consul_types::hcl::parse_hcl;

/// Checks `data` as rules text three ways: as given (JSON when it starts
/// with `{`, else HCL), forced through the HCL decoder (a comment line in
/// front), and as the body of a JSON object. Returns whether the text as
/// given parsed.
pub fn check_bytes(data: &[u8]) -> bool {
    let text = String::from_utf8_lossy(data);
    let parsed = check_text(&text);
    check_text(&format!("#\n{text}"));
    if !text.trim_start().starts_with('{') {
        check_text(&format!("{{{text}}}"));
    }
    parsed
}

/// Checks one rules text; returns whether it parsed.
pub fn check_text(text: &str) -> bool {
    let policy = match Policy::parse(text) {
        Ok(p) => p,
        Err(e) => {
            let msg = e.to_string();
            assert!(!msg.contains('\n'), "a refusal is one line: {msg:?}");
            match e {
                RulesError::Parse(_) => assert!(msg.starts_with("Failed to parse ACL rules: ")),
                RulesError::Invalid(_) => assert!(msg.starts_with("Invalid "), "{msg}"),
            }
            return false;
        }
    };
    assert_eq!(
        Policy::parse(text).as_ref(),
        Ok(&policy),
        "parsing is deterministic"
    );
    if !text.is_empty() && !text.trim_start().starts_with('{') {
        // The same document as JSON means the same policy.
        let doc = parse_hcl(text).expect("the rules parsed, so the HCL does");
        let json = serde_json::to_string(&doc).expect("HCL values serialise");
        assert_eq!(
            Policy::parse(&json).as_ref(),
            Ok(&policy),
            "as JSON: {json}"
        );
    }
    exercise(&policy);
    true
}

/// What a rule of level `rule` answers for `required` (Consul's `enforce`).
fn grants(rule: Access, required: Access) -> Decision {
    let ok = match rule {
        Access::Write => true,
        Access::List => matches!(required, Access::List | Access::Read),
        Access::Read => required == Access::Read,
        Access::Deny => false,
    };
    if ok {
        Decision::Allow
    } else {
        Decision::Deny
    }
}

/// One resource's checks by name, paired with the access each needs.
type Checks = &'static [(Access, fn(&PolicyAuthorizer, &str) -> Decision)];

const KEY: Checks = &[
    (Access::Read, |a, s| a.key_read(s)),
    (Access::List, |a, s| a.key_list(s)),
    (Access::Write, |a, s| a.key_write(s)),
];
const NODE: Checks = &[
    (Access::Read, |a, s| a.node_read(s)),
    (Access::Write, |a, s| a.node_write(s)),
];
const AGENT: Checks = &[
    (Access::Read, |a, s| a.agent_read(s)),
    (Access::Write, |a, s| a.agent_write(s)),
];
const SESSION: Checks = &[
    (Access::Read, |a, s| a.session_read(s)),
    (Access::Write, |a, s| a.session_write(s)),
];
const EVENT: Checks = &[
    (Access::Read, |a, s| a.event_read(s)),
    (Access::Write, |a, s| a.event_write(s)),
];
const QUERY: Checks = &[
    (Access::Read, |a, s| a.prepared_query_read(s)),
    (Access::Write, |a, s| a.prepared_query_write(s)),
];
const SERVICE: Checks = &[
    (Access::Read, |a, s| a.service_read(s)),
    (Access::Write, |a, s| a.service_write(s)),
];

/// Each exact rule decides its own name; so does each prefix rule with no
/// exact rule beside it (it is the longest prefix of its own name).
fn own_names_follow_rules(
    authz: &PolicyAuthorizer,
    exact: &[Rule],
    prefix: &[Rule],
    checks: Checks,
) {
    for r in exact {
        for (required, ask) in checks {
            assert_eq!(
                ask(authz, &r.segment),
                grants(r.access, *required),
                "exact {r:?}"
            );
        }
    }
    for r in prefix
        .iter()
        .filter(|p| exact.iter().all(|e| e.segment != p.segment))
    {
        for (required, ask) in checks {
            assert_eq!(
                ask(authz, &r.segment),
                grants(r.access, *required),
                "prefix {r:?}"
            );
        }
    }
}

/// Names to ask about: the policy's own segments, some near them, and a few
/// fixed ones (the catch-all `""` and the wildcard `*` among them).
fn names(p: &Policy) -> Vec<String> {
    let lists = [
        &p.agents,
        &p.agent_prefixes,
        &p.events,
        &p.event_prefixes,
        &p.keys,
        &p.key_prefixes,
        &p.nodes,
        &p.node_prefixes,
        &p.queries,
        &p.query_prefixes,
        &p.sessions,
        &p.session_prefixes,
    ];
    let mut out: Vec<String> = ["", "*", "a", "web", "foo/bar"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let own = lists
        .iter()
        .flat_map(|l| l.iter().map(|r| r.segment.as_str()))
        .chain(p.services.iter().map(|r| r.segment.as_str()))
        .chain(p.service_prefixes.iter().map(|r| r.segment.as_str()));
    for s in own.take(16) {
        let half: String = s.chars().take(s.chars().count() / 2).collect();
        out.extend([s.to_string(), format!("{s}x"), format!("{s}/"), half]);
    }
    out
}

/// Every question, of the token's authorizer alone and chained with each
/// default: none panics, and the chain always decides.
fn exercise(p: &Policy) {
    let alone = PolicyAuthorizer::new([p]);
    let chains = [
        StaticAuthorizer::AllowAll,
        StaticAuthorizer::DenyAll,
        StaticAuthorizer::ManageAll,
    ]
    .map(|d| Authorizer::from_policies([p], d));
    let names = names(p);
    let ask_all = |a: &dyn Authorize, chained: bool| {
        let mut answers = vec![
            a.acl_read(),
            a.acl_write(),
            a.intention_default_allow(),
            a.keyring_read(),
            a.keyring_write(),
            a.node_read_all(),
            a.operator_read(),
            a.operator_write(),
            a.service_read_all(),
            a.snapshot(),
        ];
        for s in &names {
            answers.extend([
                a.agent_read(s),
                a.agent_write(s),
                a.event_read(s),
                a.event_write(s),
                a.intention_read(s),
                a.intention_write(s),
                a.key_list(s),
                a.key_read(s),
                a.key_write(s),
                a.key_write_prefix(s),
                a.node_read(s),
                a.node_write(s),
                a.prepared_query_read(s),
                a.prepared_query_write(s),
                a.service_read(s),
                a.service_write(s),
                a.session_read(s),
                a.session_write(s),
            ]);
        }
        if chained {
            assert!(
                answers.iter().all(|d| *d != Decision::Default),
                "a chain always decides"
            );
        }
    };
    ask_all(&alone, false);
    for c in &chains {
        ask_all(c, true);
    }

    let m = merge_policies([p]);
    own_names_follow_rules(&alone, &m.keys, &m.key_prefixes, KEY);
    own_names_follow_rules(&alone, &m.nodes, &m.node_prefixes, NODE);
    own_names_follow_rules(&alone, &m.agents, &m.agent_prefixes, AGENT);
    own_names_follow_rules(&alone, &m.sessions, &m.session_prefixes, SESSION);
    own_names_follow_rules(&alone, &m.events, &m.event_prefixes, EVENT);
    own_names_follow_rules(&alone, &m.queries, &m.query_prefixes, QUERY);
    let as_rules = |rs: &[consul_acl::ServiceRule]| -> Vec<Rule> {
        rs.iter()
            .map(|r| Rule::new(r.segment.clone(), r.access))
            .collect()
    };
    own_names_follow_rules(
        &alone,
        &as_rules(&m.services),
        &as_rules(&m.service_prefixes),
        SERVICE,
    );
    for r in m
        .services
        .iter()
        .filter(|r| r.segment != consul_acl::WILDCARD)
    {
        let want = grants(r.intention_access(), Access::Read);
        assert_eq!(
            alone.intention_read(&r.segment),
            want,
            "intentions of {r:?}"
        );
    }
    let single =
        |level: Option<Access>, required| level.map_or(Decision::Default, |l| grants(l, required));
    assert_eq!(alone.operator_read(), single(m.operator, Access::Read));
    assert_eq!(alone.operator_write(), single(m.operator, Access::Write));
    assert_eq!(alone.keyring_read(), single(m.keyring, Access::Read));
    assert_eq!(alone.acl_write(), single(m.acl, Access::Write));
    assert_eq!(alone.snapshot(), single(m.acl, Access::Write));
}
