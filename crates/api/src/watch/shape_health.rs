//! Health results in the shape of Go's `api.HealthCheck` and `api.ServiceEntry` (what
//! `consul watch -type service|checks` prints): a check's timing fields live in its
//! `Definition` (`Interval`, `Timeout`, `DeregisterCriticalServiceAfter` as Go durations,
//! `0s` when unset), and a service is an `api.AgentService` (`CreateIndex`/`ModifyIndex`
//! before `Proxy`, empty optional fields left out). Maps serialize with sorted keys, as Go's
//! encoder writes them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::ApiError;

fn is_zero(v: &u64) -> bool {
    *v == 0
}

fn is_false(v: &bool) -> bool {
    !*v
}

/// `api.HealthCheckDefinition`, as its `MarshalJSON` writes it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
struct Definition {
    interval: Value,
    timeout: Value,
    deregister_critical_service_after: Value,
    #[serde(rename = "HTTP")]
    http: String,
    header: Option<BTreeMap<String, Vec<String>>>,
    method: String,
    body: String,
    #[serde(rename = "TLSServerName")]
    tls_server_name: String,
    #[serde(rename = "TLSSkipVerify")]
    tls_skip_verify: bool,
    #[serde(rename = "TCP")]
    tcp: String,
    #[serde(rename = "GRPC")]
    grpc: String,
    #[serde(rename = "GRPCUseTLS")]
    grpc_use_tls: bool,
}

/// A Go duration string, `0s` for anything empty or zero.
fn duration(v: &Value) -> Value {
    match v {
        Value::String(s) if !s.is_empty() => Value::String(s.clone()),
        _ => Value::String("0s".into()),
    }
}

/// `api.HealthCheck`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
struct Check {
    node: String,
    #[serde(rename = "CheckID")]
    check_id: String,
    name: String,
    status: String,
    notes: String,
    output: String,
    #[serde(rename = "ServiceID")]
    service_id: String,
    service_name: String,
    service_tags: Option<Vec<String>>,
    #[serde(rename = "Type")]
    kind: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    namespace: String,
    definition: Definition,
    create_index: u64,
    modify_index: u64,
}

impl Check {
    /// Go's `api` fills the definition's durations from the body's `Definition` only (the
    /// HTTP answer's top-level `Interval`/`Timeout` are not part of `api.HealthCheck`).
    fn normalize(mut self) -> Check {
        let d = &mut self.definition;
        d.interval = duration(&d.interval);
        d.timeout = duration(&d.timeout);
        d.deregister_critical_service_after = duration(&d.deregister_critical_service_after);
        self
    }
}

/// `api.Node`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
struct Node {
    #[serde(rename = "ID")]
    id: String,
    node: String,
    address: String,
    datacenter: String,
    tagged_addresses: Option<BTreeMap<String, String>>,
    meta: Option<BTreeMap<String, String>>,
    create_index: u64,
    modify_index: u64,
}

/// `api.MeshGatewayConfig`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
struct MeshGateway {
    #[serde(skip_serializing_if = "String::is_empty")]
    mode: String,
}

/// `api.ExposeConfig`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
struct Expose {
    #[serde(skip_serializing_if = "is_false")]
    checks: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    paths: Option<Value>,
}

/// `api.AgentServiceConnectProxyConfig`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
struct Proxy {
    #[serde(skip_serializing_if = "String::is_empty")]
    destination_service_name: String,
    #[serde(
        rename = "DestinationServiceID",
        skip_serializing_if = "String::is_empty"
    )]
    destination_service_id: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    local_service_address: String,
    #[serde(skip_serializing_if = "is_zero")]
    local_service_port: u64,
    #[serde(skip_serializing_if = "String::is_empty")]
    local_service_socket_path: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    mode: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    transparent_proxy: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    config: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    upstreams: Option<Value>,
    mesh_gateway: MeshGateway,
    expose: Expose,
}

/// `api.AgentServiceConnect`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
struct Connect {
    #[serde(skip_serializing_if = "is_false")]
    native: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    sidecar_service: Option<Value>,
}

