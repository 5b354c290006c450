//! `PUT /v1/agent/leave` on a client agent: it leaves the pool and its
//! process exits, even with a blocking query and a running check in flight.

use std::time::Duration;

use serde_json::json;

use super::common::*;

#[test]
fn a_client_agent_exits_after_leave_even_with_work_in_flight() {
    let ips: Vec<IpLease> = (0..2).map(|_| reserve_ip()).collect();
    let mut srv = AgentBuilder::new(bin(), ips[0].ip())
        .server(true)
        .bootstrap_expect(1)
        .node("s1")
        .start()
        .unwrap();
    srv.wait_ready(Duration::from_secs(30)).unwrap();
    let mut client = AgentBuilder::new(bin(), ips[1].ip())
        .node("c1")
        .arg("-retry-join")
        .arg(&ips[0].ip().to_string())
        .arg("-retry-interval")
        .arg("1s")
        .arg("-hcl")
        .arg("enable_script_checks = true")
        .start()
        .unwrap();
    client.wait_ready(Duration::from_secs(30)).unwrap();

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
