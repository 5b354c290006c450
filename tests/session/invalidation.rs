//! Every cause that invalidates a session, each in the write of its cause:
//! a bound check going critical, a bound check deregistered, the node
//! deregistered, destroy, and TTL expiry (after 2 × TTL without renewal).

use std::time::{Duration, Instant};

use serde_json::Value;

use super::common::*;
use super::{acquire, create_session, holder, session_exists};

fn entry(a: &Agent, key: &str) -> Value {
    get_json(a, &format!("/v1/kv/{key}"))[0].clone()
}

#[test]
fn a_bound_check_going_critical_releases_the_locks() {
    let (_ip, a) = dev_agent();
    put_ok(
        &a,
        "/v1/agent/check/register",
        r#"{"Name":"c2","TTL":"100s","Status":"passing"}"#,
    );
    assert!(wait_until(Duration::from_secs(10), || {
        call(
            &a,
            "PUT",
            "/v1/session/create",
            Some(br#"{"NodeChecks":["serfHealth","c2"]}"#),
        )
        .0 == 200
    }));
    let s = create_session(&a, r#"{"NodeChecks":["serfHealth","c2"]}"#);
    assert!(acquire(&a, "svc/leader", &s));
    let held = entry(&a, "svc/leader");
    assert_eq!(
        (held["Session"].as_str(), held["LockIndex"].as_u64()),
        (Some(s.as_str()), Some(1))
    );
    put_ok(&a, "/v1/agent/check/fail/c2", "");
    assert!(
        wait_until(Duration::from_secs(10), || !session_exists(&a, &s)),
        "session outlived its critical check"
    );
    // Released in the same write: the value and LockIndex stay, Session goes.
    let e = entry(&a, "svc/leader");
    assert!(e.get("Session").is_none(), "{e}");
    assert_eq!(
        (e["LockIndex"].as_u64(), e["Value"].as_str()),
        (Some(1), Some("aGVsZA=="))
    );
    assert!(e["ModifyIndex"].as_u64() > held["ModifyIndex"].as_u64());
}

#[test]
fn deregistering_a_bound_check_or_the_node_invalidates() {
    let (_ip, a) = dev_agent();
    put_ok(
        &a,
        "/v1/agent/check/register",
        r#"{"Name":"c3","TTL":"100s","Status":"passing"}"#,
    );
    assert!(wait_until(Duration::from_secs(10), || {
        call(
            &a,
            "PUT",
            "/v1/session/create",
            Some(br#"{"NodeChecks":["c3"]}"#),
        )
        .0 == 200
    }));
    // Behavior=delete: the locked key goes with the session.
    let s = create_session(&a, r#"{"NodeChecks":["c3"],"Behavior":"delete"}"#);
    assert!(acquire(&a, "doomed", &s));
    put_ok(&a, "/v1/agent/check/deregister/c3", "");
    assert!(wait_until(Duration::from_secs(10), || !session_exists(
        &a, &s
    )));
    assert_eq!(
        holder(&a, "doomed"),
        None,
        "Behavior=delete deletes the key"
    );

    // A session on another node dies with the node's deregistration.
    put_ok(
        &a,
        "/v1/catalog/register",
        r#"{"Node":"ext","Address":"10.0.0.9"}"#,
    );
    let s = create_session(&a, r#"{"Node":"ext","Checks":[]}"#);
    assert_eq!(
        get_json(&a, "/v1/session/node/ext")
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert!(acquire(&a, "ext/lock", &s));
    put_ok(&a, "/v1/catalog/deregister", r#"{"Node":"ext"}"#);
    assert!(!session_exists(&a, &s));
    assert_eq!(holder(&a, "ext/lock").as_deref(), Some(""));
}

#[test]
fn an_unrenewed_ttl_session_expires_after_twice_its_ttl_and_a_renewed_one_lives() {
    let (_ip, a) = dev_agent();
    let start = Instant::now();
    let lapsing = create_session(&a, r#"{"TTL":"10s","LockDelay":0}"#);
    let renewed = create_session(&a, r#"{"TTL":"10s"}"#);
    assert!(acquire(&a, "ttl/lock", &lapsing));
    let mut gone_at = None;
    let expired = wait_until(Duration::from_secs(45), || {
        put_ok(&a, &format!("/v1/session/renew/{renewed}"), "");
        if !session_exists(&a, &lapsing) {
            gone_at = Some(start.elapsed());
            return true;
        }
        std::thread::sleep(Duration::from_millis(500));
        false
    });
    assert!(expired, "the TTL session never expired");
    let took = gone_at.unwrap();
    // Never before the TTL; by Consul's promise within 2 × TTL (+ slack).
    assert!(took >= Duration::from_secs(10), "expired early: {took:?}");
    assert!(took <= Duration::from_secs(25), "expired late: {took:?}");
    assert!(session_exists(&a, &renewed), "a renewed session must live");
    assert_eq!(
        holder(&a, "ttl/lock").as_deref(),
        Some(""),
        "its lock is released"
    );
    // With no lock-delay the key can be taken at once by another session.
    assert!(acquire(&a, "ttl/lock", &renewed));
}
