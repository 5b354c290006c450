//! KV API against a real agent: `/v1/kv/<key>` reads, writes, CAS, recursion,
//! keys with a separator, size limits and blocking queries.

#[path = "../common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use base64::Engine;
use common::*;

fn b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}

#[test]
fn put_then_get_returns_consul_shaped_entry() {
    let (_ip, agent) = dev_agent();
    assert_eq!(
        put_ok(&agent, "/v1/kv/app/config?flags=42", "hello"),
        "true"
    );
    let v = get_json(&agent, "/v1/kv/app/config");
    let e = &v[0];
    assert_eq!(e["Key"], "app/config");
    assert_eq!(e["Value"], b64("hello"));
    assert_eq!(e["Flags"], 42);
    assert_eq!(e["LockIndex"], 0);
    assert!(e["CreateIndex"].as_u64().unwrap() > 0);
    assert_eq!(e["CreateIndex"], e["ModifyIndex"]);
    assert!(e.get("Session").is_none(), "Session is omitted when empty");

    // raw returns the bytes themselves
    let (status, raw) = call(&agent, "GET", "/v1/kv/app/config?raw", None);
    assert_eq!((status, raw.as_str()), (200, "hello"));

    // an update keeps CreateIndex and moves ModifyIndex
    put_ok(&agent, "/v1/kv/app/config", "world");
    let e2 = get_json(&agent, "/v1/kv/app/config")[0].clone();
    assert_eq!(e2["CreateIndex"], e["CreateIndex"]);
    assert!(e2["ModifyIndex"].as_u64() > e["ModifyIndex"].as_u64());
    assert_eq!(e2["Flags"], 0);

    // an empty value is null
    put_ok(&agent, "/v1/kv/empty", "");
    assert!(get_json(&agent, "/v1/kv/empty")[0]["Value"].is_null());
}

#[test]
fn missing_key_is_404_with_empty_body_and_an_index() {
    let (_ip, agent) = dev_agent();
    let (status, headers, body) = http("GET", &agent.url("/v1/kv/nope"), None).unwrap();
    assert_eq!(status, 404);
    assert!(body.is_empty());
    let idx: u64 = header(&headers, "X-Consul-Index").unwrap().parse().unwrap();
    assert!(idx >= 1, "X-Consul-Index is never 0");
    assert_eq!(header(&headers, "X-Consul-KnownLeader"), Some("true"));
}

#[test]
fn cas_writes_only_at_the_expected_index() {
    let (_ip, agent) = dev_agent();
    assert_eq!(
        put_ok(&agent, "/v1/kv/lock?cas=0", "a"),
        "true",
        "cas=0 creates an absent key"
    );
    assert_eq!(
        put_ok(&agent, "/v1/kv/lock?cas=0", "b"),
        "false",
        "cas=0 refuses an existing key"
    );
    let idx = get_json(&agent, "/v1/kv/lock")[0]["ModifyIndex"]
        .as_u64()
        .unwrap();
    assert_eq!(
        put_ok(&agent, &format!("/v1/kv/lock?cas={}", idx + 100), "c"),
        "false"
    );
    assert_eq!(
        put_ok(&agent, &format!("/v1/kv/lock?cas={idx}"), "d"),
        "true"
    );
    assert_eq!(get_json(&agent, "/v1/kv/lock")[0]["Value"], b64("d"));

    let idx = get_json(&agent, "/v1/kv/lock")[0]["ModifyIndex"]
        .as_u64()
        .unwrap();
    let (s, t) = call(
        &agent,
        "DELETE",
        &format!("/v1/kv/lock?cas={}", idx - 1),
        None,
    );
    assert_eq!((s, t.as_str()), (200, "false"));
    let (s, t) = call(&agent, "DELETE", &format!("/v1/kv/lock?cas={idx}"), None);
    assert_eq!((s, t.as_str()), (200, "true"));
    assert_eq!(call(&agent, "GET", "/v1/kv/lock", None).0, 404);
}

