//! Config files: node-level checks, and an empty file filled in before a reload.

use std::time::Duration;

use serde_json::Value;

use super::common::*;

/// A ready `-dev` agent reading `-config-file file`.
fn dev_agent_with_config_file(ip: &IpLease, file: &std::path::Path) -> Agent {
    let mut agent = AgentBuilder::new(bin(), ip.ip())
        .dev(true)
        .arg("-config-file")
        .arg(file.to_str().unwrap())
        .start()
        .unwrap();
    agent.wait_ready(Duration::from_secs(30)).unwrap();
    agent
}

fn agent_checks(agent: &Agent) -> Value {
    get_json(agent, "/v1/agent/checks")
}

fn catalog_check_ids(agent: &Agent) -> Vec<String> {
    get_json(agent, &format!("/v1/health/node/{}", agent.node))
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["CheckID"].as_str().unwrap().to_string())
        .collect()
}

/// `check` and `checks` at the top level (not inside a service) define
/// checks of the node: they load, run, reach the catalog and follow reloads.
#[test]
fn node_level_checks_from_config_files_load_run_and_reload() {
    let ip = reserve_ip();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("checks.json");
    std::fs::write(
        &file,
        r#"{
            "check": {"id": "disk", "name": "Disk", "ttl": "30s", "status": "passing"},
            "checks": [
                {"id": "mem", "name": "Memory", "ttl": "30s"},
                {"name": "tcp-self", "tcp": "127.0.0.1:1", "interval": "1s"}
            ]
        }"#,
    )
    .unwrap();
    let agent = dev_agent_with_config_file(&ip, &file);

    let loaded = wait_until(Duration::from_secs(10), || {
        let c = agent_checks(&agent);
        c.get("disk").is_some() && c.get("mem").is_some() && c.get("tcp-self").is_some()
    });
    assert!(
        loaded,
        "checks: {}\nlog:\n{}",
        agent_checks(&agent),
        agent.log()
    );
    let c = agent_checks(&agent);
    assert_eq!(c["disk"]["Status"], "passing");
    assert_eq!(c["disk"]["ServiceID"], "");
    assert_eq!(c["mem"]["Type"], "ttl");
    // The TCP probe runs: a refused connection turns it critical with output.
    let probed = wait_until(Duration::from_secs(10), || {
        agent_checks(&agent)["tcp-self"]["Output"]
            .as_str()
            .is_some_and(|o| !o.is_empty())
    });
    assert!(probed, "the tcp check ran: {}", agent_checks(&agent));
    assert_eq!(agent_checks(&agent)["tcp-self"]["Status"], "critical");
    let in_catalog = wait_until(Duration::from_secs(10), || {
        let ids = catalog_check_ids(&agent);
        ["disk", "mem", "tcp-self"]
            .iter()
            .all(|id| ids.iter().any(|i| i == id))
    });
    assert!(in_catalog, "catalog: {:?}", catalog_check_ids(&agent));
    // A TTL check from a file is updated through the API like any other.
    put_ok(&agent, "/v1/agent/check/pass/mem", "");
    assert_eq!(agent_checks(&agent)["mem"]["Status"], "passing");

    // Reload with one check gone and one changed.
    std::fs::write(
        &file,
        r#"{"checks": [{"id": "disk", "name": "Disk v2", "ttl": "60s"}]}"#,
    )
    .unwrap();
    assert_eq!(call(&agent, "PUT", "/v1/agent/reload", None).0, 200);
    let c = agent_checks(&agent);
    assert_eq!(c["disk"]["Name"], "Disk v2");
    assert!(c.get("mem").is_none() && c.get("tcp-self").is_none(), "{c}");
    let removed = wait_until(Duration::from_secs(10), || {
        let ids = catalog_check_ids(&agent);
        !ids.iter().any(|i| i == "mem" || i == "tcp-self")
    });
    assert!(removed, "catalog: {:?}", catalog_check_ids(&agent));
}

/// An empty `-config-file` is valid (clients create it, then fill it in and
/// reload).
#[test]
fn an_empty_config_file_starts_and_can_be_filled_before_a_reload() {
    let ip = reserve_ip();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("agent.json");
    std::fs::write(&file, "").unwrap();
    let agent = dev_agent_with_config_file(&ip, &file);

    std::fs::write(&file, r#"{"service": {"name": "late", "port": 7000}}"#).unwrap();
    assert_eq!(call(&agent, "PUT", "/v1/agent/reload", None).0, 200);
    assert_eq!(get_json(&agent, "/v1/agent/services")["late"]["Port"], 7000);
}
