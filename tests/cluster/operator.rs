//! `/v1/operator/*` and `consul operator` on three real servers: the Raft
//! configuration and `list-peers`, autopilot configuration and health (429
//! while a server is down), dead-server cleanup once it is enabled, and
//! `remove-peer`.

use std::time::Duration;

use consul_testkit::run_cli;
use serde_json::Value;

use super::common::*;
use super::{formed, leader_of, peers_of, server};

fn logs(agents: &[Agent]) -> String {
    agents
        .iter()
        .map(|a| format!("== {}\n{}", a.node, a.log()))
        .collect::<Vec<_>>()
        .join("\n")
}

fn raft_conf(agent: &Agent, query: &str) -> Option<Value> {
    let (s, _, b) = http(
        "GET",
        &agent.url(&format!("/v1/operator/raft/configuration{query}")),
        None,
    )
    .ok()?;
    (s == 200).then(|| serde_json::from_slice(&b).ok())?
}

/// Status and body of the autopilot health endpoint.
fn health(agent: &Agent) -> Option<(u16, Value)> {
    let (s, _, b) = http("GET", &agent.url("/v1/operator/autopilot/health"), None).ok()?;
    Some((s, serde_json::from_slice(&b).ok()?))
}

fn cli(agent: &Agent, args: &[&str]) -> consul_testkit::CliOutput {
    let addr = format!("-http-addr={}", agent.http_addr);
    let mut all: Vec<&str> = args.to_vec();
    all.push(&addr);
    run_cli(bin(), &all, &[], None)
}

fn set_cleanup(agent: &Agent, on: bool) {
    let body = format!(
        r#"{{"CleanupDeadServers":{on},"LastContactThreshold":"200ms","MaxTrailingLogs":250,"ServerStabilizationTime":"10s"}}"#
    );
    assert_eq!(
        put_ok(agent, "/v1/operator/autopilot/configuration", &body),
        "true"
    );
}

