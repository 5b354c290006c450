//! Client agents as clients of a single server: their own node reaches the
//! catalog with its metadata, and after `PUT /v1/agent/leave` the process
//! exits, even with a blocking query and a running check in flight.

use std::time::Duration;

use serde_json::json;

use super::common::*;

/// A ready single server `s1` and a ready client agent `c1` joined to it,
/// started with `client_args` too.
fn server_and_client(ips: &[IpLease], client_args: &[&str]) -> (Agent, Agent) {
    let mut srv = AgentBuilder::new(bin(), ips[0].ip())
        .server(true)
        .bootstrap_expect(1)
        .node("s1")
        .start()
        .unwrap();
    srv.wait_ready(Duration::from_secs(30)).unwrap();
    let mut builder = AgentBuilder::new(bin(), ips[1].ip())
        .node("c1")
        .arg("-retry-join")
        .arg(&ips[0].ip().to_string())
        .arg("-retry-interval")
        .arg("1s");
    for a in client_args {
        builder = builder.arg(a);
    }
    let mut client = builder.start().unwrap();
    client.wait_ready(Duration::from_secs(30)).unwrap();
    (srv, client)
}

#[test]
fn a_client_agent_exits_after_leave_even_with_work_in_flight() {
    let ips: Vec<IpLease> = (0..2).map(|_| reserve_ip()).collect();
    let (srv, mut client) = server_and_client(&ips, &["-hcl", "enable_script_checks = true"]);

    // A script check that runs for a long time and a TTL check.
    let svc = json!({"Name": "web", "Port": 80, "Checks": [
        {"Args": ["sleep", "600"], "Interval": "1s", "Timeout": "10m"},
        {"TTL": "30s"}
    ]});
    put_ok(&client, "/v1/agent/service/register", &svc.to_string());
    // A blocking query held open on the client.
    let idx = index_of(&client, "/v1/kv/watched");
    let url = client.url(&format!("/v1/kv/watched?index={idx}&wait=5m"));
    let watcher = std::thread::spawn(move || http("GET", &url, None).map(|r| r.0));

    let (status, _) = call(&client, "PUT", "/v1/agent/leave", None);
    assert_eq!(status, 200);
    let exited = client.wait_exit(Duration::from_secs(20));
    assert!(
        exited.is_ok_and(|s| s.success()),
        "the client agent exits 0 after a leave; log:\n{}",
        client.log()
    );
    let _ = watcher.join();
    let left = wait_until(Duration::from_secs(20), || {
        get_json(&srv, "/v1/agent/members")
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["Name"] == "c1" && m["Status"] == 3)
    });
    assert!(left, "the server sees the client as left");
}

#[test]
fn a_client_agents_node_meta_and_tagged_addresses_reach_the_catalog() {
    let ips: Vec<IpLease> = (0..2).map(|_| reserve_ip()).collect();
    let (srv, client) = server_and_client(&ips, &["-node-meta", "role:edge"]);
    // No service registered: the agent's own sync brings its node up to date.
    let found = wait_until(Duration::from_secs(15), || {
        http(
            "GET",
            &srv.url("/v1/catalog/nodes?node-meta=role:edge"),
            None,
        )
        .ok()
        .and_then(|(_, _, b)| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .is_some_and(|v| {
            v.as_array()
                .is_some_and(|a| a.len() == 1 && a[0]["Node"] == "c1")
        })
    });
    assert!(
        found,
        "client node meta in the catalog; log:\n{}",
        client.log()
    );
    let node = &get_json(&srv, "/v1/catalog/nodes?node-meta=role:edge")[0];
    let addr = ips[1].ip().to_string();
    assert_eq!(node["TaggedAddresses"]["lan"], addr.as_str());
    assert_eq!(node["TaggedAddresses"]["wan_ipv4"], addr.as_str());
}
