//! `PUT /v1/txn` against real agents: mixed KV and catalog operations
//! applied together, 409 rollback with each failed operation's index,
//! Consul's limits (operations, request length, value size), transactions
//! of reads only served without a Raft write, and the client-agent path.

#[path = "../common/mod.rs"]
mod common;

use std::time::Duration;

use base64::Engine;
use common::*;
use serde_json::{json, Value};

fn b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}

/// PUT /v1/txn`query` with `ops`; status, headers and the JSON body (Null
/// when the body is not JSON, e.g. a text error).
fn txn(agent: &Agent, query: &str, ops: &Value) -> (u16, Vec<(String, String)>, Value) {
    txn_raw(agent, query, ops.to_string().as_bytes())
}

fn txn_raw(agent: &Agent, query: &str, body: &[u8]) -> (u16, Vec<(String, String)>, Value) {
    let (status, headers, body) =
        http("PUT", &agent.url(&format!("/v1/txn{query}")), Some(body)).expect("request");
    let v = serde_json::from_slice(&body)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&body).into_owned()));
    (status, headers, v)
}

fn kv(verb: &str, key: &str) -> Value {
    json!({"KV": {"Verb": verb, "Key": key}})
}

/// Raft's view of the state: the KV tables' index.
fn kv_index(agent: &Agent) -> u64 {
    index_of(agent, "/v1/kv/?keys")
}

#[test]
fn mixed_verbs_apply_atomically_and_answer_like_their_endpoints() {
    let (_ip, agent) = dev_agent();
    put_ok(&agent, "/v1/kv/old/one", "1");
    put_ok(&agent, "/v1/kv/old/two", "2");
    let ops = json!([
        {"KV": {"Verb": "set", "Key": "app/a", "Value": b64("alpha"), "Flags": 9}},
        {"KV": {"Verb": "cas", "Key": "app/b", "Value": b64("beta"), "Index": 0}},
        {"KV": {"Verb": "get", "Key": "app/a"}},
        {"KV": {"Verb": "check-not-exists", "Key": "app/c"}},
        {"KV": {"Verb": "delete-tree", "Key": "old/"}},
        {"Node": {"Verb": "set", "Node": {"Node": "txn-node", "Address": "10.1.2.3"}}},
        {"Service": {"Verb": "set", "Node": "txn-node", "Service": {"Service": "web", "Port": 8080, "Tags": ["v1"]}}},
        {"Check": {"Verb": "set", "Check": {"Node": "txn-node", "CheckID": "web-up", "Name": "web-up", "ServiceID": "web", "Status": "passing"}}},
        {"Node": {"Verb": "get", "Node": {"Node": "txn-node"}}}
    ]);
    let (status, _, body) = txn(&agent, "", &ops);
    assert_eq!(status, 200, "{body}");
    assert!(body["Errors"].is_null(), "{body}");
    let results = body["Results"].as_array().unwrap();
    assert_eq!(results.len(), 7, "{body}");
    // A write answers its entry without the value; a get with it.
    assert_eq!(results[0]["KV"]["Key"], "app/a");
    assert!(results[0]["KV"]["Value"].is_null());
    assert_eq!(results[0]["KV"]["Flags"], 9);
    assert_eq!(results[2]["KV"]["Value"], b64("alpha"));
    let index = results[0]["KV"]["ModifyIndex"].as_u64().unwrap();
    // One Raft entry: every write carries the same index.
    assert_eq!(results[1]["KV"]["ModifyIndex"], index);
    assert_eq!(results[3]["Node"]["ModifyIndex"], index);
    assert_eq!(results[4]["Service"]["ID"], "web");
    assert_eq!(results[4]["Service"]["Port"], 8080);
    assert_eq!(results[5]["Check"]["ServiceName"], "web");
    assert_eq!(results[6]["Node"]["Address"], "10.1.2.3");

    // The single-object endpoints see all of it.
    assert_eq!(get_json(&agent, "/v1/kv/app/b")[0]["Value"], b64("beta"));
    assert_eq!(call(&agent, "GET", "/v1/kv/old/?recurse", None).0, 404);
    let svc = get_json(&agent, "/v1/catalog/service/web");
    assert_eq!(svc[0]["Node"], "txn-node");
    assert_eq!(svc[0]["ServiceTags"], json!(["v1"]));
    let health = get_json(&agent, "/v1/health/checks/web");
    assert_eq!(health[0]["Status"], "passing");
}

