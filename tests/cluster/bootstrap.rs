//! Bootstrapping happens exactly once: never again after a full restart, and
//! never by joining two servers that each bootstrapped in `-bootstrap` mode.

use std::time::Duration;

use super::common::*;
use super::{formed, leader_of, peers_of, server};

const BOOTSTRAPPED: &str = "found expected number of peers, bootstrapping Raft";

#[test]
fn a_restarted_cluster_never_bootstraps_again() {
    let ips: Vec<IpLease> = (0..3).map(|_| reserve_ip()).collect();
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let mut servers: Vec<Agent> = (0..3)
        .map(|i| server(&ips[i], i + 1, dirs[i].path(), &ips[0]))
        .collect();
    assert!(formed(&servers), "cluster did not form");
    assert_eq!(put_ok(&servers[1], "/v1/kv/kept", "1"), "true");
    let before: Vec<usize> = servers
        .iter()
        .map(|s| s.log().matches(BOOTSTRAPPED).count())
        .collect();
    assert!(before.iter().sum::<usize>() >= 1, "someone bootstrapped");

    // Everyone goes down hard, everyone comes back.
    for s in &mut servers {
        s.kill9();
    }
    for s in &mut servers {
        s.restart().unwrap();
    }
    assert!(formed(&servers), "cluster did not come back");
    assert_eq!(get_json(&servers[2], "/v1/kv/kept")[0]["Value"], "MQ==");
    let after: Vec<usize> = servers
        .iter()
        .map(|s| s.log().matches(BOOTSTRAPPED).count())
        .collect();
    assert_eq!(before, after, "a restarted server bootstrapped again");
}

fn bootstrap_server(ip: &IpLease, name: &str, join: Option<&IpLease>) -> Agent {
    let mut b = AgentBuilder::new(bin(), ip.ip())
        .server(true)
        .node(name)
        .arg("-bootstrap")
        .arg("-hcl")
        .arg("performance { raft_multiplier = 1 }");
    if let Some(j) = join {
        b = b
            .arg("-retry-join")
            .arg(&j.ip().to_string())
            .arg("-retry-interval")
            .arg("1s");
    }
    b.start().unwrap()
}

#[test]
fn two_bootstrap_mode_servers_are_never_joined_into_one_raft() {
    let (ip1, ip2) = (reserve_ip(), reserve_ip());
    let mut a = bootstrap_server(&ip1, "boot-a", None);
    a.wait_ready(Duration::from_secs(30)).unwrap();
    let mut b = bootstrap_server(&ip2, "boot-b", Some(&ip1));
    b.wait_ready(Duration::from_secs(30)).unwrap();
    // Gossip joins them...
    let joined = wait_until(Duration::from_secs(20), || {
        let v = get_json(&a, "/v1/agent/members");
        v.as_array()
            .is_some_and(|m| m.len() == 2 && m.iter().all(|x| x["Status"] == 1))
    });
    assert!(joined, "gossip did not join them");
    // ...and each leader refuses to add the other as a Raft peer.
    let refused = wait_until(Duration::from_secs(20), || {
        a.log().contains("Two nodes are in bootstrap mode")
            || b.log().contains("Two nodes are in bootstrap mode")
    });
    assert!(refused, "no bootstrap-mode error logged");
    assert_eq!(peers_of(&a), 1);
    assert_eq!(peers_of(&b), 1);
    assert!(leader_of(&a).starts_with(&format!("{}:", ip1.ip())));
    assert!(leader_of(&b).starts_with(&format!("{}:", ip2.ip())));
}
