//! Response shapes compared field by field with Consul 1.10's.

use std::time::Duration;

use serde_json::{json, Value};

use super::common::*;

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

#[test]
fn agent_services_return_the_full_agent_service() {
    let (_ip, agent) = dev_agent();
    let body = json!({
        "Name": "web", "ID": "web-1", "Tags": ["v1"], "Port": 80, "Address": "10.0.0.9",
        "Meta": {"version": "1"},
        "TaggedAddresses": {"lan": {"Address": "10.0.0.9", "Port": 80}},
    });
    put_ok(&agent, "/v1/agent/service/register", &body.to_string());
    put_ok(
        &agent,
        "/v1/agent/service/register",
        &json!({"Name": "plain"}).to_string(),
    );

    let all = get_json(&agent, "/v1/agent/services");
    let web = &all["web-1"];
    assert_eq!(
        keys(web),
        [
            "Address",
            "Datacenter",
            "EnableTagOverride",
            "ID",
            "Meta",
            "Port",
            "Service",
            "TaggedAddresses",
            "Tags",
            "Weights"
        ]
    );
    assert_eq!(web["Datacenter"], "dc1");
    // The agent adds lan_ipv4/wan_ipv4 for an IP address, keeping what was given.
    assert_eq!(
        web["TaggedAddresses"]["lan"],
        json!({"Address": "10.0.0.9", "Port": 80})
    );
    assert_eq!(
        web["TaggedAddresses"]["lan_ipv4"],
        json!({"Address": "10.0.0.9", "Port": 80})
    );
    assert_eq!(
        web["TaggedAddresses"]["wan_ipv4"],
        json!({"Address": "10.0.0.9", "Port": 80})
    );
    // Without an address there is nothing to tag; empty lists and maps are [] and {}.
    let plain = &all["plain"];
    assert!(plain.get("TaggedAddresses").is_none());
    assert_eq!((&plain["Tags"], &plain["Meta"]), (&json!([]), &json!({})));

    let one = get_json(&agent, "/v1/agent/service/web-1");
    assert_eq!(one["ContentHash"].as_str().map(str::len), Some(16));
    assert_eq!(one["TaggedAddresses"], web["TaggedAddresses"]);

    // Proxy and Connect appear when registered.
    let proxy = json!({
        "Name": "web-proxy", "Kind": "connect-proxy", "Port": 21000,
        "Proxy": {"DestinationServiceName": "web"}, "Connect": {"Native": false}
    });
    put_ok(&agent, "/v1/agent/service/register", &proxy.to_string());
    let p = get_json(&agent, "/v1/agent/service/web-proxy");
    assert_eq!(p["Kind"], "connect-proxy");
    assert_eq!(p["Proxy"]["DestinationServiceName"], "web");
    assert_eq!(p["Connect"], json!({"Native": false}));

    // The catalog carries the tagged addresses too.
    let cat = get_json(&agent, "/v1/catalog/service/web");
    assert_eq!(
        cat[0]["ServiceTaggedAddresses"]["lan_ipv4"]["Address"],
        "10.0.0.9"
    );
    let health = get_json(&agent, "/v1/health/service/web");
    assert_eq!(
        health[0]["Service"]["TaggedAddresses"]["wan_ipv4"]["Port"],
        80
    );
}

#[test]
fn the_agents_own_node_carries_node_meta_and_tagged_addresses() {
    let ip = reserve_ip();
    let mut agent = AgentBuilder::new(bin(), ip.ip())
        .dev(true)
        .arg("-node-meta")
        .arg("rack:r7")
        .start()
        .unwrap();
    agent.wait_ready(Duration::from_secs(30)).unwrap();
    let addr = ip.ip().to_string();
    let found = wait_until(Duration::from_secs(10), || {
        http(
            "GET",
            &agent.url("/v1/catalog/nodes?node-meta=rack:r7"),
            None,
        )
        .ok()
        .and_then(|(_, _, b)| serde_json::from_slice::<Value>(&b).ok())
        .is_some_and(|v| v.as_array().is_some_and(|a| a.len() == 1))
    });
    assert!(
        found,
        "?node-meta finds the agent's node; log:\n{}",
        agent.log()
    );
    let node = &get_json(&agent, "/v1/catalog/nodes?node-meta=rack:r7")[0];
    assert_eq!(node["Node"], agent.node.as_str());
    assert_eq!(node["Meta"]["rack"], "r7");
    assert_eq!(node["Meta"]["consul-network-segment"], "");
    for tag in ["lan", "lan_ipv4", "wan", "wan_ipv4"] {
        assert_eq!(node["TaggedAddresses"][tag], addr.as_str(), "{tag}");
    }
    assert!(get_json(&agent, "/v1/catalog/nodes?node-meta=rack:other")
        .as_array()
        .unwrap()
        .is_empty());
    // Health endpoints filter on it too.
    let checks = get_json(&agent, "/v1/health/state/any?node-meta=rack:r7");
    assert!(checks
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["CheckID"] == "serfHealth"));
}

