//! A server that leaves gracefully (`consul leave`) is removed from the Raft
//! peers; the two that remain elect a leader among themselves and keep serving.

use std::time::Duration;

use consul_testkit::run_cli;

use super::common::*;
use super::{agree_on_leader, formed, leader_of, server};

#[test]
fn a_leaving_leader_is_replaced_and_the_peer_set_shrinks_to_two() {
    let ips: Vec<IpLease> = (0..3).map(|_| reserve_ip()).collect();
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let mut servers: Vec<Agent> = (0..3)
        .map(|i| server(&ips[i], i + 1, dirs[i].path(), &ips[0]))
        .collect();
    assert!(formed(&servers), "cluster did not form");
    assert_eq!(put_ok(&servers[0], "/v1/kv/before", "1"), "true");

    let old = leader_of(&servers[0]);
    let l = servers
        .iter()
        .position(|s| old.starts_with(&format!("{}:", s.ip)))
        .unwrap();
    let left = run_cli(
        bin(),
        &["leave", "-http-addr", &servers[l].http_addr],
        &[],
        None,
    );
    assert_eq!(left.code, 0, "consul leave: {}", left.err());
    let exited = servers[l].wait_exit(Duration::from_secs(30));
    assert!(
        exited.is_ok_and(|s| s.success()),
        "the leaving server exits 0"
    );

    let rest: Vec<usize> = (0..3).filter(|&i| i != l).collect();
    let shrunk = wait_until(Duration::from_secs(30), || {
        leader_of(&servers[rest[0]]) != old && agree_on_leader(rest.iter().map(|&i| &servers[i]), 2)
    });
    assert!(
        shrunk,
        "peers did not shrink to two; logs:\n{}\n----\n{}",
        servers[rest[0]].log(),
        servers[rest[1]].log()
    );
    // The two remaining servers keep serving reads and writes.
    assert_eq!(put_ok(&servers[rest[1]], "/v1/kv/after", "2"), "true");
    assert_eq!(
        get_json(&servers[rest[0]], "/v1/kv/before")[0]["Value"],
        "MQ=="
    );
    assert_eq!(
        get_json(&servers[rest[0]], "/v1/kv/after")[0]["Value"],
        "Mg=="
    );
}
