//! The DNS interface of a real agent, asked with `dig` as the seed
//! walkthroughs do (`dig @127.0.0.1 -p 8600 web.service.consul SRV`).

#[path = "../common/mod.rs"]
mod common;

use std::process::Command;
use std::time::Duration;

use common::*;

/// Run dig against the agent; `+short` output lines.
fn dig(agent: &Agent, args: &[&str]) -> Vec<String> {
    let out = Command::new("dig")
        .arg(format!("@{}", agent.ip))
        .args(["-p", "8600", "+short", "+time=5", "+tries=2"])
        .args(args)
        .output()
        .expect("dig is installed (scripts/test.sh installs bind9-dnsutils)");
    assert!(
        out.status.success(),
        "dig failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut lines: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    lines.sort();
    lines
}

fn dig_status(agent: &Agent, name: &str) -> String {
    let out = Command::new("dig")
        .arg(format!("@{}", agent.ip))
        .args(["-p", "8600", "+time=5", "+tries=2", name])
        .output()
        .expect("dig is installed");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.split("status: ")
        .nth(1)
        .and_then(|s| s.split(',').next())
        .unwrap_or("")
        .to_string()
}

/// Register three `web` instances (passing, warning, critical) through
/// `registrar` and check every service and node form asked of `asker`;
/// `server` is the agent running the server (the `consul` service).
fn assert_service_and_node_forms(asker: &Agent, registrar: &Agent, server: &Agent) {
    for (node, addr, status) in [
        ("a1", "10.0.0.1", "passing"),
        ("a2", "10.0.0.2", "warning"),
        ("a3", "10.0.0.3", "critical"),
    ] {
        let reg = format!(
            r#"{{"Node":"{node}","Address":"{addr}","Service":{{"Service":"web","Tags":["rails"],"Port":80}},
                "Check":{{"CheckID":"c-{node}","Name":"c","Status":"{status}","ServiceID":"web"}}}}"#
        );
        put_ok(registrar, "/v1/catalog/register", &reg);
    }
    // critical instances are never served
    assert_eq!(
        dig(asker, &["web.service.consul", "A"]),
        ["10.0.0.1", "10.0.0.2"]
    );
    assert_eq!(
        dig(asker, &["rails.web.service.dc1.consul", "A"]),
        ["10.0.0.1", "10.0.0.2"]
    );
    let srv = dig(asker, &["web.service.consul", "SRV"]);
    assert_eq!(srv.len(), 2, "{srv:?}");
    assert!(
        srv.iter()
            .all(|l| l.starts_with("1 1 80 ") && l.contains(".node.dc1.consul.")),
        "{srv:?}"
    );
    assert_eq!(dig(asker, &["_web._tcp.service.consul", "SRV"]).len(), 2);
    assert_eq!(
        dig(asker, &["+tcp", "web.service.consul", "A"]),
        ["10.0.0.1", "10.0.0.2"]
    );
    // nodes
    assert_eq!(dig(asker, &["a2.node.consul", "A"]), ["10.0.0.2"]);
    assert_eq!(
        dig(asker, &[&format!("{}.node.dc1.consul", server.node), "A"]),
        [server.ip.to_string()]
    );
    assert_eq!(dig(asker, &["-x", "10.0.0.3"]), ["a3.node.dc1.consul."]);
    // misses
    assert_eq!(dig_status(asker, "nope.service.consul"), "NXDOMAIN");
    assert_eq!(dig_status(asker, "web.service.mars.consul"), "NXDOMAIN");
    // the server itself is the consul service
    assert_eq!(
        dig(asker, &["consul.service.consul", "A"]),
        [server.ip.to_string()]
    );
}

#[test]
fn services_and_nodes_resolve_with_health_filtering() {
    let (_ip, agent) = dev_agent();
    assert_service_and_node_forms(&agent, &agent, &agent);
}

/// A client agent answers DNS by asking a server (stale reads).
#[test]
fn a_client_agent_answers_the_same_forms() {
    let (_sip, server) = dev_agent();
    let cip = reserve_ip();
    let mut client = AgentBuilder::new(bin(), cip.ip())
        .node("dns-client")
        .arg("-join")
        .arg(&server.ip.to_string())
        .start()
        .expect("client starts");
    client
        .wait_ready(Duration::from_secs(30))
        .expect("client finds the server");
    assert_service_and_node_forms(&client, &server, &server);
    // The client's own node reaches the catalog through the leader.
    assert!(wait_until(Duration::from_secs(20), || dig(
        &client,
        &["dns-client.node.consul", "A"]
    ) == [cip
        .ip()
        .to_string()]));
}

#[test]
fn tcp_queries_and_names_outside_the_domain() {
    let (_ip, agent) = dev_agent();
    put_ok(
        &agent,
        "/v1/catalog/register",
        r#"{"Node":"b1","Address":"10.9.9.9","Service":{"Service":"db","Port":5432}}"#,
    );
    assert_eq!(
        dig(&agent, &["+tcp", "db.service.consul", "A"]),
        ["10.9.9.9"]
    );
    // no recursors configured: refused
    assert_eq!(dig_status(&agent, "example.com"), "REFUSED");
}
