//! Catalog and health APIs against a real agent.

#[path = "../common/mod.rs"]
mod common;

use common::*;
use serde_json::{json, Value};

fn names(v: &Value, field: &str) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|e| e[field].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn server_registers_itself_with_consul_service_and_serf_health() {
    let (ip, agent) = dev_agent();
    let node = agent.node.clone();
    assert!(wait_until(std::time::Duration::from_secs(10), || {
        get_json(&agent, "/v1/catalog/nodes")
            .as_array()
            .is_some_and(|a| !a.is_empty())
    }));
    let nodes = get_json(&agent, "/v1/catalog/nodes");
    assert_eq!(nodes[0]["Node"], node.as_str());
    assert_eq!(nodes[0]["Address"], ip.ip().to_string());
    assert_eq!(nodes[0]["Datacenter"], "dc1");
    assert_eq!(nodes[0]["TaggedAddresses"]["lan"], ip.ip().to_string());
    let svc = get_json(&agent, "/v1/catalog/service/consul");
    assert_eq!(svc[0]["ServicePort"], 8300);
    assert_eq!(svc[0]["Node"], node.as_str());
    let checks = get_json(&agent, &format!("/v1/health/node/{node}"));
    assert_eq!(checks[0]["CheckID"], "serfHealth");
    assert_eq!(checks[0]["Status"], "passing");
    assert_eq!(
        get_json(&agent, "/v1/catalog/services")["consul"],
        json!([])
    );
}

