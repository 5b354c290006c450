//! Catalog types: nodes, services and checks, in the JSON shapes Consul serves
//! from `/v1/catalog/*`, `/v1/health/*` and `/v1/agent/*`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Health status of a check, as the strings Consul uses.
pub mod status {
    /// The check passes.
    pub const PASSING: &str = "passing";
    /// The check warns.
    pub const WARNING: &str = "warning";
    /// The check fails.
    pub const CRITICAL: &str = "critical";
    /// Maintenance mode (never stored; used in requests).
    pub const MAINT: &str = "maintenance";
    /// Whether `s` is one of the storable statuses.
    pub fn is_valid(s: &str) -> bool {
        matches!(s, PASSING | WARNING | CRITICAL)
    }
}

/// Check id of the gossip health check every node carries.
pub const SERF_CHECK_ID: &str = "serfHealth";
/// Name of the gossip health check.
pub const SERF_CHECK_NAME: &str = "Serf Health Status";
/// Service every server registers for itself.
pub const CONSUL_SERVICE: &str = "consul";

/// A catalog node (`structs.Node`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Node {
    /// Node UUID.
    #[serde(rename = "ID")]
    pub id: String,
    /// Node name.
    pub node: String,
    /// Node address.
    pub address: String,
    /// Datacenter of the node.
    pub datacenter: String,
    /// Extra addresses (`lan`, `wan`, …).
    pub tagged_addresses: BTreeMap<String, String>,
    /// Free-form metadata.
    pub meta: BTreeMap<String, String>,
    /// Raft index of creation.
    pub create_index: u64,
    /// Raft index of the last change.
    pub modify_index: u64,
}

/// Relative DNS SRV weights of a service instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Weights {
    /// Weight while passing.
    pub passing: i64,
    /// Weight while warning.
    pub warning: i64,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            passing: 1,
            warning: 1,
        }
    }
}

/// An address and port a service is also reachable at (`structs.ServiceAddress`),
/// one value of a service's `TaggedAddresses`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ServiceAddress {
    /// IP or host name.
    pub address: String,
    /// Port.
    pub port: u16,
}

/// A service instance on a node (`structs.NodeService`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct NodeService {
    /// Service kind ("" for a typical service; `connect-proxy`, `mesh-gateway`…).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub kind: String,
    /// Instance id, unique on its node.
    #[serde(rename = "ID")]
    pub id: String,
    /// Service name.
    pub service: String,
    /// Tags.
    pub tags: Vec<String>,
    /// Address of the instance ("" = the node's).
    pub address: String,
    /// Other addresses of the instance (`lan_ipv4`, `wan_ipv4`, user-defined…).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub tagged_addresses: BTreeMap<String, ServiceAddress>,
    /// Metadata.
    pub meta: BTreeMap<String, String>,
    /// Port (omitted when 0, as Consul does).
    #[serde(skip_serializing_if = "is_zero")]
    pub port: u16,
    /// SRV weights.
    pub weights: Weights,
    /// Whether catalog edits to tags survive anti-entropy.
    pub enable_tag_override: bool,
    /// Connect proxy configuration, as registered (kept, not interpreted);
    /// shown as Consul's empty `ConnectProxyConfig` when none.
    #[serde(with = "connect_json::proxy")]
    pub proxy: Option<serde_json::Value>,
    /// Connect settings, as registered (kept, not interpreted); `{}` when none.
    #[serde(with = "connect_json::connect")]
    pub connect: Option<serde_json::Value>,
    /// Raft index of creation.
    pub create_index: u64,
    /// Raft index of the last change.
    pub modify_index: u64,
}

/// A health check (`structs.HealthCheck`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct HealthCheck {
    /// Node the check belongs to.
    pub node: String,
    /// Check id, unique on its node.
    #[serde(rename = "CheckID")]
    pub check_id: String,
    /// Human name.
    pub name: String,
    /// `passing`, `warning` or `critical`.
    pub status: String,
    /// Operator notes.
    pub notes: String,
    /// Last output of the check.
    pub output: String,
    /// Service the check is bound to ("" = node-level).
    #[serde(rename = "ServiceID")]
    pub service_id: String,
    /// Name of that service.
    pub service_name: String,
    /// Tags of that service.
    pub service_tags: Vec<String>,
    /// Check kind (`ttl`, `http`, `script`, …; "" for catalog-only checks).
    #[serde(rename = "Type")]
    pub check_type: String,
    /// Interval, Go syntax ("" if none).
    pub interval: String,
    /// Timeout, Go syntax ("" if none).
    pub timeout: String,
    /// Port a check is exposed on through a Connect proxy (0: none).
    pub exposed_port: u16,
    /// The check's definition as the catalog keeps it (always empty here,
    /// shown as Consul's empty `HealthCheckDefinition`).
    pub definition: HealthCheckDefinition,
    /// Raft index of creation.
    pub create_index: u64,
    /// Raft index of the last change.
    pub modify_index: u64,
}

/// The definition part of a catalog check (`structs.HealthCheckDefinition`);
/// every field of Consul's is omitted when empty, so an empty one is `{}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthCheckDefinition {}

fn is_zero(n: &u16) -> bool {
    *n == 0
}

/// Serde for the opaque Connect fields of a service: `None` is written as
/// Consul's empty value (`Proxy` `{"Mode":"","MeshGateway":{},"Expose":{}}`,
/// `Connect` `{}`), and reading that empty value (or `{}`, or `null`) back
/// gives `None`, so a round trip never turns "not set" into "set".
mod connect_json {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use serde_json::{json, Value};

    fn empty_proxy() -> Value {
        json!({"Mode": "", "MeshGateway": {}, "Expose": {}})
    }

