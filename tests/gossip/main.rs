//! The LAN gossip pool of real `consul` processes: a five-agent pool formed
//! with `-retry-join`, failure detection after `kill -9`, rejoin from the
//! snapshot with `-rejoin`, `consul leave` seen as `left`, `-join`
//! failures, `force-leave`, `keygen`, and interop with the real HashiCorp
//! `serf agent` (plain and encrypted, both join directions).
//!
//! Every process binds a leased 127.0.x.y address; all waits are bounded.

#[path = "../common/mod.rs"]
mod common;
mod keyring;

use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{bin, get_json, reserve_ip, wait_until, Agent, AgentBuilder, IpLease};
use consul_testkit::run_cli;
use serde_json::Value;

/// Serf statuses in `/v1/agent/members`.
const ALIVE: u64 = 1;
const LEFT: u64 = 3;
const FAILED: u64 = 4;

/// `Name → (Status, Tags)` from an agent's `/v1/agent/members`.
fn members(agent: &Agent) -> BTreeMap<String, (u64, Value)> {
    let (status, _, body) = match common::http("GET", &agent.url("/v1/agent/members"), None) {
        Ok(r) => r,
        Err(_) => return BTreeMap::new(),
    };
    if status != 200 {
        return BTreeMap::new();
    }
    let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    v.as_array()
        .into_iter()
        .flatten()
        .map(|m| {
            (
                m["Name"].as_str().unwrap_or("").to_string(),
                (m["Status"].as_u64().unwrap_or(0), m["Tags"].clone()),
            )
        })
        .collect()
}

/// The status `viewer` has for `node` (0 if unknown).
fn status_of(viewer: &Agent, node: &str) -> u64 {
    members(viewer).get(node).map(|m| m.0).unwrap_or(0)
}

/// A server agent with its own data dir, `-retry-join`ing `join` (if any).
fn server(ip: &IpLease, join: Option<&IpLease>, extra: &[&str]) -> AgentBuilder {
    let mut b = AgentBuilder::new(bin(), ip.ip())
        .server(true)
        .bootstrap_expect(1);
    if let Some(j) = join {
        b = b
            .arg("-retry-join")
            .arg(&j.ip().to_string())
            .arg("-retry-interval")
            .arg("1s");
    }
    for a in extra {
        b = b.arg(a);
    }
    b
}

fn ready(mut a: Agent) -> Agent {
    a.wait_ready(Duration::from_secs(60)).expect("agent ready");
    a
}

/// Wait until `f` holds, reporting how long it took.
fn timed(max: Duration, f: impl FnMut() -> bool) -> Option<Duration> {
    let t0 = Instant::now();
    wait_until(max, f).then(|| t0.elapsed())
}

