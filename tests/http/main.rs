//! The HTTP edge: headers every read carries, consistency parameters, error
//! codes and bodies, unknown paths and methods.

#[path = "../common/mod.rs"]
mod common;

use common::*;

#[test]
fn reads_carry_index_leader_and_contact_headers_in_go_case() {
    let (_ip, agent) = dev_agent();
    put_ok(&agent, "/v1/kv/k", "v");
    for path in [
        "/v1/kv/k",
        "/v1/catalog/nodes",
        "/v1/catalog/services",
        "/v1/health/state/any",
    ] {
        let (status, headers, _) = http("GET", &agent.url(path), None).unwrap();
        assert_eq!(status, 200, "{path}");
        let idx: u64 = header(&headers, "X-Consul-Index").unwrap().parse().unwrap();
        assert!(idx >= 1, "{path}: index {idx}");
        assert_eq!(
            header(&headers, "X-Consul-KnownLeader"),
            Some("true"),
            "{path}"
        );
        assert_eq!(
            header(&headers, "X-Consul-LastContact"),
            Some("0"),
            "{path}"
        );
    }
    // Go's canonical header case, byte for byte.
    let raw = raw_get(&agent, "/v1/kv/k");
    assert!(raw.contains("\r\nX-Consul-Index: "), "{raw}");
    assert!(raw.contains("\r\nX-Consul-Knownleader: true\r\n"), "{raw}");
    assert!(raw.contains("\r\nX-Consul-Lastcontact: 0\r\n"), "{raw}");
}

fn raw_get(agent: &Agent, path: &str) -> String {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(&agent.http_addr).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

#[test]
fn consistency_modes_and_datacenters() {
    let (_ip, agent) = dev_agent();
    put_ok(&agent, "/v1/kv/k", "v");
    assert_eq!(call(&agent, "GET", "/v1/kv/k?stale", None).0, 200);
    assert_eq!(call(&agent, "GET", "/v1/kv/k?consistent", None).0, 200);
    let (s, t) = call(&agent, "GET", "/v1/kv/k?stale&consistent", None);
    assert_eq!(
        (s, t.as_str()),
        (
            400,
            "Cannot specify ?stale with ?consistent, conflicting semantics."
        )
    );
    assert_eq!(call(&agent, "GET", "/v1/kv/k?dc=dc1", None).0, 200);
    let (s, t) = call(&agent, "GET", "/v1/kv/k?dc=mars", None);
    assert_eq!((s, t.as_str()), (500, "No path to datacenter"));
    let (s, t) = call(&agent, "PUT", "/v1/kv/k?dc=mars", Some(b"x"));
    assert_eq!((s, t.as_str()), (500, "No path to datacenter"));
    assert_eq!(call(&agent, "GET", "/v1/kv/k?index=abc", None).0, 400);
    assert_eq!(call(&agent, "GET", "/v1/kv/k?wait=soon", None).0, 400);
    assert_eq!(
        get_json(&agent, "/v1/catalog/datacenters"),
        serde_json::json!(["dc1"])
    );
}

#[test]
fn pretty_json_is_indented_with_four_spaces() {
    let ip = reserve_ip();
    // Not dev mode: dev pretty-prints everything.
    let dir = tempfile::tempdir().unwrap();
    let mut agent = AgentBuilder::new(bin(), ip.ip())
        .server(true)
        .bootstrap_expect(1)
        .data_dir(dir.path())
        .start()
        .unwrap();
    agent
        .wait_ready(std::time::Duration::from_secs(30))
        .unwrap();
    put_ok(&agent, "/v1/kv/k", "v");
    let (_, compact) = call(&agent, "GET", "/v1/kv/k", None);
    assert!(compact.starts_with("[{\"LockIndex\":0,"), "{compact}");
    let (_, pretty) = call(&agent, "GET", "/v1/kv/k?pretty", None);
    assert!(
        pretty.starts_with("[\n    {\n        \"LockIndex\": 0,"),
        "{pretty}"
    );
}

#[test]
fn unknown_paths_404_and_wrong_methods_405_with_allow() {
    let (_ip, agent) = dev_agent();
    assert_eq!(call(&agent, "GET", "/v1/nonexistent", None).0, 404);
    let (status, headers, body) = http("POST", &agent.url("/v1/kv/x"), Some(b"v")).unwrap();
    assert_eq!(status, 405);
    assert_eq!(header(&headers, "Allow"), Some("OPTIONS,GET,PUT,DELETE"));
    assert_eq!(String::from_utf8_lossy(&body), "method POST not allowed");
    let (status, headers, _) = http("GET", &agent.url("/v1/agent/check/pass/x"), None).unwrap();
    assert_eq!(status, 405);
    assert_eq!(header(&headers, "Allow"), Some("OPTIONS,PUT"));
    let (status, headers, _) = http("OPTIONS", &agent.url("/v1/catalog/nodes"), None).unwrap();
    assert_eq!(status, 200);
    assert_eq!(header(&headers, "Allow"), Some("OPTIONS,GET"));
}

#[test]
fn status_leader_and_peers_name_the_rpc_address() {
    let (ip, agent) = dev_agent();
    let want = format!("{}:8300", ip.ip());
    assert_eq!(
        get_json(&agent, "/v1/status/leader"),
        serde_json::json!(want)
    );
    assert_eq!(
        get_json(&agent, "/v1/status/peers"),
        serde_json::json!([want])
    );
}