    fn is_empty(v: &Value) -> bool {
        v.is_null() || v.as_object().is_some_and(|m| m.is_empty()) || *v == empty_proxy()
    }

    fn read<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
        let v = Option::<Value>::deserialize(d)?;
        Ok(v.filter(|v| !is_empty(v)))
    }

    /// `Proxy` / `ServiceProxy`.
    pub mod proxy {
        use super::*;
        pub fn serialize<S: Serializer>(v: &Option<Value>, s: S) -> Result<S::Ok, S::Error> {
            match v {
                Some(v) => v.serialize(s),
                None => empty_proxy().serialize(s),
            }
        }
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
            read(d)
        }
    }

    /// `Connect` / `ServiceConnect`.
    pub mod connect {
        use super::*;
        pub fn serialize<S: Serializer>(v: &Option<Value>, s: S) -> Result<S::Ok, S::Error> {
            match v {
                Some(v) => v.serialize(s),
                None => json!({}).serialize(s),
            }
        }
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
            read(d)
        }
    }
}

/// A node with one of its services: one row of `/v1/catalog/service/<name>`
/// (`structs.ServiceNode`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ServiceNode {
    /// Node UUID.
    #[serde(rename = "ID")]
    pub id: String,
    /// Node name.
    pub node: String,
    /// Node address.
    pub address: String,
    /// Datacenter.
    pub datacenter: String,
    /// Node tagged addresses.
    pub tagged_addresses: BTreeMap<String, String>,
    /// Node metadata.
    pub node_meta: BTreeMap<String, String>,
    /// Service kind ("" for a typical service).
    pub service_kind: String,
    /// Instance id.
    #[serde(rename = "ServiceID")]
    pub service_id: String,
    /// Service name.
    pub service_name: String,
    /// Service tags.
    pub service_tags: Vec<String>,
    /// Service address.
    pub service_address: String,
    /// Service tagged addresses.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub service_tagged_addresses: BTreeMap<String, ServiceAddress>,
    /// Service SRV weights.
    pub service_weights: Weights,
    /// Service metadata.
    pub service_meta: BTreeMap<String, String>,
    /// Service port.
    pub service_port: u16,
    /// Tag override flag.
    pub service_enable_tag_override: bool,
    /// Unix socket of the service (never set here; Consul always shows it).
    pub service_socket_path: String,
    /// Connect proxy configuration of the service, as registered.
    #[serde(with = "connect_json::proxy")]
    pub service_proxy: Option<serde_json::Value>,
    /// Connect settings of the service, as registered.
    #[serde(with = "connect_json::connect")]
    pub service_connect: Option<serde_json::Value>,
    /// Raft index of the service's creation.
    pub create_index: u64,
    /// Raft index of the service's last change.
    pub modify_index: u64,
}

impl ServiceNode {
    /// Join a node and one of its services into a row.
    pub fn from_parts(node: &Node, svc: &NodeService) -> Self {
        ServiceNode {
            id: node.id.clone(),
            node: node.node.clone(),
            address: node.address.clone(),
            datacenter: node.datacenter.clone(),
            tagged_addresses: node.tagged_addresses.clone(),
            node_meta: node.meta.clone(),
            service_kind: svc.kind.clone(),
            service_id: svc.id.clone(),
            service_name: svc.service.clone(),
            service_tags: svc.tags.clone(),
            service_address: svc.address.clone(),
            service_tagged_addresses: svc.tagged_addresses.clone(),
            service_socket_path: String::new(),
            service_proxy: svc.proxy.clone(),
            service_connect: svc.connect.clone(),
            service_weights: svc.weights,
            service_meta: svc.meta.clone(),
            service_port: svc.port,
            service_enable_tag_override: svc.enable_tag_override,
            create_index: svc.create_index,
            modify_index: svc.modify_index,
        }
    }
}

/// A node with all its services (`/v1/catalog/node/<node>`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct NodeServices {
    /// The node.
    pub node: Node,
    /// Its services by id.
    pub services: BTreeMap<String, NodeService>,
}

/// A node, one service instance and the checks that apply to it
/// (one row of `/v1/health/service/<name>`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CheckServiceNode {
    /// The node.
    pub node: Node,
    /// The service instance.
    pub service: NodeService,
    /// Node-level checks and this instance's checks.
    pub checks: Vec<HealthCheck>,
}

/// A catalog registration (`structs.RegisterRequest`), the body of
/// `PUT /v1/catalog/register`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct RegisterRequest {
    /// Target datacenter ("" = local).
    pub datacenter: String,
    /// Node UUID.
    #[serde(rename = "ID")]
    pub id: String,
    /// Node name (required).
    pub node: String,
    /// Node address (required unless `SkipNodeUpdate`).
    pub address: String,
    /// Node tagged addresses.
    pub tagged_addresses: BTreeMap<String, String>,
    /// Node metadata.
    pub node_meta: BTreeMap<String, String>,
    /// A service to register on the node.
    pub service: Option<NodeService>,
    /// A check to register.
    pub check: Option<HealthCheck>,
    /// More checks to register.
    pub checks: Vec<HealthCheck>,
    /// Leave an existing node's fields untouched.
    pub skip_node_update: bool,
}

/// A catalog deregistration (`structs.DeregisterRequest`): with neither
/// `ServiceID` nor `CheckID`, the whole node goes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DeregisterRequest {
    /// Target datacenter ("" = local).
    pub datacenter: String,
    /// Node name (required).
    pub node: String,
    /// Service to remove.
    #[serde(rename = "ServiceID")]
    pub service_id: String,
    /// Check to remove.
    #[serde(rename = "CheckID")]
    pub check_id: String,
}
