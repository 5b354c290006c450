//! Three servers form a cluster as the seed documents do it
//! (`-server -bootstrap-expect 3 -retry-join …`): one leader, forwarded
//! writes, members reconciled into the catalog, and recovery after the
//! leader is killed.

#[path = "../common/mod.rs"]
mod common;

mod bootstrap;
mod client;
mod client_leave;
mod leave;
mod ledger;
mod operator;
mod transfer;

use std::time::Duration;

use common::*;
use serde_json::Value;

fn server(ip: &IpLease, n: usize, dir: &std::path::Path, join: &IpLease) -> Agent {
    AgentBuilder::new(bin(), ip.ip())
        .server(true)
        .bootstrap_expect(3)
        .data_dir(dir)
        .node(&format!("s{n}"))
        .arg("-retry-join")
        .arg(&join.ip().to_string())
        .arg("-retry-interval")
        .arg("1s")
        .arg("-hcl")
        .arg("performance { raft_multiplier = 1 }")
        .start()
        .unwrap()
}

fn leader_of(agent: &Agent) -> String {
    http("GET", &agent.url("/v1/status/leader"), None)
        .ok()
        .and_then(|(s, _, b)| {
            (s == 200).then(|| {
                String::from_utf8_lossy(&b)
                    .trim()
                    .trim_matches('"')
                    .to_string()
            })
        })
        .unwrap_or_default()
}

fn peers_of(agent: &Agent) -> usize {
    http("GET", &agent.url("/v1/status/peers"), None)
        .ok()
        .and_then(|(_, _, b)| serde_json::from_slice::<Value>(&b).ok())
        .and_then(|v| v.as_array().map(Vec::len))
        .unwrap_or(0)
}

fn serf_status(agent: &Agent, node: &str) -> Option<String> {
    let (s, _, b) = http(
        "GET",
        &agent.url(&format!("/v1/health/node/{node}?stale")),
        None,
    )
    .ok()?;
    if s != 200 {
        return None;
    }
    let v: Value = serde_json::from_slice(&b).ok()?;
    v.as_array()?
        .iter()
        .find(|c| c["CheckID"] == "serfHealth")
        .map(|c| c["Status"].as_str().unwrap_or("").to_string())
}

/// Whether every agent names the same known leader and reports `peers` Raft peers.
fn agree_on_leader<'a>(agents: impl IntoIterator<Item = &'a Agent>, peers: usize) -> bool {
    let mut leader: Option<String> = None;
    for a in agents {
        let l = leader_of(a);
        if l.is_empty() || peers_of(a) != peers || leader.as_ref().is_some_and(|x| *x != l) {
            return false;
        }
        leader = Some(l);
    }
    leader.is_some()
}

/// Wait (up to 60 s) until the servers agree on a leader and three peers.
fn formed(servers: &[Agent]) -> bool {
    wait_until(Duration::from_secs(60), || agree_on_leader(servers, 3))
}

#[test]
fn three_servers_elect_replicate_and_survive_the_leader() {
    let ips: Vec<IpLease> = (0..3).map(|_| reserve_ip()).collect();
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let mut agents: Vec<Agent> = (0..3)
        .map(|i| server(&ips[i], i + 1, dirs[i].path(), &ips[0]))
        .collect();

    assert!(
        formed(&agents),
        "cluster did not form; logs:\n{}",
        agents
            .iter()
            .map(|a| a.log())
            .collect::<Vec<_>>()
            .join("\n----\n")
    );
    let leader_addr = leader_of(&agents[0]);
    let leader = agents
        .iter()
        .position(|a| leader_addr.starts_with(&a.ip.to_string()))
        .expect("leader is one of ours");
    let f1 = (leader + 1) % 3;
    let f2 = (leader + 2) % 3;

    // Writes through a follower are forwarded; default reads elsewhere see them.
    assert_eq!(put_ok(&agents[f1], "/v1/kv/seed/a", "1"), "true");
    assert_eq!(get_json(&agents[f2], "/v1/kv/seed/a")[0]["Value"], "MQ==");
    // Every member is a catalog node with a passing serfHealth.
    assert!(wait_until(Duration::from_secs(20), || (1..=3).all(
        |n| serf_status(&agents[f1], &format!("s{n}")).as_deref() == Some("passing")
    )));

    // Every server carries the `consul` service.
    assert!(wait_until(Duration::from_secs(20), || {
        http(
            "GET",
            &agents[f2].url("/v1/catalog/service/consul?stale"),
            None,
        )
        .ok()
        .and_then(|(_, _, b)| serde_json::from_slice::<Value>(&b).ok())
        .and_then(|v| v.as_array().map(Vec::len))
            == Some(3)
    }));

    // Kill the leader: the other two elect a new one and keep serving.
    agents[leader].kill9();
    let recovered = wait_until(Duration::from_secs(30), || {
        http("PUT", &agents[f1].url("/v1/kv/seed/b"), Some(b"2"))
            .is_ok_and(|(s, _, b)| s == 200 && b == b"true")
    });
    assert!(
        recovered,
        "writes did not resume; log:\n{}",
        agents[f1].log()
    );
    assert_eq!(get_json(&agents[f2], "/v1/kv/seed/b")[0]["Value"], "Mg==");
    let dead = format!("s{}", leader + 1);
    assert!(
        wait_until(Duration::from_secs(30), || serf_status(&agents[f1], &dead)
            .as_deref()
            == Some("critical")),
        "killed server's serfHealth never went critical"
    );

    // The old leader comes back as a follower and catches up.
    agents[leader].restart().unwrap();
    let caught_up = wait_until(Duration::from_secs(30), || {
        http("GET", &agents[leader].url("/v1/kv/seed/b?stale"), None)
            .is_ok_and(|(s, _, b)| s == 200 && String::from_utf8_lossy(&b).contains("Mg=="))
    });
    assert!(
        caught_up,
        "restarted server did not catch up; log:\n{}",
        agents[leader].log()
    );
    assert!(wait_until(Duration::from_secs(20), || serf_status(
        &agents[f1],
        &dead
    )
    .as_deref()
        == Some("passing")));
}