/// Catalog and health rows carry every field Consul 1.10 writes, Connect
/// fields included (as their empty values when nothing was registered).
#[test]
fn catalog_and_health_rows_have_consuls_fields() {
    let (_ip, agent) = dev_agent();
    let node = agent.node.clone();
    put_ok(
        &agent,
        "/v1/agent/service/register",
        &json!({"Name": "web", "Port": 80, "Check": {"TTL": "30s"}}).to_string(),
    );
    put_ok(
        &agent,
        "/v1/agent/service/register",
        &json!({"Name": "portless"}).to_string(),
    );
    put_ok(
        &agent,
        "/v1/agent/check/register",
        &json!({"Name": "node-ttl", "TTL": "30s"}).to_string(),
    );

    let row = &get_json(&agent, "/v1/catalog/service/web")[0];
    assert_eq!(
        row["ServiceProxy"],
        json!({"Mode": "", "MeshGateway": {}, "Expose": {}})
    );
    assert_eq!(row["ServiceConnect"], json!({}));
    assert_eq!(row["ServiceSocketPath"], "");

    let ns = get_json(&agent, &format!("/v1/catalog/node/{node}"));
    assert_eq!(ns["Services"]["web"]["Proxy"]["MeshGateway"], json!({}));
    assert_eq!(ns["Services"]["web"]["Connect"], json!({}));
    assert!(
        ns["Services"]["portless"].get("Port").is_none(),
        "Port is omitted when 0"
    );

    let checks = get_json(&agent, &format!("/v1/health/node/{node}"));
    let ttl = checks
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["CheckID"] == "node-ttl")
        .unwrap();
    assert_eq!(ttl["ExposedPort"], 0);
    assert_eq!(ttl["Definition"], json!({}));
    assert_eq!(
        ttl["Interval"], "0s",
        "a standalone check shows its interval"
    );

    // /v1/catalog/node-services/<node>: the services as a list.
    let list = get_json(&agent, &format!("/v1/catalog/node-services/{node}"));
    assert_eq!(list["Node"]["Node"], node.as_str());
    let names: Vec<&str> = list["Services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["Service"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"web") && names.contains(&"portless"),
        "{names:?}"
    );
    assert_eq!(
        get_json(&agent, "/v1/catalog/node-services/nope"),
        json!({"Node": null, "Services": null})
    );
}

/// The headers Consul adds: the default ACL policy on every answer, the
/// effective consistency on catalog and health reads, the query backend.
#[test]
fn reads_carry_consuls_headers() {
    let (_ip, agent) = dev_agent();
    let (_, h, _) = http("GET", &agent.url("/v1/status/leader"), None).unwrap();
    assert_eq!(header(&h, "X-Consul-Default-Acl-Policy"), Some("allow"));
    let (_, h, _) = http("GET", &agent.url("/v1/agent/nope"), None).unwrap();
    assert_eq!(header(&h, "X-Consul-Default-Acl-Policy"), Some("allow"));

    for (query, mode) in [
        ("", "leader"),
        ("?stale", "stale"),
        ("?consistent", "consistent"),
    ] {
        let (_, h, _) = http(
            "GET",
            &agent.url(&format!("/v1/catalog/nodes{query}")),
            None,
        )
        .unwrap();
        assert_eq!(header(&h, "X-Consul-Effective-Consistency"), Some(mode));
        assert_eq!(header(&h, "X-Consul-Query-Backend"), Some("blocking-query"));
    }
    let (_, h, _) = http("GET", &agent.url("/v1/health/service/consul"), None).unwrap();
    assert_eq!(header(&h, "X-Consul-Effective-Consistency"), Some("leader"));
    put_ok(&agent, "/v1/kv/k", "v");
    let (_, h, _) = http("GET", &agent.url("/v1/kv/k"), None).unwrap();
    assert_eq!(header(&h, "X-Consul-Query-Backend"), Some("blocking-query"));
}
