//! Agent API against a real agent: local services and checks reaching the
//! catalog, TTL checks, maintenance mode, self/members, reload and leave.

#[path = "../common/mod.rs"]
mod common;

use std::time::Duration;

use common::*;
use serde_json::{json, Value};

fn health_status(agent: &Agent, node: &str, check: &str) -> Option<String> {
    let checks = get_json(agent, &format!("/v1/health/node/{node}"));
    checks
        .as_array()?
        .iter()
        .find(|c| c["CheckID"] == check)
        .map(|c| c["Status"].as_str().unwrap().to_string())
}

#[test]
fn service_with_ttl_check_reaches_catalog_and_follows_updates() {
    let (_ip, agent) = dev_agent();
    let node = agent.node.clone();
    let body = json!({"Name": "web", "Tags": ["rails"], "Port": 80, "Check": {"TTL": "30s"}});
    put_ok(&agent, "/v1/agent/service/register", &body.to_string());

    let services = get_json(&agent, "/v1/agent/services");
    assert_eq!(services["web"]["Service"], "web");
    assert_eq!(services["web"]["Port"], 80);
    assert_eq!(services["web"]["Tags"], json!(["rails"]));
    let svc = get_json(&agent, "/v1/agent/service/web");
    assert_eq!(svc["ID"], "web");
    assert_eq!(call(&agent, "GET", "/v1/agent/service/nope", None).0, 404);

    let checks = get_json(&agent, "/v1/agent/checks");
    assert_eq!(checks["service:web"]["Status"], "critical");
    assert_eq!(checks["service:web"]["Type"], "ttl");
    // in the catalog at once
    assert_eq!(
        get_json(&agent, "/v1/catalog/service/web")[0]["Node"],
        node.as_str()
    );
    assert_eq!(
        health_status(&agent, &node, "service:web").as_deref(),
        Some("critical")
    );
    assert!(get_json(&agent, "/v1/health/service/web?passing")
        .as_array()
        .unwrap()
        .is_empty());

    put_ok(&agent, "/v1/agent/check/pass/service:web?note=all+good", "");
    assert_eq!(
        health_status(&agent, &node, "service:web").as_deref(),
        Some("passing")
    );
    let h = get_json(&agent, "/v1/health/service/web?passing");
    assert_eq!(
        h[0]["Checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["CheckID"] == "service:web")
            .unwrap()["Output"],
        "all good"
    );
    put_ok(&agent, "/v1/agent/check/warn/service:web", "");
    assert_eq!(
        health_status(&agent, &node, "service:web").as_deref(),
        Some("warning")
    );
    put_ok(
        &agent,
        "/v1/agent/check/update/service:web",
        r#"{"Status":"passing","Output":"fine"}"#,
    );
    assert_eq!(
        get_json(&agent, "/v1/agent/checks")["service:web"]["Output"],
        "fine"
    );
    assert_eq!(
        call(
            &agent,
            "PUT",
            "/v1/agent/check/update/service:web",
            Some(br#"{"Status":"great"}"#)
        )
        .0,
        400
    );
    assert_eq!(
        call(&agent, "PUT", "/v1/agent/check/pass/unknown", None).0,
        404
    );

    put_ok(&agent, "/v1/agent/service/deregister/web", "");
    assert!(get_json(&agent, "/v1/agent/services")
        .as_object()
        .unwrap()
        .is_empty());
    assert!(get_json(&agent, "/v1/catalog/service/web")
        .as_array()
        .unwrap()
        .is_empty());
    assert_eq!(health_status(&agent, &node, "service:web"), None);
}

#[test]
fn ttl_check_turns_critical_when_not_refreshed() {
    let (_ip, agent) = dev_agent();
    let node = agent.node.clone();
    put_ok(
        &agent,
        "/v1/agent/check/register",
        r#"{"Name":"heartbeat","TTL":"1s","Status":"passing"}"#,
    );
    assert_eq!(
        health_status(&agent, &node, "heartbeat").as_deref(),
        Some("passing")
    );
    assert!(wait_until(Duration::from_secs(10), || health_status(
        &agent,
        &node,
        "heartbeat"
    )
    .as_deref()
        == Some("critical")));
    assert_eq!(
        get_json(&agent, "/v1/agent/checks")["heartbeat"]["Output"],
        "TTL expired"
    );
    put_ok(&agent, "/v1/agent/check/deregister/heartbeat", "");
    assert_eq!(health_status(&agent, &node, "heartbeat"), None);
}

#[test]
fn check_registration_errors() {
    let (_ip, agent) = dev_agent();
    let (s, t) = call(
        &agent,
        "PUT",
        "/v1/agent/check/register",
        Some(br#"{"TTL":"10s"}"#),
    );
    assert_eq!((s, t.as_str()), (400, "Missing check name"));
    let (s, _) = call(
        &agent,
        "PUT",
        "/v1/agent/check/register",
        Some(br#"{"Name":"x","TTL":"10s","ServiceID":"ghost"}"#),
    );
    assert_eq!(s, 400);
    let (s, t) = call(
        &agent,
        "PUT",
        "/v1/agent/service/register",
        Some(br#"{"Port":1}"#),
    );
    assert_eq!((s, t.as_str()), (400, "Missing service name"));
}

#[test]
fn node_and_service_maintenance_add_critical_checks() {
    let (_ip, agent) = dev_agent();
    let node = agent.node.clone();
    put_ok(
        &agent,
        "/v1/agent/service/register",
        r#"{"Name":"db","Port":5432}"#,
    );
    put_ok(
        &agent,
        "/v1/agent/maintenance?enable=true&reason=upgrade",
        "",
    );
    let checks = get_json(&agent, "/v1/agent/checks");
    assert_eq!(checks["_node_maintenance"]["Status"], "critical");
    assert_eq!(checks["_node_maintenance"]["Notes"], "upgrade");
    assert_eq!(
        health_status(&agent, &node, "_node_maintenance").as_deref(),
        Some("critical")
    );
    put_ok(&agent, "/v1/agent/maintenance?enable=false", "");
    assert_eq!(health_status(&agent, &node, "_node_maintenance"), None);
    assert_eq!(call(&agent, "PUT", "/v1/agent/maintenance", None).0, 400);

    put_ok(&agent, "/v1/agent/service/maintenance/db?enable=true", "");
    let c = &get_json(&agent, "/v1/agent/checks")["_service_maintenance:db"];
    assert_eq!(c["ServiceID"], "db");
    assert_eq!(c["Status"], "critical");
    assert!(get_json(&agent, "/v1/health/service/db?passing")
        .as_array()
        .unwrap()
        .is_empty());
    put_ok(&agent, "/v1/agent/service/maintenance/db?enable=false", "");
    assert_eq!(
        get_json(&agent, "/v1/health/service/db?passing")
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        call(
            &agent,
            "PUT",
            "/v1/agent/service/maintenance/nope?enable=true",
            None
        )
        .0,
        404
    );
}

#[test]
fn self_and_members_describe_this_agent() {
    let (ip, agent) = dev_agent();
    let me = get_json(&agent, "/v1/agent/self");
    assert_eq!(me["Config"]["Datacenter"], "dc1");
    assert_eq!(me["Config"]["NodeName"], agent.node.as_str());
    assert!(me["Config"]["Version"].as_str().unwrap().starts_with("1."));
    assert_eq!(me["Member"]["Name"], agent.node.as_str());
    assert_eq!(me["Member"]["Addr"], ip.ip().to_string());
    assert_eq!(me["Member"]["Tags"]["role"], "consul");
    let members = get_json(&agent, "/v1/agent/members");
    assert_eq!(members[0]["Name"], agent.node.as_str());
    assert_eq!(members[0]["Status"], 1);
}

#[test]
fn leave_stops_the_process_cleanly() {
    let (_ip, mut agent) = dev_agent();
    put_ok(&agent, "/v1/agent/leave", "");
    let status = agent
        .wait_exit(Duration::from_secs(20))
        .expect("agent exits after leave");
    assert!(status.success(), "exit status {status}");
}

#[test]
fn reload_picks_up_services_from_config_files() {
    let ip = reserve_ip();
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("conf");
    std::fs::create_dir(&conf).unwrap();
    std::fs::write(
        conf.join("web.json"),
        r#"{"service": {"name": "web", "tags": ["rails"], "port": 80}}"#,
    )
    .unwrap();
    let mut agent = AgentBuilder::new(bin(), ip.ip())
        .dev(true)
        .arg("-config-dir")
        .arg(conf.to_str().unwrap())
        .start()
        .unwrap();
    agent.wait_ready(Duration::from_secs(30)).unwrap();
    assert!(wait_until(Duration::from_secs(10), || get_json(
        &agent,
        "/v1/agent/services"
    )
    .get("web")
    .is_some()));
    assert_eq!(
        get_json(&agent, "/v1/catalog/service/web")[0]["ServiceTags"],
        json!(["rails"])
    );

    std::fs::write(
        conf.join("web.json"),
        r#"{"service": {"name": "api", "port": 8080}}"#,
    )
    .unwrap();
    put_ok(&agent, "/v1/agent/reload", "");
    let services: Value = get_json(&agent, "/v1/agent/services");
    assert!(
        services.get("web").is_none() && services.get("api").is_some(),
        "{services}"
    );
    assert!(get_json(&agent, "/v1/catalog/service/web")
        .as_array()
        .unwrap()
        .is_empty());

    // A broken file keeps the running state and reports the error.
    std::fs::write(conf.join("web.json"), r#"{"service": "#).unwrap();
    let (status, _) = call(&agent, "PUT", "/v1/agent/reload", None);
    assert_eq!(status, 500);
    assert!(get_json(&agent, "/v1/agent/services").get("api").is_some());
}

#[test]
fn agent_services_block_on_their_content_hash() {
    let (_ip, agent) = dev_agent();
    let (_, headers, _) = http("GET", &agent.url("/v1/agent/services"), None).unwrap();
    let hash = header(&headers, "X-Consul-ContentHash")
        .expect("content hash")
        .to_string();
    // Unchanged: waits out `wait` and answers the same hash.
    let started = std::time::Instant::now();
    let (_, h2, _) = http(
        "GET",
        &agent.url(&format!("/v1/agent/services?hash={hash}&wait=1s")),
        None,
    )
    .unwrap();
    assert!(started.elapsed() >= Duration::from_millis(950));
    assert_eq!(header(&h2, "X-Consul-ContentHash"), Some(hash.as_str()));
    // A registration wakes a waiting reader with the new content.
    let url = agent.url(&format!("/v1/agent/services?hash={hash}&wait=20s"));
    let waiter = std::thread::spawn(move || http("GET", &url, None).unwrap());
    std::thread::sleep(Duration::from_millis(300));
    assert!(!waiter.is_finished());
    put_ok(
        &agent,
        "/v1/agent/service/register",
        r#"{"Name":"late","Port":9}"#,
    );
    let (status, h3, body) = waiter.join().unwrap();
    assert_eq!(status, 200);
    assert_ne!(header(&h3, "X-Consul-ContentHash"), Some(hash.as_str()));
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert!(v.get("late").is_some());
}

#[test]
fn host_and_version_describe_the_machine_and_the_api() {
    let (_ip, a) = dev_agent();
    let h = get_json(&a, "/v1/agent/host");
    let keys: Vec<&str> = h.as_object().unwrap().keys().map(String::as_str).collect();
    for k in ["Memory", "CPU", "Host", "Disk", "CollectionTime", "Errors"] {
        assert!(keys.contains(&k), "{k} missing: {keys:?}");
    }
    assert!(h["Errors"].is_null(), "{}", h["Errors"]);
    let mem = &h["Memory"];
    let total = mem["total"].as_u64().unwrap();
    assert!(total > 0 && mem["used"].as_u64().unwrap() < total);
    assert!(mem.get("committedAS").is_some() && mem.get("usedPercent").is_some());
    let cpus = h["CPU"].as_array().unwrap();
    assert_eq!(
        cpus.len(),
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        "one entry per logical CPU"
    );
    assert!(cpus[0]["modelName"].is_string() && cpus[0]["cores"] == 1);
    assert_eq!(h["Host"]["os"], "linux");
    assert!(h["Host"]["uptime"].as_u64().unwrap() > 0);
    assert_eq!(h["Disk"]["path"], "/");
    assert!(h["Disk"]["total"].as_u64().unwrap() > 0);
    let now_ns = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as i64;
    let t = h["CollectionTime"].as_i64().unwrap();
    assert!((now_ns - t).abs() < 60_000_000_000, "collection time {t}");

    let v = get_json(&a, "/v1/agent/version");
    assert_eq!(v["HumanVersion"], "1.10.12");
}
