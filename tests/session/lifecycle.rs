//! Create, read, renew and destroy, with Consul's defaults, JSON and errors.

use std::time::{Duration, Instant};

use serde_json::Value;

use super::common::*;
use super::{create_session, session_exists};

#[test]
fn create_read_renew_destroy_with_consuls_shapes() {
    let (_ip, a) = dev_agent();
    // An empty body is a valid create with Consul's defaults.
    let id = create_session(&a, "");
    let info = get_json(&a, &format!("/v1/session/info/{id}"));
    let s = &info[0];
    assert_eq!(s["ID"], id.as_str());
    assert_eq!(s["Node"], a.node.as_str());
    assert_eq!(s["LockDelay"], 15_000_000_000u64);
    assert_eq!(s["Behavior"], "release");
    assert_eq!(s["TTL"], "");
    assert_eq!(s["NodeChecks"], serde_json::json!(["serfHealth"]));
    assert_eq!(s["ServiceChecks"], Value::Null);
    assert!(s.get("Checks").is_none(), "{s}");
    let keys: Vec<&str> = s.as_object().unwrap().keys().map(|k| k.as_str()).collect();
    assert_eq!(keys.len(), 10, "{keys:?}");

    // A named one with a TTL, numeric lock delay (seconds) and delete behavior.
    let id2 = create_session(
        &a,
        r#"{"Name":"web-lock","TTL":"10s","LockDelay":20,"Behavior":"delete"}"#,
    );
    let list = get_json(&a, "/v1/session/list");
    assert_eq!(list.as_array().unwrap().len(), 2);
    let mine = get_json(&a, &format!("/v1/session/node/{}", a.node));
    assert_eq!(mine.as_array().unwrap().len(), 2);
    assert_eq!(
        get_json(&a, "/v1/session/node/nobody"),
        serde_json::json!([])
    );
    let s2 = &get_json(&a, &format!("/v1/session/info/{id2}"))[0];
    assert_eq!(
        (&s2["Name"], &s2["TTL"], &s2["LockDelay"], &s2["Behavior"]),
        (
            &Value::from("web-lock"),
            &Value::from("10s"),
            &Value::from(20_000_000_000u64),
            &Value::from("delete")
        )
    );

    // Renew answers the session in an array; an unknown one is a 404.
    let renewed: Value =
        serde_json::from_str(&put_ok(&a, &format!("/v1/session/renew/{id2}"), "")).unwrap();
    assert_eq!(renewed[0]["ID"], id2.as_str());
    let unknown = "00000000-0000-0000-0000-000000000000";
    assert_eq!(
        call(&a, "PUT", &format!("/v1/session/renew/{unknown}"), None),
        (404, format!("Session id '{unknown}' not found"))
    );
    // info on an unknown session: an empty list.
    assert_eq!(
        get_json(&a, &format!("/v1/session/info/{unknown}")),
        serde_json::json!([])
    );

    // A blocking list wakes on the destroy.
    let idx = index_of(&a, "/v1/session/list");
    let url = a.url(&format!("/v1/session/list?index={idx}&wait=20s"));
    let waiter = std::thread::spawn(move || {
        let start = Instant::now();
        let (_, headers, body) = http("GET", &url, None).unwrap();
        let index: u64 = header(&headers, "X-Consul-Index").unwrap().parse().unwrap();
        (start.elapsed(), index, body)
    });
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(put_ok(&a, &format!("/v1/session/destroy/{id}"), ""), "true");
    let (took, index, body) = waiter.join().unwrap();
    assert!(
        took < Duration::from_secs(15),
        "the blocking list did not wake: {took:?}"
    );
    assert!(index > idx);
    let after: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(after.as_array().unwrap().len(), 1);
    assert!(!session_exists(&a, &id));
    // Destroying an unknown session is fine.
    assert_eq!(
        put_ok(&a, &format!("/v1/session/destroy/{unknown}"), ""),
        "true"
    );
}

#[test]
fn bad_creates_fail_with_consuls_messages() {
    let (_ip, a) = dev_agent();
    let cases: &[(&str, u16, &str)] = &[
        (
            r#"{"TTL":"5s"}"#,
            500,
            "Invalid Session TTL '5000000000', must be between [10s=24h0m0s]",
        ),
        (
            r#"{"TTL":"25h"}"#,
            500,
            "Invalid Session TTL '90000000000000', must be between [10s=24h0m0s]",
        ),
        (
            r#"{"TTL":"abc"}"#,
            500,
            "Session TTL 'abc' invalid: time: invalid duration \"abc\"",
        ),
        (
            r#"{"Node":"nope"}"#,
            500,
            "apply failed: Missing node registration",
        ),
        (
            r#"{"Checks":["nope"]}"#,
            500,
            "apply failed: Missing check 'nope' registration",
        ),
        (
            r#"{"ServiceChecks":[{"ID":"svc"}]}"#,
            500,
            "apply failed: Missing check 'svc' registration",
        ),
        (
            r#"{"Behavior":"bogus"}"#,
            500,
            "Invalid Behavior setting 'bogus'",
        ),
        (
            r#"{"LockDelay":"bad"}"#,
            400,
            "Request decode failed: time: invalid duration \"bad\"",
        ),
        (r#"{"Node":""}"#, 500, "Must provide Node"),
    ];
    for (body, status, text) in cases {
        assert_eq!(
            call(&a, "PUT", "/v1/session/create", Some(body.as_bytes())),
            (*status, text.to_string()),
            "{body}"
        );
    }
    let (status, text) = call(&a, "PUT", "/v1/session/create", Some(b"{bad"));
    assert_eq!(status, 400);
    assert!(text.starts_with("Request decode failed: "), "{text}");
    // A critical check cannot back a new session.
    put_ok(
        &a,
        "/v1/agent/check/register",
        r#"{"Name":"c1","TTL":"100s"}"#,
    );
    assert_eq!(
        call(
            &a,
            "PUT",
            "/v1/session/create",
            Some(br#"{"Checks":["c1"]}"#)
        ),
        (
            500,
            "apply failed: Check 'c1' is in critical state".to_string()
        )
    );
    // Malformed IDs get memdb's lookup errors; empty ones a 400.
    assert_eq!(
        call(&a, "GET", "/v1/session/info/zz", None),
        (
            500,
            "failed session lookup: index error: UUID must be 36 characters".into()
        )
    );
    assert_eq!(
        call(&a, "PUT", "/v1/session/destroy/zz", None),
        (
            500,
            "apply failed: failed session lookup: index error: UUID must be 36 characters".into()
        )
    );
    assert_eq!(
        call(&a, "GET", "/v1/session/info/", None),
        (400, "Missing session".into())
    );
    assert_eq!(
        call(&a, "GET", "/v1/session/node/", None),
        (400, "Missing node name".into())
    );
    assert_eq!(call(&a, "GET", "/v1/session/create", None).0, 405);
}
