//! Gossip key rotation with `consul keyring` over real agents: install,
//! use and remove across a three-server pool (the pool keeps working, and a
//! member that only knows the new key joins), the keyring file following
//! along, Consul's errors without encryption or on a client agent, and a
//! real `serf agent` answering our `_serf_list-keys` query.

use std::time::Duration;

use consul_testkit::run_cli;
use serde_json::Value;

use super::common::{bin, call, reserve_ip, wait_until, Agent, AgentBuilder};
use super::{members, ready, serf_available, server, timed, SerfAgent, ALIVE};

fn keyring(agent: &Agent, args: &[&str]) -> consul_testkit::CliOutput {
    let mut argv = vec!["keyring", "-http-addr", &agent.http_addr];
    argv.extend_from_slice(args);
    run_cli(bin(), &argv, &[], None)
}

fn keygen() -> String {
    run_cli(bin(), &["keygen"], &[], None)
        .out()
        .trim()
        .to_string()
}

/// GET /v1/operator/keyring as JSON (status, body).
fn list_json(agent: &Agent) -> (u16, Value) {
    let (status, text) = call(agent, "GET", "/v1/operator/keyring", None);
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

fn pool_alive(agents: &[&Agent], n: usize) -> bool {
    agents.iter().all(|a| {
        let m = members(a);
        m.len() == n && m.values().all(|(s, _)| *s == ALIVE)
    })
}

#[test]
fn keyring_install_use_remove_across_three_servers() {
    let (k1, k2) = (keygen(), keygen());
    let ips: Vec<_> = (0..4).map(|_| reserve_ip()).collect();
    let agents: Vec<Agent> = (0..3)
        .map(|i| {
            let join = (i > 0).then(|| &ips[0]);
            server(&ips[i], join, &["-encrypt", &k1])
                .start()
                .expect("start")
        })
        .collect();
    let agents: Vec<Agent> = agents.into_iter().map(ready).collect();
    let refs: Vec<&Agent> = agents.iter().collect();
    timed(Duration::from_secs(30), || pool_alive(&refs, 3))
        .unwrap_or_else(|| panic!("pool did not form: {:?}", members(&agents[0])));

    // List: one LAN pool, the -encrypt key on 3/3.
    let out = keyring(&agents[1], &["-list"]);
    assert_eq!(out.code, 0, "{}", out.err());
    assert_eq!(
        out.out(),
        format!("==> Gathering installed encryption keys...\n\ndc1 (LAN):\n  {k1} [3/3]\n")
    );
    let (status, v) = list_json(&agents[0]);
    assert_eq!(status, 200, "{v}");
    assert_eq!(v[0]["WAN"], false);
    assert_eq!(v[0]["Datacenter"], "dc1");
    assert_eq!(v[0]["Segment"], "");
    assert_eq!(v[0]["NumNodes"], 3);
    assert_eq!(v[0]["Keys"][&k1], 3);
    assert_eq!(v[0]["PrimaryKeys"][&k1], 3);

    // Install the new key everywhere.
    let out = keyring(&agents[0], &["-install", &k2]);
    assert_eq!(out.code, 0, "{}", out.err());
    assert_eq!(out.out(), "==> Installing new gossip encryption key...\n");
    let text = keyring(&agents[2], &["-list"]).out();
    assert!(text.contains(&format!("  {k1} [3/3]")), "{text}");
    assert!(text.contains(&format!("  {k2} [3/3]")), "{text}");

    // Use it; the old primary can then be removed, the new one cannot.
    let out = keyring(&agents[1], &["-use", &k2]);
    assert_eq!(out.code, 0, "{}", out.err());
    assert_eq!(out.out(), "==> Changing primary gossip encryption key...\n");
    assert_eq!(list_json(&agents[0]).1[0]["PrimaryKeys"][&k2], 3);
    let out = keyring(&agents[0], &["-remove", &k2]);
    assert_eq!(out.code, 1);
    assert!(
        out.err()
            .starts_with("error: Unexpected response code: 500"),
        "{}",
        out.err()
    );
    assert!(
        out.err()
            .contains("dc1 (LAN) error: 3/3 nodes reported failure"),
        "{}",
        out.err()
    );
    assert!(
        out.err()
            .contains("Removing the primary key is not allowed"),
        "{}",
        out.err()
    );
    let out = keyring(&agents[0], &["-remove", &k1]);
    assert_eq!(out.code, 0, "{}", out.err());
    assert_eq!(out.out(), "==> Removing gossip encryption key...\n");
    let out = keyring(&agents[0], &["-list"]);
    assert_eq!(
        out.out(),
        format!("==> Gathering installed encryption keys...\n\ndc1 (LAN):\n  {k2} [3/3]\n")
    );
    // Every member rewrote its keyring file.
    for a in &agents {
        let dir = a.data_dir.as_ref().expect("data dir");
        let file = std::fs::read_to_string(dir.join("serf/local.keyring")).expect("keyring file");
        let keys: Vec<String> = serde_json::from_str(&file).expect("json list");
        assert_eq!(keys, std::slice::from_ref(&k2), "{}", a.node);
    }

    // The pool keeps working on the new key: a client agent that only
    // knows it joins and is seen alive by all.
    let mut client = AgentBuilder::new(bin(), ips[3].ip())
        .arg("-encrypt")
        .arg(&k2)
        .arg("-retry-join")
        .arg(&ips[0].ip().to_string())
        .arg("-retry-interval")
        .arg("1s")
        .start()
        .expect("start client");
    client
        .wait_ready(Duration::from_secs(60))
        .expect("client ready");
    let mut all: Vec<&Agent> = agents.iter().collect();
    all.push(&client);
    let t = timed(Duration::from_secs(30), || pool_alive(&all, 4))
        .unwrap_or_else(|| panic!("client did not join: {:?}", members(&agents[0])));
    eprintln!("member with only the rotated key joined in {t:?}");
    let out = keyring(&agents[2], &["-list"]);
    assert!(
        out.out().contains(&format!("  {k2} [4/4]")),
        "{}",
        out.out()
    );

    // Keyring operations run against servers only.
    let out = keyring(&client, &["-list"]);
    assert_eq!(out.code, 1);
    assert!(
        out.err()
            .contains("keyring operations must run against a server node"),
        "{}",
        out.err()
    );
}

#[test]
fn keyring_without_encryption_and_bad_usage() {
    let ip = reserve_ip();
    let a = ready(
        AgentBuilder::new(bin(), ip.ip())
            .dev(true)
            .start()
            .expect("start"),
    );
    let out = keyring(&a, &["-list"]);
    assert_eq!(out.code, 1);
    assert_eq!(out.out(), "==> Gathering installed encryption keys...\n");
    assert!(
        out.err().contains(&format!(
            "dc1 (LAN) error: 1/1 nodes reported failure\n\t* {}: Keyring is empty (encryption not enabled)",
            a.node
        )),
        "{}",
        out.err()
    );
    let out = keyring(&a, &["-install", &keygen()]);
    assert_eq!(out.code, 1);
    assert!(
        out.err()
            .contains("No keyring to modify (encryption not enabled)"),
        "{}",
        out.err()
    );

    let out = keyring(&a, &["-list", "-install", "x"]);
    assert_eq!(
        (out.code, out.err().trim()),
        (1, "Only a single action is allowed")
    );
    let out = keyring(&a, &[]);
    assert_eq!(out.code, 1);
    assert!(
        out.err().starts_with("Usage: consul keyring [options]"),
        "{}",
        out.err()
    );
    let out = keyring(&a, &["-list", "-relay-factor", "9"]);
    assert_eq!(
        out.err().trim(),
        "Error parsing relay factor: Relay factor must be in range: [0, 5]"
    );
    let (status, text) = call(&a, "GET", "/v1/operator/keyring?relay-factor=6", None);
    assert_eq!(status, 400, "{text}");
    let (status, _) = call(&a, "PATCH", "/v1/operator/keyring", None);
    assert_eq!(status, 405);
}

#[test]
fn real_serf_agent_answers_our_list_keys_query() {
    if !serf_available() {
        eprintln!(
            "NOTICE: `serf` not installed; skipping serf interop (scripts/test.sh installs it)"
        );
        return;
    }
    let key = keygen();
    let (ip_a, ip_s) = (reserve_ip(), reserve_ip());
    let a = ready(
        server(&ip_a, None, &["-encrypt", &key])
            .start()
            .expect("start"),
    );
    let s = SerfAgent::start(
        "serf-keys",
        &ip_s,
        Some(&key),
        Some(&format!("{}:8301", ip_a.ip())),
    );
    assert!(
        wait_until(Duration::from_secs(10), || members(&a)
            .get(&s.name)
            .is_some_and(|m| m.0 == ALIVE)),
        "serf did not join: {:?}",
        members(&a)
    );
    let out = keyring(&a, &["-list"]);
    assert_eq!(out.code, 0, "{}", out.err());
    assert!(
        out.out().contains(&format!("  {key} [2/2]")),
        "{}",
        out.out()
    );

    // A key installed through Consul reaches serf's keyring too.
    let k2 = keygen();
    let out = keyring(&a, &["-install", &k2]);
    assert_eq!(out.code, 0, "{}", out.err());
    let out = keyring(&a, &["-list"]);
    assert!(
        out.out().contains(&format!("  {k2} [2/2]")),
        "{}",
        out.out()
    );
}
