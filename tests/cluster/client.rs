//! Client agents (no `-server`): they hold no state and forward every call
//! to a server of their datacenter found through LAN gossip.

use std::process::Command;
use std::time::Duration;

use serde_json::Value;

use super::common::*;
use super::{agree_on_leader, leader_of, serf_status, server};
use consul_testkit::run_cli;

fn client(ip: &IpLease, name: &str, join: &IpLease) -> Agent {
    AgentBuilder::new(bin(), ip.ip())
        .node(name)
        .arg("-retry-join")
        .arg(&join.ip().to_string())
        .arg("-retry-interval")
        .arg("1s")
        .start()
        .unwrap()
}

fn logs(agents: &[&Agent]) -> String {
    agents
        .iter()
        .map(|a| format!("== {}\n{}", a.node, a.log()))
        .collect::<Vec<_>>()
        .join("\n")
}

fn dig_short(agent: &Agent, name: &str) -> Vec<String> {
    let out = Command::new("dig")
        .arg(format!("@{}", agent.ip))
        .args(["-p", "8600", "+short", "+time=5", "+tries=2", name])
        .output()
        .expect("dig is installed (scripts/test.sh installs bind9-dnsutils)");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

/// The seed scenario: three servers with `-bootstrap-expect 3` and one
/// client agent; every call made on the client works, and keeps working
/// when the leader is killed.
#[test]
fn a_client_agent_forwards_everything_to_the_servers() {
    let ips: Vec<IpLease> = (0..4).map(|_| reserve_ip()).collect();
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let mut servers: Vec<Agent> = (0..3)
        .map(|i| server(&ips[i], i + 1, dirs[i].path(), &ips[0]))
        .collect();
    let c = client(&ips[3], "c1", &ips[0]);

    let formed = wait_until(Duration::from_secs(60), || {
        agree_on_leader(servers.iter().chain([&c]), 3)
    });
    let all = |servers: &[Agent]| logs(&servers.iter().chain([&c]).collect::<Vec<_>>());
    assert!(formed, "cluster did not form; logs:\n{}", all(&servers));

    // `consul members` on the client: four alive members, one of them a
    // client (gossip may still be spreading the last joins when Raft has formed).
    let members_out = || run_cli(bin(), &["members", "-http-addr", &c.http_addr], &[], None).out();
    let mut out = String::new();
    let four = wait_until(Duration::from_secs(30), || {
        out = members_out();
        out.lines().filter(|l| l.contains(" alive ")).count() == 4
    });
    assert!(four, "members on the client:\n{out}");
    let c1 = out
        .lines()
        .find(|l| l.starts_with("c1 "))
        .expect("c1 listed");
    assert!(c1.contains(" client "), "{c1}");
    assert_eq!(
        out.lines().filter(|l| l.contains(" server ")).count(),
        3,
        "{out}"
    );

    // KV through the client: written on the leader, read back everywhere.
    assert_eq!(put_ok(&c, "/v1/kv/app/config", "v1"), "true");
    assert_eq!(get_json(&c, "/v1/kv/app/config")[0]["Value"], "djE=");
    assert_eq!(
        get_json(&servers[1], "/v1/kv/app/config")[0]["Value"],
        "djE="
    );
    assert_eq!(
        put_ok(&c, "/v1/kv/app/config?cas=1", "nope"),
        "false",
        "a CAS with a stale index fails through the client too"
    );

    // A stale read through the client carries the leader headers. (It is
    // answered by whichever server the client picks; on a loaded machine one
    // may be between elections for a moment, so allow a few tries.)
    let mut last = None;
    let with_leader = wait_until(Duration::from_secs(10), || {
        let (status, headers, _) = http("GET", &c.url("/v1/kv/app/config?stale"), None).unwrap();
        let ok = status == 200
            && header(&headers, "X-Consul-KnownLeader") == Some("true")
            && header(&headers, "X-Consul-LastContact").is_some();
        last = Some((status, headers));
        ok
    });
    assert!(with_leader, "stale read through the client: {last:?}");

    // The leader registers the client node with a passing serfHealth.
    assert!(
        wait_until(Duration::from_secs(20), || serf_status(&servers[0], "c1")
            .as_deref()
            == Some("passing")),
        "client node never reached the catalog; logs:\n{}",
        all(&servers)
    );

    // A service registered on the client agent, with a TTL check, is in
    // the catalog the servers hold, and its health follows the check.
    let svc = r#"{"Name":"web","Port":80,"Check":{"TTL":"30s"}}"#;
    assert_eq!(
        call(
            &c,
            "PUT",
            "/v1/agent/service/register",
            Some(svc.as_bytes())
        )
        .0,
        200
    );
    assert!(wait_until(Duration::from_secs(10), || {
        http(
            "GET",
            &servers[2].url("/v1/catalog/service/web?stale"),
            None,
        )
        .ok()
        .and_then(|(_, _, b)| serde_json::from_slice::<Value>(&b).ok())
        .is_some_and(|v| v[0]["Node"] == "c1" && v[0]["ServicePort"] == 80)
    }));
    assert_eq!(
        call(&c, "PUT", "/v1/agent/check/pass/service:web", None).0,
        200
    );
    let passing = get_json(&c, "/v1/health/service/web?passing");
    assert_eq!(passing.as_array().map(Vec::len), Some(1), "{passing}");

    // DNS on the client agent answers from the servers' catalog.
    let ip = ips[3].ip().to_string();
    assert!(
        wait_until(Duration::from_secs(10), || dig_short(
            &c,
            "web.service.consul"
        ) == [ip.clone()]),
        "dig web.service.consul on the client: {:?}",
        dig_short(&c, "web.service.consul")
    );

    // Kill the leader: writes through the client resume on the new one.
    let leader_addr = leader_of(&c);
    let leader = servers
        .iter()
        .position(|s| leader_addr.starts_with(&format!("{}:", s.ip)))
        .expect("leader is one of the servers");
    servers[leader].kill9();
    let resumed = wait_until(Duration::from_secs(30), || {
        http("PUT", &c.url("/v1/kv/app/after"), Some(b"v2"))
            .is_ok_and(|(s, _, b)| s == 200 && b == b"true")
    });
    assert!(
        resumed,
        "writes via the client did not resume; logs:\n{}",
        all(&servers)
    );
    assert_eq!(get_json(&c, "/v1/kv/app/after")[0]["Value"], "djI=");
    assert_ne!(leader_of(&c), leader_addr, "a new leader serves the client");
}

/// A client agent that knows no server answers as Consul's does.
#[test]
fn a_client_without_servers_says_so() {
    let ip = reserve_ip();
    let c = AgentBuilder::new(bin(), ip.ip())
        .node("lonely")
        .start()
        .unwrap();
    let answered = wait_until(Duration::from_secs(20), || {
        http("GET", &c.url("/v1/kv/x"), None).is_ok_and(|(s, _, b)| {
            s == 500 && String::from_utf8_lossy(&b).contains("No known Consul servers")
        })
    });
    assert!(answered, "log:\n{}", c.log());
    // The agent's own endpoints need no server.
    assert_eq!(call(&c, "GET", "/v1/agent/self", None).0, 200);
}