#[test]
fn five_agents_form_a_pool_detect_failure_rejoin_and_leave() {
    let ips: Vec<IpLease> = (0..5).map(|_| reserve_ip()).collect();
    let rejoin_dir = tempfile::tempdir().expect("tempdir");
    let mut agents: Vec<Agent> = Vec::new();
    for (i, ip) in ips.iter().enumerate() {
        let join = (i > 0).then(|| &ips[0]);
        let mut b = server(ip, join, &[]);
        if i == 4 {
            b = b.data_dir(rejoin_dir.path());
        }
        agents.push(b.start().expect("start"));
    }
    let agents: Vec<Agent> = agents.into_iter().map(ready).collect();
    let names: Vec<String> = agents.iter().map(|a| a.node.clone()).collect();

    // Everyone sees five alive servers.
    let t = timed(Duration::from_secs(30), || {
        agents.iter().all(|a| {
            let m = members(a);
            m.len() == 5
                && m.values()
                    .all(|(s, tags)| *s == ALIVE && tags["role"] == "consul")
        })
    });
    let t = t.unwrap_or_else(|| panic!("pool did not converge: {:?}", members(&agents[0])));
    eprintln!("five-agent pool converged {t:?} after all were ready");

    // Tags as Consul sets them.
    let m = members(&agents[2]);
    let tags = &m[&names[2]].1;
    for k in [
        "dc",
        "id",
        "port",
        "vsn",
        "vsn_min",
        "vsn_max",
        "build",
        "raft_vsn",
        "segment",
        "wan_join_port",
        "bootstrap",
    ] {
        assert!(tags.get(k).is_some(), "tag {k} missing: {tags}");
    }
    assert_eq!(tags["vsn"], "2");
    assert_eq!(tags["port"], "8300");
    let self_ = get_json(&agents[2], "/v1/agent/self");
    assert_eq!(self_["Member"]["Name"], names[2]);
    assert_eq!(self_["Member"]["Addr"], agents[2].ip.to_string());
    assert_eq!(self_["Member"]["Port"], 8301);

    // `consul members` on every agent.
    for a in &agents {
        let out = run_cli(bin(), &["members", "-http-addr", &a.http_addr], &[], None);
        assert_eq!(out.code, 0, "{}", out.err());
        let text = out.out();
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap_or("").split_whitespace().collect();
        assert_eq!(
            header,
            ["Node", "Address", "Status", "Type", "Build", "Protocol", "DC", "Segment"]
        );
        let rows: Vec<Vec<&str>> = lines.map(|l| l.split_whitespace().collect()).collect();
        assert_eq!(rows.len(), 5, "{text}");
        for r in &rows {
            assert_eq!(&r[2..4], ["alive", "server"], "{text}");
            assert!(r[1].ends_with(":8301"), "{text}");
        }
    }
    let detailed = run_cli(
        bin(),
        &["members", "-detailed", "-http-addr", &agents[0].http_addr],
        &[],
        None,
    );
    assert!(detailed.out().contains("role=consul"), "{}", detailed.out());
    let none = run_cli(
        bin(),
        &[
            "members",
            "-status",
            "failed",
            "-http-addr",
            &agents[0].http_addr,
        ],
        &[],
        None,
    );
    assert_eq!(none.code, 2);

    // kill -9 the fifth: everyone else sees it failed.
    let mut agents = agents;
    let mut victim = agents.pop().expect("five agents");
    victim.kill9();
    let victim_name = victim.node.clone();
    let t = timed(Duration::from_secs(60), || {
        agents.iter().all(|a| status_of(a, &victim_name) == FAILED)
    })
    .unwrap_or_else(|| panic!("failure not detected: {:?}", members(&agents[0])));
    eprintln!("kill -9 seen as failed by all four others after {t:?} (LAN profile)");
    drop(victim);

    // Restart it on the same data dir with only -rejoin: the snapshot
    // brings it back.
    let back = AgentBuilder::new(bin(), ips[4].ip())
        .server(true)
        .bootstrap_expect(1)
        .data_dir(rejoin_dir.path())
        .arg("-rejoin")
        .start()
        .expect("restart");
    let back = ready(back);
    assert!(
        std::fs::read_to_string(rejoin_dir.path().join("serf/local.snapshot"))
            .unwrap_or_default()
            .contains("alive: "),
        "snapshot file written"
    );
    let t = timed(Duration::from_secs(60), || {
        agents.iter().all(|a| status_of(a, &victim_name) == ALIVE) && members(&back).len() == 5
    })
    .unwrap_or_else(|| panic!("rejoin failed: {:?}\n{}", members(&agents[0]), back.log()));
    eprintln!("restarted member alive again everywhere after {t:?}");
    // Logs reach the file through the agent's writer thread: allow it a moment.
    assert!(
        wait_until(Duration::from_secs(5), || back
            .log()
            .contains("Re-joined to previously known node")),
        "{}",
        back.log()
    );

    // `consul leave` on the fourth: the others see it left, and it exits.
    let mut leaver = agents.pop().expect("four agents");
    let out = run_cli(
        bin(),
        &["leave", "-http-addr", &leaver.http_addr],
        &[],
        None,
    );
    assert_eq!(out.code, 0, "{}", out.err());
    assert!(out.out().contains("Graceful leave complete"));
    let leaver_name = leaver.node.clone();
    let t = timed(Duration::from_secs(30), || {
        agents.iter().all(|a| status_of(a, &leaver_name) == LEFT)
            && status_of(&back, &leaver_name) == LEFT
    })
    .unwrap_or_else(|| panic!("leave not seen: {:?}", members(&agents[0])));
    eprintln!("consul leave seen as left everywhere {t:?} after the CLI returned");
    leaver
        .wait_exit(Duration::from_secs(20))
        .expect("left agent exits");
}

