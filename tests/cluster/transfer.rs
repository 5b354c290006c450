//! `POST /v1/operator/raft/transfer-leader` and `consul operator raft
//! transfer-leader` on three real servers: the leadership moves to the
//! server named by `-id` (or to another up-to-date voter without one), every
//! server agrees on the new leader, and acknowledged data survives.

use std::time::Duration;

use consul_testkit::run_cli;
use serde_json::Value;

use super::common::*;
use super::{agree_on_leader, formed, leader_of, server};

fn logs(agents: &[Agent]) -> String {
    agents
        .iter()
        .map(|a| format!("== {}\n{}", a.node, a.log()))
        .collect::<Vec<_>>()
        .join("\n")
}

fn leader_index(agents: &[Agent]) -> Option<usize> {
    let addr = leader_of(&agents[0]);
    agents.iter().position(|a| addr == format!("{}:8300", a.ip))
}

fn node_id(agent: &Agent) -> String {
    get_json(agent, "/v1/agent/self")["Config"]["NodeID"]
        .as_str()
        .unwrap_or("")
        .to_string()
}

#[test]
fn leadership_moves_where_the_operator_says() {
    let ips: Vec<IpLease> = (0..3).map(|_| reserve_ip()).collect();
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let agents: Vec<Agent> = (0..3)
        .map(|i| server(&ips[i], i + 1, dirs[i].path(), &ips[0]))
        .collect();
    assert!(formed(&agents), "cluster did not form:\n{}", logs(&agents));
    let leader = leader_index(&agents).expect("a leader of ours");
    put_ok(&agents[leader], "/v1/kv/before", "1");

    // By ID, over HTTP, asked of a follower (forwarded to the leader).
    let target = (leader + 1) % 3;
    let asker = (leader + 2) % 3;
    let id = node_id(&agents[target]);
    assert_eq!(id.len(), 36, "node id of the target");
    let (s, _, b) = http(
        "POST",
        &agents[asker].url(&format!("/v1/operator/raft/transfer-leader?id={id}")),
        None,
    )
    .unwrap();
    let body: Value = serde_json::from_slice(&b).unwrap_or(Value::Null);
    assert_eq!(
        (s, &body),
        (200, &serde_json::json!({"Success": true})),
        "{}",
        logs(&agents)
    );
    let moved = wait_until(Duration::from_secs(15), || {
        agree_on_leader(&agents, 3) && leader_index(&agents) == Some(target)
    });
    assert!(
        moved,
        "leader is {:?}, not {target}:\n{}",
        leader_index(&agents),
        logs(&agents)
    );
    put_ok(&agents[asker], "/v1/kv/after-http", "2");

    // Without -id, through the CLI: some other server leads afterwards.
    let out = run_cli(
        bin(),
        &[
            "operator",
            "raft",
            "transfer-leader",
            &format!("-http-addr={}", agents[leader].http_addr),
        ],
        &[],
        None,
    );
    assert_eq!(out.code, 0, "{}\n{}", out.err(), logs(&agents));
    assert_eq!(out.out().trim(), "Success");
    let moved = wait_until(Duration::from_secs(15), || {
        agree_on_leader(&agents, 3) && leader_index(&agents).is_some_and(|l| l != target)
    });
    assert!(moved, "leadership did not move:\n{}", logs(&agents));

    // An unknown ID is refused with the reason; the leader stays.
    let before = leader_index(&agents);
    let (s, _, b) = http(
        "POST",
        &agents[0].url("/v1/operator/raft/transfer-leader?id=no-such-server"),
        None,
    )
    .unwrap();
    assert_eq!(s, 500, "{}", String::from_utf8_lossy(&b));
    assert!(String::from_utf8_lossy(&b).contains("no-such-server"));
    assert_eq!(leader_index(&agents), before);
    // Only POST.
    let (s, _, _) = http(
        "GET",
        &agents[0].url("/v1/operator/raft/transfer-leader"),
        None,
    )
    .unwrap();
    assert_eq!(s, 405);

    // Everything acknowledged is there, on every server's own copy.
    for a in &agents {
        let ok = wait_until(Duration::from_secs(10), || {
            ["before", "after-http"].iter().all(|k| {
                http("GET", &a.url(&format!("/v1/kv/{k}?stale")), None)
                    .is_ok_and(|(s, _, _)| s == 200)
            })
        });
        assert!(ok, "{} lacks a key", a.node);
    }
}
