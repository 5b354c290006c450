//! `/v1/agent/self`: the sections and keys clients index into.

use serde_json::Value;

use super::common::*;

fn string_at<'a>(v: &'a Value, path: &[&str]) -> &'a str {
    let mut cur = v;
    for p in path {
        cur = &cur[*p];
    }
    cur.as_str()
        .unwrap_or_else(|| panic!("{} is not a string: {cur}", path.join(".")))
}

#[test]
fn agent_self_has_the_keys_clients_read() {
    let (ip, agent) = dev_agent();
    let v = get_json(&agent, "/v1/agent/self");
    let addr = ip.ip().to_string();

    assert_eq!(string_at(&v, &["Config", "Datacenter"]), "dc1");
    assert_eq!(string_at(&v, &["Config", "PrimaryDatacenter"]), "dc1");
    assert_eq!(string_at(&v, &["Config", "NodeName"]), agent.node);
    assert_eq!(string_at(&v, &["Config", "Version"]), "1.10.12");
    assert_eq!(v["Config"]["Server"], true);
    assert!(!string_at(&v, &["Config", "NodeID"]).is_empty());
    assert!(v["Config"]["Revision"].is_string());

    assert_eq!(string_at(&v, &["Member", "Addr"]), addr);
    assert_eq!(v["Member"]["Port"], 8301);

    let stats = &v["Stats"];
    for (section, key) in [
        ("consul", "leader"),
        ("consul", "leader_addr"),
        ("consul", "server"),
        ("consul", "bootstrap"),
        ("consul", "known_datacenters"),
        ("raft", "state"),
        ("raft", "applied_index"),
        ("raft", "num_peers"),
        ("raft", "last_log_index"),
        ("serf_lan", "members"),
        ("serf_lan", "failed"),
        ("agent", "services"),
        ("agent", "checks"),
        ("build", "version"),
        ("build", "revision"),
        ("runtime", "arch"),
        ("runtime", "os"),
    ] {
        assert!(
            stats[section][key].is_string(),
            "Stats.{section}.{key} in {stats}"
        );
    }
    assert_eq!(stats["consul"]["leader"], "true");
    assert_eq!(
        stats["consul"]["leader_addr"],
        format!("{addr}:8300").as_str()
    );
    assert_eq!(stats["raft"]["state"], "Leader");
    assert_eq!(stats["serf_lan"]["members"], "1");
    assert_eq!(stats["build"]["version"], "1.10.12");

    let debug = &v["DebugConfig"];
    assert_eq!(string_at(debug, &["AdvertiseAddrLAN"]), addr);
    assert_eq!(
        string_at(debug, &["SerfAdvertiseAddrLAN"]),
        format!("tcp://{addr}:8301")
    );
    assert_eq!(
        string_at(debug, &["SerfBindAddrLAN"]),
        format!("tcp://{addr}:8301")
    );
    assert_eq!(debug["HTTPPort"], 8500);
    assert_eq!(debug["DNSPort"], 8600);
    assert_eq!(debug["ServerPort"], 8300);
    assert_eq!(debug["SerfPortLAN"], 8301);
    assert_eq!(debug["ServerMode"], true);
    assert_eq!(debug["DevMode"], true);
    assert_eq!(debug["Datacenter"], "dc1");
    // Secrets never appear.
    assert_eq!(debug["EncryptKey"], "hidden");
}