/// A dev agent on `ip` with extra arguments, ready.
fn dev(ip: &IpLease, extra: &[&str]) -> Agent {
    let mut b = AgentBuilder::new(bin(), ip.ip()).dev(true);
    for a in extra {
        b = b.arg(a);
    }
    ready(b.start().expect("start"))
}

#[test]
fn join_cli_force_leave_and_prune() {
    let (ip1, ip2) = (reserve_ip(), reserve_ip());
    let a = dev(&ip1, &[]);
    let mut b = dev(&ip2, &[]);
    let out = run_cli(
        bin(),
        &["join", "-http-addr", &a.http_addr, &ip2.ip().to_string()],
        &[],
        None,
    );
    assert_eq!(out.code, 0, "{}", out.err());
    assert_eq!(
        out.out().trim(),
        "Successfully joined cluster by contacting 1 nodes."
    );
    assert!(wait_until(Duration::from_secs(10), || members(&b).len() == 2));

    // Joining nobody fails with memberlist's reason.
    let dead = reserve_ip();
    let (status, text) = common::call(&a, "PUT", &format!("/v1/agent/join/{}", dead.ip()), None);
    assert_eq!(status, 500);
    assert!(text.contains("Failed to join"), "{text}");
    let (status, _) = common::call(&a, "GET", "/v1/agent/members?wan=1", None);
    assert_eq!(status, 200);

    // Unknown node.
    let out = run_cli(
        bin(),
        &["force-leave", "-http-addr", &a.http_addr, "nope"],
        &[],
        None,
    );
    assert_eq!(out.code, 1);
    assert!(
        out.err().contains("No node found with name 'nope'"),
        "{}",
        out.err()
    );

    // Dev timings: a killed member fails within a couple of seconds.
    b.kill9();
    let t = timed(Duration::from_secs(20), || status_of(&a, &b.node) == FAILED)
        .expect("failure detected");
    eprintln!("kill -9 seen as failed after {t:?} (dev profile)");
    let out = run_cli(
        bin(),
        &["force-leave", "-http-addr", &a.http_addr, &b.node],
        &[],
        None,
    );
    assert_eq!(out.code, 0, "{}", out.err());
    assert!(wait_until(Duration::from_secs(5), || status_of(
        &a, &b.node
    ) == LEFT));
    let out = run_cli(
        bin(),
        &["force-leave", "-prune", "-http-addr", &a.http_addr, &b.node],
        &[],
        None,
    );
    assert_eq!(out.code, 0, "{}", out.err());
    assert!(wait_until(Duration::from_secs(5), || !members(&a)
        .contains_key(&b.node)));
}

#[test]
fn start_join_failure_and_retry_max_exit_1() {
    let (ip, dead) = (reserve_ip(), reserve_ip());
    let mut a = AgentBuilder::new(bin(), ip.ip())
        .dev(true)
        .arg("-join")
        .arg(&dead.ip().to_string())
        .start()
        .expect("start");
    let status = a.wait_exit(Duration::from_secs(30)).expect("exits");
    assert_eq!(status.code(), Some(1), "{}", a.log());
    assert!(
        a.log()
            .contains(&format!("Failed to join {}:8301", dead.ip())),
        "{}",
        a.log()
    );

    let mut a = AgentBuilder::new(bin(), ip.ip())
        .dev(true)
        .arg("-retry-join")
        .arg(&dead.ip().to_string())
        .arg("-retry-interval")
        .arg("100ms")
        .arg("-retry-max")
        .arg("2")
        .start()
        .expect("start");
    let status = a.wait_exit(Duration::from_secs(30)).expect("exits");
    assert_eq!(status.code(), Some(1), "{}", a.log());
    assert!(
        a.log().contains("Join cluster failed, will retry"),
        "{}",
        a.log()
    );
    assert!(a.log().contains("retry exhausted"), "{}", a.log());
}

#[test]
fn keygen_prints_a_32_byte_key() {
    use base64::Engine;
    let out = run_cli(bin(), &["keygen"], &[], None);
    assert_eq!(out.code, 0);
    let key = base64::engine::general_purpose::STANDARD
        .decode(out.out().trim())
        .expect("base64");
    assert_eq!(key.len(), 32);
    assert_ne!(out.out(), run_cli(bin(), &["keygen"], &[], None).out());
}

