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

/// Every endpoint that takes `?dc=` answers Consul's error for a datacenter it cannot reach
/// (HTTP 500, `No path to datacenter`) instead of its local answer.
fn assert_unknown_dc_everywhere(agent: &Agent) {
    for (method, path) in [
        ("GET", "/v1/status/leader?dc=nope"),
        ("GET", "/v1/status/peers?dc=nope"),
        ("GET", "/v1/catalog/nodes?dc=nope"),
        ("GET", "/v1/catalog/services?dc=nope"),
        ("GET", "/v1/catalog/service/consul?dc=nope"),
        ("GET", "/v1/catalog/node/x?dc=nope"),
        ("GET", "/v1/catalog/node-services/x?dc=nope"),
        ("GET", "/v1/health/node/x?dc=nope"),
        ("GET", "/v1/health/checks/consul?dc=nope"),
        ("GET", "/v1/health/service/consul?dc=nope"),
        ("GET", "/v1/health/state/any?dc=nope"),
        ("GET", "/v1/kv/k?dc=nope"),
        ("GET", "/v1/kv/k?recurse&dc=nope"),
        ("GET", "/v1/kv/?keys&dc=nope"),
        ("PUT", "/v1/kv/k?dc=nope"),
        ("DELETE", "/v1/kv/k?dc=nope"),
        ("GET", "/v1/operator/raft/configuration?dc=nope"),
        ("GET", "/v1/operator/raft/configuration?stale&dc=nope"),
        (
            "DELETE",
            "/v1/operator/raft/peer?address=10.9.9.9:8300&dc=nope",
        ),
        ("GET", "/v1/operator/autopilot/configuration?dc=nope"),
        ("GET", "/v1/operator/autopilot/health?dc=nope"),
        ("GET", "/v1/status/leader?datacenter=nope&dc=dc1"),
    ] {
        let body = (method == "PUT").then_some(&b"v"[..]);
        let (status, text) = call(agent, method, path, body);
        assert_eq!(
            (status, text.as_str()),
            (500, "No path to datacenter"),
            "{method} {path}"
        );
    }
    for (path, body) in [
        (
            "/v1/catalog/register?dc=nope",
            r#"{"Node":"x","Address":"10.1.1.1"}"#,
        ),
        ("/v1/catalog/deregister?dc=nope", r#"{"Node":"x"}"#),
        (
            "/v1/operator/autopilot/configuration?dc=nope",
            r#"{"CleanupDeadServers":true}"#,
        ),
    ] {
        let (status, text) = call(agent, "PUT", path, Some(body.as_bytes()));
        assert_eq!(
            (status, text.as_str()),
            (500, "No path to datacenter"),
            "{path}"
        );
    }
    // The datacenter the body names counts too.
    let (status, text) = call(
        agent,
        "PUT",
        "/v1/catalog/register",
        Some(br#"{"Datacenter":"nope","Node":"x","Address":"10.1.1.1"}"#),
    );
    assert_eq!((status, text.as_str()), (500, "No path to datacenter"));
    // Nothing was written, and our own datacenter, named or not, still answers.
    let (status, _) = call(agent, "GET", "/v1/kv/k", None);
    assert_eq!(status, 404);
    let (status, _) = call(agent, "GET", "/v1/catalog/node/x?dc=dc1", None);
    assert_eq!(status, 200);
    let (status, text) = call(agent, "GET", "/v1/status/leader?dc=dc1", None);
    assert_eq!(status, 200, "{text}");
    assert_ne!(text.trim(), "\"\"");
}

#[test]
fn unknown_datacenter_is_refused_by_every_endpoint_that_takes_dc() {
    let (_ip, agent) = dev_agent();
    assert_unknown_dc_everywhere(&agent);
}

#[test]
fn a_client_agent_refuses_an_unknown_datacenter_the_same_way() {
    let (server_ip, server) = dev_agent();
    let ip = reserve_ip();
    let mut client = AgentBuilder::new(bin(), ip.ip())
        .node("c1")
        .arg("-retry-join")
        .arg(&server_ip.ip().to_string())
        .arg("-retry-interval")
        .arg("1s")
        .start()
        .unwrap();
    client
        .wait_ready(std::time::Duration::from_secs(60))
        .unwrap_or_else(|e| panic!("client not ready: {e}\nserver log:\n{}", server.log()));
    assert_unknown_dc_everywhere(&client);
}

#[test]
fn tokens_reach_the_servers_but_never_the_log() {
    let ip = reserve_ip();
    let mut agent = AgentBuilder::new(bin(), ip.ip())
        .dev(true)
        .arg("-log-level=trace")
        .start()
        .unwrap();
    agent
        .wait_ready(std::time::Duration::from_secs(30))
        .unwrap();
    let url = agent.url("/v1/kv/traced-key?token=query-secret-1");
    assert_eq!(http("PUT", &url, Some(b"v")).unwrap().0, 200);
    for header in [
        ("X-Consul-Token", "header-secret-2"),
        ("Authorization", "Bearer bearer-secret-3"),
    ] {
        let (status, _, _) =
            http_with_headers("GET", &agent.url("/v1/kv/traced-key"), &[header], None).unwrap();
        assert_eq!(status, 200);
    }
    // The requests were traced (so the log is the place a token would leak to)...
    let seen = wait_until(std::time::Duration::from_secs(10), || {
        agent.log().matches("traced-key").count() >= 3
    });
    let log = agent.log();
    assert!(seen, "requests not traced:\n{log}");
    assert!(log.contains("Token(redacted)"), "{log}");
    // ...but no token is in it.
    for secret in ["query-secret-1", "header-secret-2", "bearer-secret-3"] {
        assert!(
            !log.contains(secret),
            "{secret} leaked into the log:\n{log}"
        );
    }
}

#[test]
fn autopilot_configuration_is_written_through_raft_with_cas() {
    let (_ip, a) = dev_agent();
    let path = "/v1/operator/autopilot/configuration";
    let fresh = get_json(&a, path);
    assert_eq!(fresh["ModifyIndex"], 0, "defaults until first set: {fresh}");
    assert_eq!(fresh["MaxTrailingLogs"], 250);
    let body = br#"{"CleanupDeadServers":false,"MaxTrailingLogs":100}"#;
    assert_eq!(
        call(&a, "PUT", &format!("{path}?cas=0"), Some(body)),
        (200, "true".to_string())
    );
    // The same CAS again no longer matches.
    assert_eq!(
        call(&a, "PUT", &format!("{path}?cas=0"), Some(body)),
        (200, "false".to_string())
    );
    let set = get_json(&a, path);
    assert_eq!(set["MaxTrailingLogs"], 100);
    let index = set["ModifyIndex"].as_u64().unwrap();
    assert!(index > 0 && set["CreateIndex"] == index);
    let body = br#"{"CleanupDeadServers":true,"MaxTrailingLogs":100}"#;
    assert_eq!(
        call(&a, "PUT", &format!("{path}?cas={index}"), Some(body)),
        (200, "true".to_string())
    );
    let again = get_json(&a, path);
    assert_eq!(again["CleanupDeadServers"], true);
    assert_eq!(again["CreateIndex"], index);
    assert!(again["ModifyIndex"].as_u64().unwrap() > index);
}

#[test]
fn autopilot_state_names_the_leader_and_its_voters() {
    let (_ip, a) = dev_agent();
    let ok = wait_until(std::time::Duration::from_secs(20), || {
        let s = get_json(&a, "/v1/operator/autopilot/state");
        s["Healthy"] == true
    });
    assert!(
        ok,
        "never healthy: {}",
        get_json(&a, "/v1/operator/autopilot/state")
    );
    let s = get_json(&a, "/v1/operator/autopilot/state");
    let leader = s["Leader"].as_str().unwrap().to_string();
    assert_eq!(s["Voters"], serde_json::json!([leader.clone()]));
    assert_eq!(s["FailureTolerance"], 0);
    assert_eq!(s["OptimisticFailureTolerance"], 0);
    let me = &s["Servers"][&leader];
    assert_eq!(me["Status"], "leader");
    assert_eq!(me["NodeStatus"], "alive");
    assert_eq!(me["Healthy"], true);
    assert!(me["LastIndex"].as_u64().unwrap() > 0);
    for k in [
        "ID",
        "Name",
        "Address",
        "Version",
        "LastContact",
        "LastTerm",
        "StableSince",
        "ReadReplica",
        "Meta",
        "NodeType",
    ] {
        assert!(me.get(k).is_some(), "{k} missing from {me}");
    }
}