#[test]
fn any_failed_operation_rolls_back_everything_with_its_op_index() {
    let (_ip, agent) = dev_agent();
    put_ok(&agent, "/v1/kv/held", "v");
    let modify = get_json(&agent, "/v1/kv/held")[0]["ModifyIndex"]
        .as_u64()
        .unwrap();
    let before = kv_index(&agent);
    let ops = json!([
        {"KV": {"Verb": "set", "Key": "never", "Value": b64("x")}},
        {"KV": {"Verb": "delete", "Key": "held"}},
        {"KV": {"Verb": "cas", "Key": "held", "Value": b64("y"), "Index": modify + 100}},
        {"Node": {"Verb": "set", "Node": {"Node": "n-never", "Address": "10.0.0.9"}}},
        {"KV": {"Verb": "check-index", "Key": "other", "Index": 1}}
    ]);
    let (status, _, body) = txn(&agent, "", &ops);
    assert_eq!(status, 409, "{body}");
    assert!(body["Results"].is_null(), "{body}");
    assert_eq!(
        body["Errors"],
        json!([
            {"OpIndex": 2, "What": "failed to set key \"held\", index is stale"},
            {"OpIndex": 4, "What": "failed to check index, key \"other\" doesn't exist"}
        ])
    );
    // Nothing was applied: the deleted key is there, the new ones are not.
    assert_eq!(get_json(&agent, "/v1/kv/held")[0]["ModifyIndex"], modify);
    assert_eq!(call(&agent, "GET", "/v1/kv/never", None).0, 404);
    assert!(get_json(&agent, "/v1/catalog/node/n-never").is_null());
    assert_eq!(kv_index(&agent), before);

    // Pre-checks refuse before Raft, with the same shape.
    let (status, _, body) = txn(&agent, "", &json!([kv("set", ""), kv("set", "fine")]));
    assert_eq!(status, 409);
    assert_eq!(
        body["Errors"],
        json!([{"OpIndex": 0, "What": "Must provide key"}])
    );
    assert_eq!(call(&agent, "GET", "/v1/kv/fine", None).0, 404);
}