#[test]
fn operator_raft_and_autopilot_on_three_servers() {
    let ips: Vec<IpLease> = (0..3).map(|_| reserve_ip()).collect();
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let mut agents: Vec<Agent> = (0..3)
        .map(|i| server(&ips[i], i + 1, dirs[i].path(), &ips[0]))
        .collect();
    assert!(formed(&agents), "cluster did not form:\n{}", logs(&agents));
    let leader_addr = leader_of(&agents[0]);
    let leader = agents
        .iter()
        .position(|a| leader_addr == format!("{}:8300", a.ip))
        .expect("leader is one of ours");
    let (f1, f2) = ((leader + 1) % 3, (leader + 2) % 3);

    // The configuration names every server by node name and UUID (once the
    // leader has put them in the catalog), from a follower (forwarded) and
    // with ?stale.
    let named = wait_until(Duration::from_secs(30), || {
        raft_conf(&agents[f1], "").is_some_and(|c| {
            let servers = c["Servers"].as_array().cloned().unwrap_or_default();
            servers.len() == 3
                && servers
                    .iter()
                    .all(|s| s["Node"].as_str().is_some_and(|n| n.starts_with('s')))
        })
    });
    assert!(named, "servers never got names:\n{}", logs(&agents));
    let conf = raft_conf(&agents[f1], "").unwrap();
    assert!(conf["Index"].as_u64().unwrap() > 0);
    let servers = conf["Servers"].as_array().unwrap();
    let self_json = get_json(&agents[f2], "/v1/agent/self");
    let f2_id = self_json["Config"]["NodeID"]
        .as_str()
        .unwrap_or("")
        .to_string();
    for s in servers {
        assert_eq!(s["ProtocolVersion"], "3");
        assert_eq!(s["Voter"], true);
        assert_eq!(s["ID"].as_str().unwrap().len(), 36, "{s}");
        let node = s["Node"].as_str().unwrap();
        let n: usize = node[1..].parse().unwrap();
        assert_eq!(s["Address"], format!("{}:8300", agents[n - 1].ip));
        assert_eq!(s["Leader"], n - 1 == leader, "{s}");
    }
    if !f2_id.is_empty() {
        assert!(servers.iter().any(|s| s["ID"] == f2_id.as_str()));
    }
    let stale = raft_conf(&agents[f2], "?stale").expect("stale read");
    assert_eq!(stale["Servers"].as_array().unwrap().len(), 3);

    // list-peers: Consul's columns, one leader.
    let out = cli(&agents[f1], &["operator", "raft", "list-peers"]);
    assert_eq!(out.code, 0, "{}", out.err());
    let text = out.out();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    let header: Vec<&str> = lines[0].split_whitespace().collect();
    assert_eq!(
        header,
        ["Node", "ID", "Address", "State", "Voter", "RaftProtocol"]
    );
    assert_eq!(lines.iter().filter(|l| l.contains(" leader ")).count(), 1);
    assert_eq!(lines.iter().filter(|l| l.contains(" follower ")).count(), 2);
    // Columns are aligned: every row has "Address" text at the header's offset.
    let addr_col = lines[0].find("Address").unwrap();
    for l in &lines[1..] {
        assert!(l[addr_col..].starts_with("127."), "{text}");
    }
    let out = cli(&agents[f2], &["operator", "raft", "list-peers", "-stale"]);
    assert_eq!(out.code, 0, "{}", out.err());
    assert_eq!(out.out().lines().count(), 4);

    // Autopilot: defaults, then a healthy cluster (200) tolerating one failure.
    let out = cli(&agents[f1], &["operator", "autopilot", "get-config"]);
    assert_eq!(out.code, 0, "{}", out.err());
    assert!(
        out.out().starts_with(
            "CleanupDeadServers = true\nLastContactThreshold = 200ms\nMaxTrailingLogs = 250\n"
        ),
        "{}",
        out.out()
    );
    let healthy = wait_until(Duration::from_secs(30), || {
        health(&agents[f1])
            .is_some_and(|(s, v)| s == 200 && v["Healthy"] == true && v["FailureTolerance"] == 1)
    });
    assert!(
        healthy,
        "never healthy: {:?}\n{}",
        health(&agents[f1]),
        logs(&agents)
    );
    let (_, h) = health(&agents[f1]).unwrap();
    let hs = h["Servers"].as_array().unwrap();
    assert_eq!(hs.len(), 3);
    assert!(hs.iter().all(|s| s["SerfStatus"] == "alive"));
    assert_eq!(hs.iter().filter(|s| s["Leader"] == true).count(), 1);
    assert!(hs
        .iter()
        .all(|s| s["StableSince"].as_str().is_some_and(|t| t.ends_with('Z'))));

    // Cleanup off: a killed follower makes the cluster unhealthy (429) and stays.
    set_cleanup(&agents[leader], false);
    let got = get_json(&agents[f2], "/v1/operator/autopilot/configuration");
    assert_eq!(got["CleanupDeadServers"], false);
    assert!(got["ModifyIndex"].as_u64().unwrap() > 0);
    // It is replicated state: a follower's own copy (a stale read) has it.
    assert!(
        wait_until(Duration::from_secs(10), || get_json(
            &agents[f2],
            "/v1/operator/autopilot/configuration?stale"
        )["ModifyIndex"]
            == got["ModifyIndex"]),
        "the follower's state lacks the configuration"
    );
    let dead_addr = format!("{}:8300", agents[f1].ip);
    agents[f1].kill9();
    let unhealthy = wait_until(Duration::from_secs(40), || {
        health(&agents[leader]).is_some_and(|(s, v)| {
            s == 429
                && v["Servers"].as_array().is_some_and(|ss| {
                    ss.iter()
                        .any(|x| x["Address"] == dead_addr.as_str() && x["SerfStatus"] == "failed")
                })
        })
    });
    assert!(
        unhealthy,
        "never 429: {:?}\n{}",
        health(&agents[leader]),
        logs(&agents)
    );
    assert_eq!(peers_of(&agents[leader]), 3, "removed with cleanup off");

    // Cleanup on: autopilot removes the dead server.
    set_cleanup(&agents[f2], true);
    let cleaned = wait_until(Duration::from_secs(30), || {
        peers_of(&agents[leader]) == 2
            && raft_conf(&agents[leader], "").is_some_and(|c| {
                c["Servers"]
                    .as_array()
                    .is_some_and(|ss| ss.iter().all(|s| s["Address"] != dead_addr.as_str()))
            })
    });
    assert!(cleaned, "dead server not removed:\n{}", logs(&agents));

    // remove-peer: unknown peers are errors (500 with Consul's text).
    let (s, body) = call(
        &agents[f2],
        "DELETE",
        "/v1/operator/raft/peer?id=nope",
        None,
    );
    assert_eq!(
        (s, body.trim()),
        (500, "id \"nope\" was not found in the Raft configuration")
    );
    let (s, _) = call(&agents[f2], "DELETE", "/v1/operator/raft/peer", None);
    assert_eq!(s, 400);
    let out = cli(
        &agents[f2],
        &["operator", "raft", "remove-peer", "-address=10.9.9.9:8300"],
    );
    assert_eq!(out.code, 1);
    assert_eq!(
        out.err().trim(),
        "Error removing peer: Unexpected response code: 500 (address \"10.9.9.9:8300\" was not found in the Raft configuration)"
    );

    // remove-peer by address on a live follower, sent through that follower
    // (forwarded to the leader).
    let f2_addr = format!("{}:8300", agents[f2].ip);
    let out = cli(
        &agents[f2],
        &[
            "operator",
            "raft",
            "remove-peer",
            &format!("-address={f2_addr}"),
        ],
    );
    assert_eq!(out.code, 0, "{}", out.err());
    assert_eq!(
        out.out().trim(),
        format!("Removed peer with address \"{f2_addr}\"")
    );
    let gone = wait_until(Duration::from_secs(10), || {
        raft_conf(&agents[leader], "").is_some_and(|c| {
            c["Servers"]
                .as_array()
                .is_some_and(|ss| ss.iter().all(|s| s["Address"] != f2_addr.as_str()))
        })
    });
    assert!(gone, "peer not removed:\n{}", logs(&agents));
}
