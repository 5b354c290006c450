//! Transactions under ACLs, per operation as Consul: a write or a KV check
//! the token lacks fails that operation (409, its position, "Permission
//! denied", nothing applied); reads are filtered, not refused.

use serde_json::{json, Value};

use super::*;

fn kv(verb: &str, key: &str) -> Value {
    json!({"KV": {"Verb": verb, "Key": key, "Value": "dg=="}})
}

#[test]
fn transactions_check_each_operation_and_filter_reads() {
    let ip = reserve_ip();
    let a = acl_agent(&ip, &acl_hcl(""));
    wait_builtins(&a);
    policy(&a, "app-write", r#"key_prefix "app/" { policy = "write" }"#);
    let t = token(&a, &["app-write"]);
    assert_eq!(req(&a, "PUT", "/v1/kv/secret/y", ROOT, Some("s")).0, 200);

    let body = json!([kv("set", "app/a"), kv("set", "secret/x")]).to_string();
    let (s, b) = req(&a, "PUT", "/v1/txn", &t, Some(&body));
    assert_eq!(s, 409, "{b}");
    let v: Value = serde_json::from_str(&b).unwrap();
    assert_eq!(
        v["Errors"],
        json!([{"OpIndex": 1, "What": "Permission denied"}])
    );
    assert_eq!(
        req(&a, "GET", "/v1/kv/app/a", ROOT, None).0,
        404,
        "partly applied"
    );

    let body = json!([kv("set", "app/b")]).to_string();
    assert_eq!(req(&a, "PUT", "/v1/txn", &t, Some(&body)).0, 200);

    // Reads: the unreadable entry is left out of the results.
    let body = json!([kv("get", "app/b"), kv("get", "secret/y")]).to_string();
    let v = ok_json(&a, "PUT", "/v1/txn", &t, Some(&body));
    let keys: Vec<&str> = v["Results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["KV"]["Key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, vec!["app/b"]);
    // A check reveals the key: refused.
    let body = json!([{"KV": {"Verb": "check-not-exists", "Key": "secret/y"}}]).to_string();
    let (s, b) = req(&a, "PUT", "/v1/txn", &t, Some(&body));
    assert_eq!(s, 409, "{b}");
    assert!(b.contains("Permission denied"), "{b}");
}