#[test]
fn limits_answer_413_and_malformed_bodies_400() {
    let (_ip, agent) = dev_agent();

    // 128 operations pass (Consul's limit), 129 do not.
    let many = |n: usize| -> Value {
        Value::Array(
            (0..n)
                .map(|i| kv("check-not-exists", &format!("k{i}")))
                .collect(),
        )
    };
    let (status, _, body) = txn(&agent, "", &many(128));
    assert_eq!(status, 200, "{body}");
    let (status, _, body) = txn(&agent, "", &many(129));
    assert_eq!(status, 413, "{body}");
    assert_eq!(
        body,
        json!("Transaction contains too many operations (129 > 128)")
    );

    // The request length: txn_max_req_len, or kv_max_value_size (512 KiB by
    // default) when that is larger, as in Consul.
    let big = format!(
        r#"[{{"KV": {{"Verb": "set", "Key": "k", "Value": "{}"}}}}]"#,
        "A".repeat(600 * 1024)
    );
    let (status, _, body) = txn_raw(&agent, "", big.as_bytes());
    assert_eq!(status, 413);
    let want = format!(
        "Request body({} bytes) too large, max size: 524288 bytes. See \
         https://www.consul.io/docs/agent/options.html#txn_max_req_len.",
        big.len()
    );
    assert_eq!(body, json!(want));
    assert_eq!(call(&agent, "GET", "/v1/kv/k", None).0, 404);

    // Malformed bodies and unknown verbs are 400 with a one-line reason.
    for (bad, why) in [
        ("", "Failed to parse body: EOF"),
        ("nonsense", "Failed to parse body:"),
        (r#"{"KV": {}}"#, "Failed to parse body:"),
        (r#"[null]"#, "Failed to parse body:"),
        (
            r#"[{"KV": {"Verb": "set", "Key": "a", "Value": "%%"}}]"#,
            "Failed to parse body:",
        ),
        (
            r#"[{"KV": {"Verb": "bogus", "Key": "a"}}]"#,
            r#"operation 0: unknown KV verb "bogus""#,
        ),
        (
            r#"[{"Node": {"Verb": "get-tree", "Node": {"Node": "n"}}}]"#,
            r#"unknown Node verb "get-tree""#,
        ),
    ] {
        let (status, _, body) = txn_raw(&agent, "", bad.as_bytes());
        assert_eq!(status, 400, "{bad}: {body}");
        assert!(body.as_str().unwrap().contains(why), "{bad}: {body}");
    }
    // The agent is still serving and stored nothing.
    assert_eq!(call(&agent, "GET", "/v1/kv/a", None).0, 404);
}

#[test]
fn the_operation_limit_is_configurable() {
    let ip = reserve_ip();
    let mut agent = AgentBuilder::new(bin(), ip.ip())
        .dev(true)
        .arg("-hcl")
        .arg("limits { txn_max_ops = 2 }")
        .start()
        .expect("agent starts");
    agent.wait_ready(Duration::from_secs(30)).expect("ready");
    let (status, _, _) = txn(&agent, "", &json!([kv("set", "a"), kv("set", "b")]));
    assert_eq!(status, 200);
    let (status, _, body) = txn(
        &agent,
        "",
        &json!([kv("set", "a"), kv("set", "b"), kv("set", "c")]),
    );
    assert_eq!(status, 413);
    assert_eq!(
        body,
        json!("Transaction contains too many operations (3 > 2)")
    );
}

#[test]
fn a_transaction_of_reads_is_served_without_a_raft_write() {
    let (_ip, agent) = dev_agent();
    put_ok(&agent, "/v1/kv/r/a", "1");
    put_ok(&agent, "/v1/kv/r/b", "2");
    let before = kv_index(&agent);
    // get-tree answers both entries, check-index one, check-not-exists none.
    let ops = json!([
        {"KV": {"Verb": "get-tree", "Key": "r/"}},
        {"KV": {"Verb": "check-index", "Key": "r/b", "Index": before}},
        {"KV": {"Verb": "check-not-exists", "Key": "r/c"}}
    ]);
    for query in ["", "?stale", "?consistent"] {
        let (status, headers, body) = txn(&agent, query, &ops);
        assert_eq!(status, 200, "{query}: {body}");
        assert_eq!(body["Results"].as_array().unwrap().len(), 3, "{body}");
        assert_eq!(body["Results"][0]["KV"]["Value"], b64("1"));
        // A check answers its entry without the value.
        assert_eq!(body["Results"][2]["KV"]["Key"], "r/b");
        assert!(body["Results"][2]["KV"]["Value"].is_null());
        assert_eq!(body["KnownLeader"], true);
        assert_eq!(header(&headers, "X-Consul-KnownLeader"), Some("true"));
        assert_eq!(header(&headers, "X-Consul-LastContact"), Some("0"));
        let idx: u64 = header(&headers, "X-Consul-Index").unwrap().parse().unwrap();
        assert_eq!(idx, before, "{query}: the index of the state read");
    }
    // A failed check in a read transaction is a 409 too, still without a write.
    let (status, headers, body) = txn(&agent, "", &json!([kv("get", "r/missing")]));
    assert_eq!(status, 409);
    assert_eq!(
        body["Errors"],
        json!([{"OpIndex": 0, "What": "key \"r/missing\" doesn't exist"}])
    );
    assert!(header(&headers, "X-Consul-Index").is_some());
    assert_eq!(kv_index(&agent), before, "no Raft write happened");
}

#[test]
fn a_client_agent_forwards_transactions_to_the_servers() {
    let (_sip, server) = dev_agent();
    let cip = reserve_ip();
    let mut client = AgentBuilder::new(bin(), cip.ip())
        .node("txn-client")
        .arg("-join")
        .arg(&server.ip.to_string())
        .start()
        .expect("client starts");
    client
        .wait_ready(Duration::from_secs(30))
        .expect("client finds the server");
    let ops = json!([
        {"KV": {"Verb": "set", "Key": "via/client", "Value": b64("c")}},
        {"KV": {"Verb": "get", "Key": "via/client"}}
    ]);
    let (status, _, body) = txn(&client, "", &ops);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["Results"][1]["KV"]["Value"], b64("c"));
    assert_eq!(get_json(&server, "/v1/kv/via/client")[0]["Value"], b64("c"));
    // Reads and conflicts take the same path.
    let (status, headers, body) = txn(&client, "?stale", &json!([kv("get", "via/client")]));
    assert_eq!(status, 200, "{body}");
    assert!(header(&headers, "X-Consul-Index").is_some());
    let (status, _, body) = txn(&client, "", &json!([kv("delete-cas", "via/client")]));
    assert_eq!(status, 409, "{body}");
    assert_eq!(
        body["Errors"][0]["What"],
        "failed to delete key \"via/client\", index is stale"
    );
}

#[test]
fn lock_check_session_and_unlock_use_real_sessions() {
    let (_ip, agent) = dev_agent();
    let (status, body) = call(&agent, "PUT", "/v1/session/create", Some(b"{}"));
    assert_eq!(status, 200, "{body}");
    let session = serde_json::from_str::<Value>(&body).unwrap()["ID"]
        .as_str()
        .unwrap()
        .to_string();
    let op = |verb: &str| json!({"KV": {"Verb": verb, "Key": "lk", "Value": b64("v"), "Session": session}});
    let (status, _, body) = txn(&agent, "", &json!([op("lock"), op("check-session")]));
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["Results"][0]["KV"]["LockIndex"], 1);
    assert_eq!(body["Results"][1]["KV"]["Session"], json!(session));
    // Another (missing) session cannot take it; nothing applies.
    let other = json!([{"KV": {"Verb": "lock", "Key": "lk", "Session": "0b0e0f4c-4a61-4f8a-9d2b-8a9b2f6c1d3e"}}]);
    let (status, _, body) = txn(&agent, "", &other);
    assert_eq!(status, 409, "{body}");
    let (status, _, body) = txn(&agent, "", &json!([op("unlock")]));
    assert_eq!(status, 200, "{body}");
    assert!(get_json(&agent, "/v1/kv/lk")[0].get("Session").is_none());
}
