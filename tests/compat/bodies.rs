//! Request bodies as Go and Python clients write them.

use serde_json::json;

use super::common::*;

/// Go's `encoding/json` writes `null` for every nil slice, map and pointer:
/// each request type with every optional field `null` is accepted, and the
/// nulls read as absent.
#[test]
fn every_request_type_accepts_null_for_every_optional_field() {
    let (_ip, agent) = dev_agent();
    let node = agent.node.clone();

    let service = json!({
        "Kind": null, "ID": null, "Name": "web", "Tags": null, "Port": null,
        "Address": null, "TaggedAddresses": null, "EnableTagOverride": null,
        "Meta": null, "Weights": null, "Check": null, "Checks": null,
        "Proxy": null, "Connect": null, "Namespace": null
    });
    put_ok(&agent, "/v1/agent/service/register", &service.to_string());
    let svc = get_json(&agent, "/v1/agent/service/web");
    assert_eq!(svc["Service"], "web");
    assert_eq!(svc["Tags"], json!([]));
    assert_eq!(svc["Meta"], json!({}));
    assert_eq!(svc["Weights"], json!({"Passing": 1, "Warning": 1}));

    let check = json!({
        "ID": null, "Name": "ttl-check", "Notes": null, "ServiceID": null,
        "TTL": "30s", "Interval": null, "Timeout": null, "HTTP": null,
        "Header": null, "Method": null, "Body": null, "TCP": null,
        "ScriptArgs": null, "Args": null, "DockerContainerID": null, "Shell": null,
        "TLSSkipVerify": null, "DeregisterCriticalServiceAfter": null,
        "Status": null, "SuccessBeforePassing": null, "FailuresBeforeCritical": null
    });
    put_ok(&agent, "/v1/agent/check/register", &check.to_string());
    let checks = get_json(&agent, "/v1/agent/checks");
    assert_eq!(checks["ttl-check"]["Type"], "ttl");
    assert_eq!(checks["ttl-check"]["Status"], "critical");

    let update = json!({"Status": "passing", "Output": null});
    put_ok(
        &agent,
        "/v1/agent/check/update/ttl-check",
        &update.to_string(),
    );
    assert_eq!(
        get_json(&agent, "/v1/agent/checks")["ttl-check"]["Status"],
        "passing"
    );

    let reg = json!({
        "ID": null, "Node": "ext1", "Address": "10.1.2.3", "Datacenter": null,
        "TaggedAddresses": null, "NodeMeta": null, "Check": null, "Checks": null,
        "SkipNodeUpdate": null,
        "Service": {
            "ID": null, "Service": "db", "Tags": null, "Meta": null, "Port": 5432,
            "Address": null, "TaggedAddresses": null, "Weights": null,
            "EnableTagOverride": null, "Proxy": null, "Connect": null,
            "CreateIndex": null, "ModifyIndex": null
        }
    });
    assert_eq!(
        put_ok(&agent, "/v1/catalog/register", &reg.to_string()),
        "true"
    );
    let db = get_json(&agent, "/v1/catalog/service/db");
    assert_eq!(db[0]["Node"], "ext1");
    assert_eq!(db[0]["ServicePort"], 5432);
    assert_eq!(db[0]["ServiceTags"], json!([]));

    let dereg = json!({"Node": "ext1", "Datacenter": null, "ServiceID": null, "CheckID": null});
    assert_eq!(
        put_ok(&agent, "/v1/catalog/deregister", &dereg.to_string()),
        "true"
    );
    assert!(get_json(&agent, "/v1/catalog/service/db")
        .as_array()
        .unwrap()
        .is_empty());

    let autopilot = json!({
        "CleanupDeadServers": true, "LastContactThreshold": null, "MaxTrailingLogs": null,
        "MinQuorum": null, "ServerStabilizationTime": null, "RedundancyZoneTag": null,
        "DisableUpgradeMigration": null, "UpgradeVersionTag": null,
        "CreateIndex": null, "ModifyIndex": null
    });
    put_ok(
        &agent,
        "/v1/operator/autopilot/configuration",
        &autopilot.to_string(),
    );
    let ap = get_json(&agent, "/v1/operator/autopilot/configuration");
    assert_eq!(ap["CleanupDeadServers"], true);
    // Consul reads a nil duration pointer as zero.
    assert_eq!(ap["LastContactThreshold"], "0s");
    assert_eq!(ap["MaxTrailingLogs"], 0);

    // Deregistering through the agent still works for what was registered with nulls.
    put_ok(&agent, "/v1/agent/service/deregister/web", "");
    assert!(
        get_json(&agent, &format!("/v1/catalog/node/{node}"))["Services"]
            .get("web")
            .is_none()
    );
}

