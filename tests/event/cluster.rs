//! Events in a cluster: three servers, a client agent and a real `serf agent` in one LAN
//! pool. An event fired on the client is forwarded to a server (`Internal.EventFire`),
//! gossiped to everyone once, and kept or dropped by each receiver's filters.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

use super::common::*;
use super::{events, fire};

fn server(ip: &IpLease, n: usize, dir: &Path, join: &IpLease) -> Agent {
    AgentBuilder::new(bin(), ip.ip())
        .server(true)
        .bootstrap_expect(3)
        .data_dir(dir)
        .node(&format!("s{n}"))
        .arg("-retry-join")
        .arg(&join.ip().to_string())
        .arg("-retry-interval")
        .arg("1s")
        .start()
        .unwrap()
}

fn client(ip: &IpLease, join: &IpLease) -> Agent {
    AgentBuilder::new(bin(), ip.ip())
        .node("c1")
        .arg("-retry-join")
        .arg(&join.ip().to_string())
        .arg("-retry-interval")
        .arg("1s")
        .start()
        .unwrap()
}

/// A HashiCorp `serf agent` whose event handler appends every event's type, name and
/// payload to a file; killed on drop.
struct Serf {
    child: Child,
    log: std::path::PathBuf,
    /// The agent's RPC address, for `serf members`.
    rpc: String,
    _dir: tempfile::TempDir,
}