// ---- interop with the real serf agent ----

fn serf_available() -> bool {
    Command::new("serf")
        .arg("version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// A `serf agent` on `ip:7946` (RPC on `ip:7373`), killed on drop.
struct SerfAgent {
    child: Child,
    ip: String,
    name: String,
}

impl SerfAgent {
    fn start(name: &str, ip: &IpLease, key: Option<&str>, join: Option<&str>) -> SerfAgent {
        let ip = ip.ip().to_string();
        let mut cmd = Command::new("serf");
        cmd.arg("agent")
            .arg(format!("-node={name}"))
            .arg(format!("-bind={ip}:7946"))
            .arg(format!("-rpc-addr={ip}:7373"))
            .arg("-tag=role=serf")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if let Some(k) = key {
            cmd.arg(format!("-encrypt={k}"));
        }
        if let Some(j) = join {
            cmd.arg(format!("-join={j}"));
        }
        let child = cmd.spawn().expect("spawn serf");
        let s = SerfAgent {
            child,
            ip,
            name: name.to_string(),
        };
        assert!(
            wait_until(Duration::from_secs(10), || std::net::TcpStream::connect(
                format!("{}:7373", s.ip)
            )
            .is_ok()),
            "serf agent RPC did not come up"
        );
        s
    }

    fn members(&self) -> String {
        let out = Command::new("serf")
            .args(["members", &format!("-rpc-addr={}:7373", self.ip)])
            .output()
            .expect("serf members");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

impl Drop for SerfAgent {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn interop(key: Option<&str>) {
    let (ip_a, ip_s1, ip_s2) = (reserve_ip(), reserve_ip(), reserve_ip());
    let extra: Vec<&str> = match key {
        Some(k) => vec!["-encrypt", k],
        None => vec![],
    };
    let a = dev(&ip_a, &extra);
    // serf joins us.
    let s1 = SerfAgent::start(
        "serf-one",
        &ip_s1,
        key,
        Some(&format!("{}:8301", ip_a.ip())),
    );
    let t = timed(Duration::from_secs(10), || {
        status_of(&a, &s1.name) == ALIVE && s1.members().contains(&a.node)
    })
    .unwrap_or_else(|| panic!("serf did not join: {:?}\n{}", members(&a), s1.members()));
    eprintln!(
        "serf agent joined our pool in {t:?} (encrypted: {})",
        key.is_some()
    );
    assert_eq!(members(&a)[&s1.name].1["role"], "serf");
    let line = s1.members();
    let ours = line.lines().find(|l| l.starts_with(&a.node)).unwrap_or("");
    assert!(
        ours.contains("alive") && ours.contains("role=consul"),
        "{line}"
    );

    // We join another serf agent with `consul join`.
    let s2 = SerfAgent::start("serf-two", &ip_s2, key, None);
    let out = run_cli(
        bin(),
        &[
            "join",
            "-http-addr",
            &a.http_addr,
            &format!("{}:7946", ip_s2.ip()),
        ],
        &[],
        None,
    );
    assert_eq!(out.code, 0, "{}", out.err());
    assert_eq!(
        out.out().trim(),
        "Successfully joined cluster by contacting 1 nodes."
    );
    assert!(
        wait_until(Duration::from_secs(10), || {
            let m = members(&a);
            m.len() == 3
                && m.values().all(|v| v.0 == ALIVE)
                && s2.members().lines().filter(|l| l.contains("alive")).count() == 3
        }),
        "three-member pool: {:?}\n{}",
        members(&a),
        s2.members()
    );
}

#[test]
fn serf_agent_interop_plain() {
    if !serf_available() {
        eprintln!(
            "NOTICE: `serf` not installed; skipping serf interop (scripts/test.sh installs it)"
        );
        return;
    }
    interop(None);
}

#[test]
fn serf_agent_interop_encrypted() {
    if !serf_available() {
        eprintln!(
            "NOTICE: `serf` not installed; skipping serf interop (scripts/test.sh installs it)"
        );
        return;
    }
    let key = run_cli(bin(), &["keygen"], &[], None).out();
    interop(Some(key.trim()));
}