/// `api.AgentService`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
struct Service {
    #[serde(skip_serializing_if = "String::is_empty")]
    kind: String,
    #[serde(rename = "ID")]
    id: String,
    service: String,
    tags: Option<Vec<String>>,
    meta: Option<BTreeMap<String, String>>,
    port: u64,
    address: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    socket_path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    tagged_addresses: Option<BTreeMap<String, Value>>,
    weights: Value,
    enable_tag_override: bool,
    #[serde(skip_serializing_if = "is_zero")]
    create_index: u64,
    #[serde(skip_serializing_if = "is_zero")]
    modify_index: u64,
    #[serde(skip_serializing_if = "String::is_empty")]
    content_hash: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    proxy: Option<Proxy>,
    #[serde(skip_serializing_if = "Option::is_none")]
    connect: Option<Connect>,
    #[serde(skip_serializing_if = "String::is_empty")]
    namespace: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    datacenter: String,
}

/// `api.ServiceEntry`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
struct Entry {
    node: Option<Node>,
    service: Option<Service>,
    checks: Option<Vec<Check>>,
}

fn decode<T: for<'de> Deserialize<'de>>(raw: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(raw)
        .map_err(|e| ApiError::Decode(format!("Failed to decode response: {e}")))
}

fn encode<T: Serialize>(v: &T) -> Result<Vec<u8>, ApiError> {
    serde_json::to_vec(v).map_err(|e| ApiError::Decode(e.to_string()))
}

/// `/v1/health/checks/<service>` or `/v1/health/state/<state>` → `[]api.HealthCheck`.
pub fn checks(raw: Option<Vec<u8>>) -> Result<Option<Vec<u8>>, ApiError> {
    let Some(raw) = raw else { return Ok(None) };
    let v: Option<Vec<Check>> = decode(&raw)?;
    encode(&v.map(|v| v.into_iter().map(Check::normalize).collect::<Vec<_>>())).map(Some)
}

/// `/v1/health/service/<name>` → `[]api.ServiceEntry`.
pub fn service_entries(raw: Option<Vec<u8>>) -> Result<Option<Vec<u8>>, ApiError> {
    let Some(raw) = raw else { return Ok(None) };
    let v: Option<Vec<Entry>> = decode(&raw)?;
    let v = v.map(|v| {
        v.into_iter()
            .map(|mut e| {
                e.checks = e
                    .checks
                    .map(|c| c.into_iter().map(Check::normalize).collect());
                e
            })
            .collect::<Vec<_>>()
    });
    encode(&v).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_check_takes_the_api_shape() {
        let http = br#"[{"Node":"n","CheckID":"c","Name":"x","Status":"passing","Notes":"","Output":"","ServiceID":"","ServiceName":"","ServiceTags":[],"Type":"ttl","Interval":"","Timeout":"","ExposedPort":0,"Definition":{},"CreateIndex":1,"ModifyIndex":2}]"#;
        let out = String::from_utf8(checks(Some(http.to_vec())).unwrap().unwrap()).unwrap();
        assert_eq!(
            out,
            r#"[{"Node":"n","CheckID":"c","Name":"x","Status":"passing","Notes":"","Output":"","ServiceID":"","ServiceName":"","ServiceTags":[],"Type":"ttl","Definition":{"Interval":"0s","Timeout":"0s","DeregisterCriticalServiceAfter":"0s","HTTP":"","Header":null,"Method":"","Body":"","TLSServerName":"","TLSSkipVerify":false,"TCP":"","GRPC":"","GRPCUseTLS":false},"CreateIndex":1,"ModifyIndex":2}]"#
        );
    }

    #[test]
    fn a_service_takes_the_agent_service_shape() {
        let http = br#"[{"Node":{"ID":"i","Node":"n","Address":"a","Datacenter":"dc1","TaggedAddresses":null,"Meta":{},"CreateIndex":1,"ModifyIndex":1},"Service":{"ID":"web","Service":"web","Tags":[],"Address":"","Meta":{},"Port":80,"Weights":{"Passing":1,"Warning":1},"EnableTagOverride":false,"Proxy":{"Expose":{},"MeshGateway":{},"Mode":""},"Connect":{},"CreateIndex":4,"ModifyIndex":4},"Checks":[]}]"#;
        let out =
            String::from_utf8(service_entries(Some(http.to_vec())).unwrap().unwrap()).unwrap();
        assert!(
            out.contains(r#""Port":80,"Address":"","Weights":{"Passing":1,"Warning":1},"EnableTagOverride":false,"CreateIndex":4,"ModifyIndex":4,"Proxy":{"MeshGateway":{},"Expose":{}},"Connect":{}}"#),
            "{out}"
        );
    }
}
