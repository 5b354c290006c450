//! ACL tables: bootstrap once, unique names and secrets, links kept true
//! across renames and deletes, blocking reads woken, snapshots round-trip.

mod common;

use common::Polled;
use consul_state::{Store, Table, TokenFilter, WatchSet};
use consul_types::acl::{AclPolicy, AclRequest, AclRole, AclToken, Link};
use consul_types::acl_auth::{AclAuthMethod, AclBindingRule};

fn policy(id: &str, name: &str) -> AclPolicy {
    AclPolicy {
        id: id.into(),
        name: name.into(),
        rules: r#"key_prefix "" { policy = "read" }"#.into(),
        ..Default::default()
    }
}

fn token(accessor: &str, secret: &str, policies: &[&str]) -> AclToken {
    AclToken {
        accessor_id: accessor.into(),
        secret_id: secret.into(),
        policies: policies
            .iter()
            .map(|p| Link {
                id: p.to_string(),
                name: String::new(),
            })
            .collect(),
        ..Default::default()
    }
}

fn get_token(s: &Store, accessor: &str) -> Option<AclToken> {
    s.snapshot()
        .acl_token_by_accessor(&mut WatchSet::new(), accessor)
        .1
}

#[test]
fn bootstrap_happens_once_unless_reset_names_it() {
    let s = Store::new();
    let boot = |index, reset| {
        s.acl_apply(
            index,
            &AclRequest::Bootstrap {
                token: token(&format!("a{index}"), &format!("s{index}"), &[]),
                reset_index: reset,
            },
        )
    };
    boot(3, 0).unwrap();
    assert_eq!(s.snapshot().acl_bootstrap_index(), 3);
    assert_eq!(
        boot(4, 0).unwrap_err().to_string(),
        "ACL bootstrap no longer allowed (reset index: 3)"
    );
    assert!(boot(5, 2).is_err(), "a stale reset index is refused");
    boot(6, 3).unwrap();
    assert_eq!(s.snapshot().acl_bootstrap_index(), 6);
    let found = s
        .snapshot()
        .acl_token_by_secret(&mut WatchSet::new(), "s6")
        .1;
    assert_eq!(found.unwrap().accessor_id, "a6");
}

#[test]
fn names_and_secrets_stay_unique_and_links_must_exist() {
    let s = Store::new();
    s.acl_apply(1, &AclRequest::PolicySet(vec![policy("p1", "kv-read")]))
        .unwrap();
    let dup = s.acl_apply(2, &AclRequest::PolicySet(vec![policy("p2", "kv-read")]));
    assert_eq!(
        dup.unwrap_err().to_string(),
        "Invalid Policy: A Policy with Name \"kv-read\" already exists"
    );
    let missing = s.acl_apply(2, &AclRequest::TokenSet(vec![token("a1", "s1", &["nope"])]));
    assert!(missing.is_err());
    s.acl_apply(3, &AclRequest::TokenSet(vec![token("a1", "s1", &["p1"])]))
        .unwrap();
    assert_eq!(get_token(&s, "a1").unwrap().policies[0].name, "kv-read");
    let stolen = s.acl_apply(4, &AclRequest::TokenSet(vec![token("a2", "s1", &[])]));
    assert!(stolen.is_err(), "a second token may not reuse a secret");
    let changed = s.acl_apply(4, &AclRequest::TokenSet(vec![token("a1", "other", &[])]));
    assert!(changed.is_err(), "a token's secret never changes");
    // A failed write changed nothing.
    assert_eq!(s.snapshot().table_index(Table::AclTokens), 3);
}

#[test]
fn renames_and_deletes_keep_links_true() {
    let s = Store::new();
    s.acl_apply(1, &AclRequest::PolicySet(vec![policy("p1", "old")]))
        .unwrap();
    let role = AclRole {
        id: "r1".into(),
        name: "ops".into(),
        policies: vec![Link {
            id: "p1".into(),
            name: String::new(),
        }],
        ..Default::default()
    };
    s.acl_apply(2, &AclRequest::RoleSet(vec![role])).unwrap();
    let mut t = token("a1", "s1", &["p1"]);
    t.roles.push(Link {
        id: "r1".into(),
        name: String::new(),
    });
    s.acl_apply(3, &AclRequest::TokenSet(vec![t])).unwrap();
    s.acl_apply(4, &AclRequest::PolicySet(vec![policy("p1", "new")]))
        .unwrap();
    let snap = s.snapshot();
    let mut ws = WatchSet::new();
    assert!(snap.acl_policy_by_name(&mut ws, "old").1.is_none());
    assert_eq!(
        snap.acl_policy_by_name(&mut ws, "new")
            .1
            .unwrap()
            .create_index,
        1
    );
    assert_eq!(get_token(&s, "a1").unwrap().policies[0].name, "new");
    assert_eq!(
        snap.acl_role_by_id(&mut ws, "r1").1.unwrap().policies[0].name,
        "new"
    );

    s.acl_apply(5, &AclRequest::PolicyDelete(vec!["p1".into()]))
        .unwrap();
    let t = get_token(&s, "a1").unwrap();
    assert!(t.policies.is_empty() && t.modify_index == 5);
    s.acl_apply(6, &AclRequest::RoleDelete(vec!["r1".into()]))
        .unwrap();
    assert!(get_token(&s, "a1").unwrap().roles.is_empty());
    s.acl_apply(7, &AclRequest::TokenDelete(vec!["a1".into()]))
        .unwrap();
    assert!(s
        .snapshot()
        .acl_token_by_secret(&mut WatchSet::new(), "s1")
        .1
        .is_none());
}