/// The snake_case spellings of Consul's config files are accepted in API
/// bodies too (python-consul and others send them).
#[test]
fn snake_case_keys_are_accepted_in_agent_and_catalog_bodies() {
    let (_ip, agent) = dev_agent();
    let service = json!({
        "name": "api", "id": "api-1", "port": 8080, "address": "10.0.0.5",
        "enable_tag_override": true,
        "tagged_addresses": {"lan": {"address": "10.0.0.5", "port": 8080}},
        "check": {"ttl": "10s", "deregister_critical_service_after": "90m"},
    });
    put_ok(&agent, "/v1/agent/service/register", &service.to_string());
    let svc = get_json(&agent, "/v1/agent/service/api-1");
    assert_eq!(svc["EnableTagOverride"], true);
    assert_eq!(svc["TaggedAddresses"]["lan"]["Address"], "10.0.0.5");
    assert_eq!(svc["TaggedAddresses"]["lan"]["Port"], 8080);

    let check = json!({
        "name": "script", "service_id": "api-1", "args": ["true"], "interval": "10s",
    });
    // Script checks are off here, which proves `args` was read as the script.
    let (status, text) = call(
        &agent,
        "PUT",
        "/v1/agent/check/register",
        Some(check.to_string().as_bytes()),
    );
    assert_eq!(status, 400, "{text}");
    assert!(text.contains("Scripts are disabled"), "{text}");

    let http_check = json!({
        "name": "web-up", "service_id": "api-1", "http": "http://127.0.0.1:1/",
        "interval": "10s", "tls_skip_verify": true,
    });
    put_ok(&agent, "/v1/agent/check/register", &http_check.to_string());
    let checks = get_json(&agent, "/v1/agent/checks");
    assert_eq!(checks["web-up"]["ServiceID"], "api-1");
    assert_eq!(checks["web-up"]["Type"], "http");

    let reg = json!({
        "node": "ext2", "address": "10.9.9.9",
        "tagged_addresses": {"wan": "198.18.1.1"},
        "node_meta": {"rack": "r1"},
        "service": {"service": "cache", "port": 6379},
    });
    put_ok(&agent, "/v1/catalog/register", &reg.to_string());
    let nodes = get_json(&agent, "/v1/catalog/nodes?node-meta=rack:r1");
    assert_eq!(nodes[0]["Node"], "ext2");
    assert_eq!(nodes[0]["TaggedAddresses"]["wan"], "198.18.1.1");
}

/// `/v1/kv/` without a key is a client error, not a 404 a watch would
/// wait on forever.
#[test]
fn kv_without_a_key_is_a_400() {
    let (_ip, agent) = dev_agent();
    for method in ["GET", "PUT", "DELETE"] {
        let (status, text) = call(&agent, method, "/v1/kv/", Some(b"x"));
        assert_eq!((status, text.trim()), (400, "Missing key name"), "{method}");
    }
    // With recurse (or keys) the empty key is the whole tree.
    put_ok(&agent, "/v1/kv/a", "1");
    assert_eq!(get_json(&agent, "/v1/kv/?recurse")[0]["Key"], "a");
    assert_eq!(get_json(&agent, "/v1/kv/?keys"), json!(["a"]));
}