impl Serf {
    fn start(ip: &IpLease, join: &IpLease) -> Option<Serf> {
        let ok = Command::new("serf")
            .arg("version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            eprintln!("NOTICE: `serf` not installed; skipping the serf agent part");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("events.log");
        let handler = dir.path().join("handler.sh");
        std::fs::write(
            &handler,
            format!(
                "#!/bin/sh\n{{ echo \"$SERF_EVENT $SERF_USER_EVENT\"; cat; echo; }} >> {}\n",
                log.display()
            ),
        )
        .unwrap();
        std::fs::set_permissions(
            &handler,
            std::os::unix::fs::PermissionsExt::from_mode(0o755),
        )
        .unwrap();
        let ip = ip.ip().to_string();
        let child = Command::new("serf")
            .arg("agent")
            .arg("-node=serf1")
            .arg(format!("-bind={ip}:7946"))
            .arg(format!("-rpc-addr={ip}:7373"))
            // -join gives up (and the agent exits) if the server's gossip
            // port is not open yet; -retry-join waits for it.
            .arg(format!("-retry-join={}:8301", join.ip()))
            .arg("-retry-interval=1s")
            .arg(format!("-event-handler={}", handler.display()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn serf");
        Some(Serf {
            child,
            log,
            rpc: format!("{ip}:7373"),
            _dir: dir,
        })
    }

    /// Alive members the serf agent itself knows (`serf members`). Serf
    /// ignores user events older than the clock it learned when its join
    /// finished, so events must wait for that.
    fn alive_members(&self) -> usize {
        Command::new("serf")
            .args([
                "members",
                "-status=alive",
                &format!("-rpc-addr={}", self.rpc),
            ])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).lines().count())
            .unwrap_or(0)
    }

    fn seen(&self) -> String {
        std::fs::read(&self.log)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    }
}

impl Drop for Serf {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn alive_members(a: &Agent) -> usize {
    match http("GET", &a.url("/v1/agent/members"), None) {
        Ok((200, _, b)) => serde_json::from_slice::<Value>(&b)
            .ok()
            .and_then(|v| v.as_array().cloned())
            .unwrap_or_default()
            .iter()
            .filter(|m| m["Status"] == 1)
            .count(),
        _ => 0,
    }
}

fn has_leader(a: &Agent) -> bool {
    http("GET", &a.url("/v1/status/leader"), None).is_ok_and(|(s, _, b)| s == 200 && b.len() > 2)
}

#[test]
fn events_fired_on_a_client_reach_every_agent_and_a_serf_agent_once() {
    let ips: Vec<IpLease> = (0..5).map(|_| reserve_ip()).collect();
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let servers: Vec<Agent> = (0..3)
        .map(|i| server(&ips[i], i + 1, dirs[i].path(), &ips[0]))
        .collect();
    let c = client(&ips[3], &ips[0]);
    let serf = Serf::start(&ips[4], &ips[0]);
    let members = if serf.is_some() { 5 } else { 4 };
    let all: Vec<&Agent> = servers.iter().chain([&c]).collect();
    let formed = wait_until(Duration::from_secs(90), || {
        all.iter()
            .all(|a| has_leader(a) && alive_members(a) == members)
            && serf.as_ref().is_none_or(|s| s.alive_members() == members)
    });
    let logs = || {
        all.iter()
            .map(|a| format!("== {}\n{}", a.node, a.log()))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let counts: Vec<(String, bool, usize)> = all
        .iter()
        .map(|a| (a.node.clone(), has_leader(a), alive_members(a)))
        .collect();
    assert!(
        formed,
        "cluster did not form (node, has leader, alive members): {counts:?}, serf sees {:?}:\n{}",
        serf.as_ref().map(|s| s.alive_members()),
        logs()
    );

    // A service on the client for the service and tag filters.
    put_ok(
        &c,
        "/v1/agent/service/register",
        r#"{"Name":"web","ID":"web-1","Tags":["v2","primary"],"Port":80}"#,
    );

    let everyone = fire(&c, "/v1/event/fire/deploy", b"build-42");
    let only_s2 = fire(&c, "/v1/event/fire/node-only?node=%5Es2%24", b"");
    let web_v2 = fire(&c, "/v1/event/fire/svc?service=%5Eweb&tag=%5Ev2%24", b"");
    let web_canary = fire(&c, "/v1/event/fire/svc?service=web&tag=canary", b"");
    let marker = fire(&c, "/v1/event/fire/marker", b"");

    let id = |v: &Value| v["ID"].as_str().unwrap().to_string();
    // Gossip does not keep order: wait until every agent holds each event
    // meant for it (the filtered ones on their one agent), then check that
    // nothing else arrived and nothing arrived twice.
    let expected = |a: &Agent| {
        let mut ids = vec![id(&everyone), id(&marker)];
        if a.node == "s2" {
            ids.push(id(&only_s2));
        }
        if a.node == "c1" {
            ids.push(id(&web_v2));
        }
        ids
    };
    let delivered = wait_until(Duration::from_secs(30), || {
        all.iter().all(|a| {
            let got: Vec<String> = events(a, "")
                .iter()
                .map(|e| e["ID"].as_str().unwrap_or_default().to_string())
                .collect();
            expected(a).iter().all(|want| got.contains(want))
        })
    });
    assert!(delivered, "events not delivered everywhere:\n{}", logs());

    for a in &all {
        let got: Vec<String> = events(a, "")
            .iter()
            .map(|e| e["ID"].as_str().unwrap().to_string())
            .collect();
        let count = |v: &Value| got.iter().filter(|g| **g == id(v)).count();
        assert_eq!(
            count(&everyone),
            1,
            "{}: one copy of the unfiltered event: {got:?}",
            a.node
        );
        assert_eq!(
            count(&only_s2),
            usize::from(a.node == "s2"),
            "{}: node filter",
            a.node
        );
        assert_eq!(
            count(&web_v2),
            usize::from(a.node == "c1"),
            "{}: service+tag filter",
            a.node
        );
        assert_eq!(
            count(&web_canary),
            0,
            "{}: no service has tag canary",
            a.node
        );
        assert_eq!(count(&marker), 1);
        let deploy = events(a, "?name=deploy");
        assert_eq!(deploy[0]["Payload"], "YnVpbGQtNDI=", "{}", a.node);
        assert_eq!(deploy[0]["Version"], 1);
    }
    // Every agent saw the same Lamport time for the same event.
    let ltimes: Vec<Value> = all
        .iter()
        .map(|a| events(a, "?name=deploy")[0]["LTime"].clone())
        .collect();
    assert!(ltimes.windows(2).all(|w| w[0] == w[1]), "{ltimes:?}");

    if let Some(serf) = &serf {
        // Gossip keeps no order (newer broadcasts go out first): wait for
        // every event the serf agent must see, then count.
        let ok = wait_until(Duration::from_secs(30), || {
            let seen = serf.seen();
            [&everyone, &only_s2, &web_v2, &web_canary, &marker]
                .iter()
                .all(|e| seen.contains(&id(e)))
        });
        let seen = serf.seen();
        assert!(ok, "serf agent did not see the events:\n{seen}");
        // The serf agent receives every event (filters are Consul's, applied by Consul
        // agents), under Consul's serf name, exactly once.
        assert_eq!(
            seen.matches("user consul:event:deploy").count(),
            1,
            "{seen}"
        );
        assert_eq!(seen.matches(&id(&everyone)).count(), 1, "{seen}");
        assert!(seen.contains("build-42"), "{seen}");
        assert!(seen.contains("user consul:event:node-only"), "{seen}");
    }
}