#[test]
fn token_lists_filter_and_block_on_the_tokens_table() {
    let s = Store::new();
    s.acl_apply(
        1,
        &AclRequest::PolicySet(vec![policy("p1", "a"), policy("p2", "b")]),
    )
    .unwrap();
    s.acl_apply(
        2,
        &AclRequest::TokenSet(vec![token("a1", "s1", &["p1"]), token("a2", "s2", &["p2"])]),
    )
    .unwrap();
    let snap = s.snapshot();
    let mut ws = WatchSet::new();
    let filter = TokenFilter {
        policy: "p2".into(),
        ..Default::default()
    };
    let (idx, list) = snap.acl_tokens(&mut ws, &filter);
    assert_eq!(
        (idx, list.len(), list[0].accessor_id.as_str()),
        (2, 1, "a2")
    );
    assert_eq!(snap.acl_index(), 2);
    let mut w = Polled::new(ws.wait(&s, snap.seq()));
    assert!(!w.ready());
    s.acl_apply(3, &AclRequest::PolicySet(vec![policy("p3", "c")]))
        .unwrap();
    assert!(!w.woken(), "a policy write does not wake a token list");
    s.acl_apply(4, &AclRequest::TokenDelete(vec!["a2".into()]))
        .unwrap();
    assert!(w.woken(), "a token delete wakes a token list");
}

#[test]
fn acl_tables_survive_a_snapshot() {
    let s = Store::new();
    s.acl_apply(1, &AclRequest::PolicySet(vec![policy("p1", "a")]))
        .unwrap();
    s.acl_apply(
        2,
        &AclRequest::Bootstrap {
            token: token("a1", "s1", &["p1"]),
            reset_index: 0,
        },
    )
    .unwrap();
    let copy = Store::new();
    copy.restore(&s.persist()).unwrap();
    let snap = copy.snapshot();
    let mut ws = WatchSet::new();
    assert_eq!(snap.acl_bootstrap_index(), 2);
    assert_eq!(
        snap.acl_token_by_secret(&mut ws, "s1")
            .1
            .unwrap()
            .accessor_id,
        "a1"
    );
    assert_eq!(snap.acl_policy_by_name(&mut ws, "a").1.unwrap().id, "p1");
    assert_eq!(snap.table_index(Table::AclTokens), 2);
}

fn method(name: &str) -> AclAuthMethod {
    AclAuthMethod {
        name: name.into(),
        kind: "jwt".into(),
        ..Default::default()
    }
}

fn rule(id: &str, method: &str) -> AclBindingRule {
    AclBindingRule {
        id: id.into(),
        auth_method: method.into(),
        bind_type: "service".into(),
        bind_name: "web".into(),
        ..Default::default()
    }
}

#[test]
fn deleting_an_auth_method_takes_its_rules_and_login_tokens_along() {
    let s = Store::new();
    s.acl_apply(
        1,
        &AclRequest::AuthMethodSet(vec![method("m1"), method("m2")]),
    )
    .unwrap();
    // A rule for a method that does not exist is refused.
    assert!(s
        .acl_apply(2, &AclRequest::BindingRuleSet(vec![rule("r0", "nope")]))
        .is_err());
    s.acl_apply(
        2,
        &AclRequest::BindingRuleSet(vec![rule("r1", "m1"), rule("r2", "m2")]),
    )
    .unwrap();
    let mut login = token("a1", "s1", &[]);
    login.auth_method = "m1".into();
    s.acl_apply(
        3,
        &AclRequest::TokenSet(vec![login, token("a2", "s2", &[])]),
    )
    .unwrap();
    // An update keeps its create index.
    s.acl_apply(4, &AclRequest::AuthMethodSet(vec![method("m1")]))
        .unwrap();
    let snap = s.snapshot();
    let mut ws = WatchSet::new();
    let m1 = snap.acl_auth_method(&mut ws, "m1").1.unwrap();
    assert_eq!((m1.create_index, m1.modify_index), (1, 4));

    s.acl_apply(5, &AclRequest::AuthMethodDelete(vec!["m1".into()]))
        .unwrap();
    let snap = s.snapshot();
    assert!(snap.acl_auth_method(&mut ws, "m1").1.is_none());
    let rules: Vec<String> = snap
        .acl_binding_rules(&mut ws, "")
        .1
        .into_iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(rules, vec!["r2".to_string()]);
    assert!(
        get_token(&s, "a1").is_none(),
        "login token outlived its method"
    );
    assert!(get_token(&s, "a2").is_some());
    assert_eq!(snap.table_index(Table::AclBindingRules), 5);

    let copy = Store::new();
    copy.restore(&s.persist()).unwrap();
    let snap = copy.snapshot();
    assert!(snap.acl_auth_method(&mut ws, "m2").1.is_some());
    assert_eq!(
        snap.acl_binding_rule(&mut ws, "r2").1.unwrap().auth_method,
        "m2"
    );
}
