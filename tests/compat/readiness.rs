//! Readiness as Consul's own Go test harness checks it.

use std::time::Duration;

use serde_json::Value;

use super::common::*;

/// Consul 1.10's `sdk/testutil` waits for `X-Consul-KnownLeader: true` with
/// `X-Consul-Index` of at least 2 on `/v1/catalog/nodes`, then for a passing
/// `serfHealth`: a fresh `-bootstrap` server must get there.
#[test]
fn a_fresh_bootstrap_server_looks_ready_to_consuls_test_harness() {
    let ip = reserve_ip();
    let agent = AgentBuilder::new(bin(), ip.ip())
        .server(true)
        .arg("-bootstrap")
        .start()
        .unwrap();
    let mut first_seen: Option<(u64, usize)> = None;
    let ready = wait_until(Duration::from_secs(30), || {
        let Ok((200, headers, body)) = http("GET", &agent.url("/v1/catalog/nodes"), None) else {
            return false;
        };
        let leader = header(&headers, "X-Consul-KnownLeader") == Some("true");
        let index: u64 = header(&headers, "X-Consul-Index")
            .and_then(|i| i.parse().ok())
            .unwrap_or(0);
        let nodes = serde_json::from_slice::<Value>(&body)
            .ok()
            .and_then(|v| v.as_array().map(Vec::len))
            .unwrap_or(0);
        if nodes > 0 && first_seen.is_none() {
            first_seen = Some((index, nodes));
        }
        leader && index >= 2
    });
    assert!(
        ready,
        "never KnownLeader with index >= 2; log:\n{}",
        agent.log()
    );
    let (index, _) = first_seen.expect("the node was listed");
    assert!(index >= 2, "the node first appeared at index {index}");
    let serf_passing = wait_until(Duration::from_secs(10), || {
        http(
            "GET",
            &agent.url(&format!("/v1/health/node/{}", agent.node)),
            None,
        )
        .ok()
        .and_then(|(_, _, b)| serde_json::from_slice::<Value>(&b).ok())
        .is_some_and(|v| {
            v.as_array().is_some_and(|a| {
                a.iter()
                    .any(|c| c["CheckID"] == "serfHealth" && c["Status"] == "passing")
            })
        })
    });
    assert!(serf_passing);
}
