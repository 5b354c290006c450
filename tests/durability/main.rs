//! Durability: every write acknowledged by a single durable server survives a
//! `kill -9` and restart, with the same indexes.

#[path = "../common/mod.rs"]
mod common;

use std::time::Duration;

use common::*;
use serde_json::Value;

#[test]
fn acknowledged_writes_survive_kill_9_with_the_same_indexes() {
    let ip = reserve_ip();
    let dir = tempfile::tempdir().unwrap();
    let mut agent = AgentBuilder::new(bin(), ip.ip())
        .server(true)
        .bootstrap_expect(1)
        .data_dir(dir.path())
        .node("n1")
        .start()
        .unwrap();
    agent.wait_ready(Duration::from_secs(30)).unwrap();

    // Concurrent writers so that group commit is exercised.
    let addr = agent.url("");
    let writers: Vec<_> = (0..8)
        .map(|w| {
            let addr = addr.clone();
            std::thread::spawn(move || {
                for i in 0..25 {
                    let (s, _, b) = http(
                        "PUT",
                        &format!("{addr}/v1/kv/d/{w}/{i}"),
                        Some(format!("v{w}-{i}").as_bytes()),
                    )
                    .unwrap();
                    assert_eq!((s, b.as_slice()), (200, &b"true"[..]));
                }
            })
        })
        .collect();
    for w in writers {
        w.join().unwrap();
    }
    put_ok(
        &agent,
        "/v1/catalog/register",
        r#"{"Node":"ext","Address":"10.0.0.9","Service":{"Service":"redis","Port":6379}}"#,
    );
    let before: Value = get_json(&agent, "/v1/kv/d/?recurse");
    assert_eq!(before.as_array().unwrap().len(), 200);
    let kv_index = index_of(&agent, "/v1/kv/d/?recurse");
    let node_id = get_json(&agent, "/v1/agent/self")["Config"]["NodeID"].clone();

    agent.kill9();
    agent.restart().unwrap();
    agent.wait_ready(Duration::from_secs(30)).unwrap();

    let after: Value = get_json(&agent, "/v1/kv/d/?recurse");
    assert_eq!(after, before, "KV entries and their indexes survive");
    assert_eq!(index_of(&agent, "/v1/kv/d/?recurse"), kv_index);
    assert_eq!(
        get_json(&agent, "/v1/catalog/service/redis")[0]["Node"],
        "ext"
    );
    assert_eq!(
        get_json(&agent, "/v1/agent/self")["Config"]["NodeID"],
        node_id,
        "node id persists"
    );
    // New writes continue after the old indexes.
    put_ok(&agent, "/v1/kv/d/new", "x");
    assert!(
        get_json(&agent, "/v1/kv/d/new")[0]["ModifyIndex"]
            .as_u64()
            .unwrap()
            > kv_index
    );
}

#[test]
fn services_and_checks_registered_through_the_api_come_back_after_restart() {
    let ip = reserve_ip();
    let dir = tempfile::tempdir().unwrap();
    let mut agent = AgentBuilder::new(bin(), ip.ip())
        .server(true)
        .bootstrap_expect(1)
        .data_dir(dir.path())
        .start()
        .unwrap();
    agent.wait_ready(Duration::from_secs(30)).unwrap();
    put_ok(
        &agent,
        "/v1/agent/service/register",
        r#"{"ID":"web-1","Name":"web","Port":80,"Check":{"TTL":"60s"}}"#,
    );
    put_ok(
        &agent,
        "/v1/agent/check/register",
        r#"{"Name":"disk","TTL":"60s"}"#,
    );
    put_ok(
        &agent,
        "/v1/agent/service/register",
        r#"{"Name":"gone","Port":1}"#,
    );
    put_ok(&agent, "/v1/agent/service/deregister/gone", "");

    agent.kill9();
    agent.restart().unwrap();
    agent.wait_ready(Duration::from_secs(30)).unwrap();
    assert!(wait_until(Duration::from_secs(10), || {
        let s = get_json(&agent, "/v1/agent/services");
        let c = get_json(&agent, "/v1/agent/checks");
        s.get("web-1").is_some() && c.get("disk").is_some() && c.get("service:web-1").is_some()
    }));
    assert!(get_json(&agent, "/v1/agent/services").get("gone").is_none());
    assert_eq!(
        get_json(&agent, "/v1/catalog/service/web")[0]["ServiceID"],
        "web-1"
    );
}