#[test]
fn register_query_and_deregister_services_and_checks() {
    let (_ip, agent) = dev_agent();
    let reg = json!({
        "Node": "web1", "Address": "10.1.1.1", "NodeMeta": {"rack": "r1"},
        "Service": {"Service": "web", "Tags": ["v1", "rails"], "Port": 80},
        "Check": {"CheckID": "web-alive", "Name": "web alive", "Status": "passing", "ServiceID": "web"}
    });
    assert_eq!(
        put_ok(&agent, "/v1/catalog/register", &reg.to_string()),
        "true"
    );
    // lower-case field names are accepted, as Go's decoder does
    let reg2 = json!({
        "node": "web2", "address": "10.1.1.2",
        "service": {"service": "web", "id": "web-b", "tags": ["v2"], "port": 81},
        "check": {"checkid": "web-b-alive", "name": "web b", "status": "critical", "serviceid": "web-b"}
    });
    put_ok(&agent, "/v1/catalog/register", &reg2.to_string());

    let all = get_json(&agent, "/v1/catalog/service/web");
    assert_eq!(names(&all, "Node"), ["web1", "web2"]);
    assert_eq!(all[0]["ServiceTags"], json!(["v1", "rails"]));
    assert_eq!(all[0]["ServiceID"], "web");
    assert_eq!(all[0]["NodeMeta"]["rack"], "r1");
    assert_eq!(
        names(&get_json(&agent, "/v1/catalog/service/web?tag=v2"), "Node"),
        ["web2"]
    );
    assert_eq!(
        names(
            &get_json(&agent, "/v1/catalog/service/web?tag=v1&tag=rails"),
            "Node"
        ),
        ["web1"]
    );
    assert!(get_json(&agent, "/v1/catalog/service/web?tag=v1&tag=v2")
        .as_array()
        .unwrap()
        .is_empty());
    assert_eq!(
        names(
            &get_json(&agent, "/v1/catalog/service/web?node-meta=rack:r1"),
            "Node"
        ),
        ["web1"]
    );
    let services = get_json(&agent, "/v1/catalog/services");
    assert_eq!(services["web"], json!(["rails", "v1", "v2"]));

    let node = get_json(&agent, "/v1/catalog/node/web1");
    assert_eq!(node["Node"]["Address"], "10.1.1.1");
    assert_eq!(node["Services"]["web"]["Port"], 80);
    assert!(get_json(&agent, "/v1/catalog/node/nobody").is_null());

    // health views
    let h = get_json(&agent, "/v1/health/service/web");
    assert_eq!(h.as_array().unwrap().len(), 2);
    let passing = get_json(&agent, "/v1/health/service/web?passing");
    assert_eq!(passing.as_array().unwrap().len(), 1);
    assert_eq!(passing[0]["Node"]["Node"], "web1");
    assert_eq!(passing[0]["Service"]["ID"], "web");
    assert_eq!(
        names(&get_json(&agent, "/v1/health/checks/web"), "CheckID"),
        ["web-alive", "web-b-alive"]
    );
    assert_eq!(
        names(&get_json(&agent, "/v1/health/state/critical"), "CheckID"),
        ["web-b-alive"]
    );
    let passing_ids = names(&get_json(&agent, "/v1/health/state/passing"), "CheckID");
    assert!(
        passing_ids.contains(&"web-alive".to_string())
            && passing_ids.contains(&"serfHealth".to_string())
    );
    assert!(get_json(&agent, "/v1/health/state/warning")
        .as_array()
        .unwrap()
        .is_empty());
    assert_eq!(call(&agent, "GET", "/v1/health/state/bogus", None).0, 400);

    // deregister a service: its checks go with it
    put_ok(
        &agent,
        "/v1/catalog/deregister",
        r#"{"Node":"web2","ServiceID":"web-b"}"#,
    );
    assert_eq!(
        names(&get_json(&agent, "/v1/catalog/service/web"), "Node"),
        ["web1"]
    );
    assert!(get_json(&agent, "/v1/health/node/web2")
        .as_array()
        .unwrap()
        .is_empty());
    // deregister a node: everything on it goes
    put_ok(&agent, "/v1/catalog/deregister", r#"{"Node":"web1"}"#);
    assert!(get_json(&agent, "/v1/catalog/service/web")
        .as_array()
        .unwrap()
        .is_empty());
    assert!(!names(&get_json(&agent, "/v1/catalog/nodes"), "Node").contains(&"web1".to_string()));
}

#[test]
fn invalid_registrations_are_400() {
    let (_ip, agent) = dev_agent();
    let (s, t) = call(
        &agent,
        "PUT",
        "/v1/catalog/register",
        Some(br#"{"Address":"1.2.3.4"}"#),
    );
    assert_eq!((s, t.as_str()), (400, "Must provide node"));
    let (s, t) = call(
        &agent,
        "PUT",
        "/v1/catalog/register",
        Some(br#"{"Node":"n"}"#),
    );
    assert_eq!((s, t.as_str()), (400, "Must provide address"));
    let (s, _) = call(&agent, "PUT", "/v1/catalog/register", Some(b"{not json"));
    assert_eq!(s, 400);
}

#[test]
fn blocking_service_query_ignores_other_services() {
    let (_ip, agent) = dev_agent();
    put_ok(
        &agent,
        "/v1/catalog/register",
        r#"{"Node":"a","Address":"1.1.1.1","Service":{"Service":"api"}}"#,
    );
    let idx = index_of(&agent, "/v1/catalog/service/api");
    let url = agent.url(&format!("/v1/catalog/service/api?index={idx}&wait=20s"));
    let waiter = std::thread::spawn(move || http("GET", &url, None).unwrap());
    put_ok(
        &agent,
        "/v1/catalog/register",
        r#"{"Node":"b","Address":"1.1.1.2","Service":{"Service":"db"}}"#,
    );
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert!(!waiter.is_finished(), "woken by a write to another service");
    put_ok(
        &agent,
        "/v1/catalog/register",
        r#"{"Node":"b","Address":"1.1.1.2","Service":{"Service":"api"}}"#,
    );
    let (status, headers, body) = waiter.join().unwrap();
    assert_eq!(status, 200);
    assert!(
        header(&headers, "X-Consul-Index")
            .unwrap()
            .parse::<u64>()
            .unwrap()
            > idx
    );
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 2);
}