#[test]
fn recurse_keys_separator_and_recursive_delete() {
    let (_ip, agent) = dev_agent();
    for k in [
        "web/a",
        "web/b",
        "web/sub/c",
        "web/sub/d",
        "webby",
        "other/x",
    ] {
        put_ok(&agent, &format!("/v1/kv/{k}"), k);
    }
    let all = get_json(&agent, "/v1/kv/web/?recurse");
    let keys: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["Key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["web/a", "web/b", "web/sub/c", "web/sub/d"]);

    let k = get_json(&agent, "/v1/kv/web/?keys&separator=/");
    assert_eq!(k, serde_json::json!(["web/a", "web/b", "web/sub/"]));
    let k = get_json(&agent, "/v1/kv/?keys&separator=/");
    assert_eq!(k, serde_json::json!(["other/", "web/", "webby"]));
    let k = get_json(&agent, "/v1/kv/web?keys");
    assert_eq!(k.as_array().unwrap().len(), 5);

    let (s, t) = call(&agent, "DELETE", "/v1/kv/web/?recurse", None);
    assert_eq!((s, t.as_str()), (200, "true"));
    assert_eq!(call(&agent, "GET", "/v1/kv/web/?recurse", None).0, 404);
    assert_eq!(get_json(&agent, "/v1/kv/webby")[0]["Key"], "webby");
    assert_eq!(call(&agent, "GET", "/v1/kv/nothing/?keys", None).0, 404);
}

#[test]
fn oversized_value_is_413_and_not_stored() {
    let (_ip, agent) = dev_agent();
    let big = vec![b'x'; 524_289];
    let (status, text) = call(&agent, "PUT", "/v1/kv/big", Some(&big));
    assert_eq!(status, 413, "{text}");
    assert!(text.contains("too large"), "{text}");
    assert_eq!(call(&agent, "GET", "/v1/kv/big", None).0, 404);
    let limit = vec![b'y'; 524_288];
    assert_eq!(
        call(&agent, "PUT", "/v1/kv/big", Some(&limit)),
        (200, "true".into())
    );
}

#[test]
fn missing_key_name_is_400() {
    let (_ip, agent) = dev_agent();
    let (status, text) = call(&agent, "PUT", "/v1/kv/", Some(b"x"));
    assert_eq!((status, text.as_str()), (400, "Missing key name"));
}

#[test]
fn blocking_get_wakes_on_its_key_and_not_on_others() {
    let (_ip, agent) = dev_agent();
    put_ok(&agent, "/v1/kv/watched", "1");
    let idx = index_of(&agent, "/v1/kv/watched");
    let url = agent.url(&format!("/v1/kv/watched?index={idx}&wait=20s"));
    let started = Instant::now();
    let waiter = std::thread::spawn(move || {
        let r = http("GET", &url, None).unwrap();
        (r, started.elapsed())
    });
    // Unrelated writes must not wake it.
    for i in 0..5 {
        put_ok(&agent, &format!("/v1/kv/unrelated/{i}"), "x");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(
        !waiter.is_finished(),
        "blocking query returned on an unrelated write"
    );
    put_ok(&agent, "/v1/kv/watched", "2");
    let ((status, headers, body), took) = waiter.join().unwrap();
    assert_eq!(status, 200);
    assert!(took < Duration::from_secs(15), "woke late: {took:?}");
    let new_idx: u64 = header(&headers, "X-Consul-Index").unwrap().parse().unwrap();
    assert!(new_idx > idx);
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v[0]["Value"], b64("2"));
}

#[test]
fn blocking_list_wakes_on_prefix_change_and_times_out_with_same_index() {
    let (_ip, agent) = dev_agent();
    put_ok(&agent, "/v1/kv/svc/a", "1");
    let idx = index_of(&agent, "/v1/kv/svc/?recurse");
    // Times out after `wait` (+ ≤1/16 jitter) with the same index.
    let started = Instant::now();
    let (status, headers, _) = http(
        "GET",
        &agent.url(&format!("/v1/kv/svc/?recurse&index={idx}&wait=1s")),
        None,
    )
    .unwrap();
    let took = started.elapsed();
    assert_eq!(status, 200);
    assert!(
        took >= Duration::from_millis(950),
        "returned before wait: {took:?}"
    );
    assert_eq!(
        header(&headers, "X-Consul-Index")
            .unwrap()
            .parse::<u64>()
            .unwrap(),
        idx
    );

    let url = agent.url(&format!("/v1/kv/svc/?recurse&index={idx}&wait=20s"));
    let waiter = std::thread::spawn(move || http("GET", &url, None).unwrap());
    std::thread::sleep(Duration::from_millis(200));
    put_ok(&agent, "/v1/kv/other", "x");
    std::thread::sleep(Duration::from_millis(300));
    assert!(!waiter.is_finished());
    // A delete under the prefix wakes it too.
    call(&agent, "DELETE", "/v1/kv/svc/a", None);
    let (status, headers, _) = waiter.join().unwrap();
    assert_eq!(status, 404);
    assert!(
        header(&headers, "X-Consul-Index")
            .unwrap()
            .parse::<u64>()
            .unwrap()
            > idx
    );
}
