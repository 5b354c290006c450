//! Agent-local definitions: the bodies of `/v1/agent/service/register` and
//! `/v1/agent/check/register` (and of `service`/`check` blocks in config
//! files), and the shapes `/v1/agent/*` answers with.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::catalog::{ServiceAddress, Weights};
use crate::duration::serde_go_opt;

/// A service as an agent registers it (`AgentServiceRegistration`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ServiceDefinition {
    /// Service kind ("" for a typical service).
    pub kind: String,
    /// Instance id (defaults to the name).
    #[serde(rename = "ID")]
    pub id: String,
    /// Service name (required).
    pub name: String,
    /// Tags.
    pub tags: Vec<String>,
    /// Address ("" = the node's).
    pub address: String,
    /// Other addresses of the instance.
    pub tagged_addresses: BTreeMap<String, ServiceAddress>,
    /// Port.
    pub port: u16,
    /// Metadata.
    pub meta: BTreeMap<String, String>,
    /// Tag override flag.
    pub enable_tag_override: bool,
    /// SRV weights (default 1/1).
    pub weights: Option<Weights>,
    /// One check.
    pub check: Option<CheckDefinition>,
    /// More checks.
    pub checks: Vec<CheckDefinition>,
    /// Connect proxy configuration (kept, not interpreted).
    pub proxy: Option<serde_json::Value>,
    /// Connect settings (kept, not interpreted).
    pub connect: Option<serde_json::Value>,
}

/// A check as an agent registers it (`AgentCheckRegistration` /
/// `AgentServiceCheck`). Which of `ttl`, `http`, `tcp`, `args`… is set decides
/// its kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct CheckDefinition {
    /// Check id (`ID`).
    #[serde(rename = "ID")]
    pub id: String,
    /// Check id under its other accepted name (`CheckID`).
    #[serde(rename = "CheckID")]
    pub check_id: String,
    /// Human name.
    pub name: String,
    /// Notes.
    pub notes: String,
    /// Bound service.
    #[serde(rename = "ServiceID")]
    pub service_id: String,
    /// Initial status.
    pub status: String,
    /// TTL of a TTL check.
    #[serde(rename = "TTL", with = "serde_go_opt")]
    pub ttl: Option<Duration>,
    /// Run interval.
    #[serde(with = "serde_go_opt")]
    pub interval: Option<Duration>,
    /// Per-run timeout.
    #[serde(with = "serde_go_opt")]
    pub timeout: Option<Duration>,
    /// HTTP check URL.
    #[serde(rename = "HTTP")]
    pub http: String,
    /// HTTP method.
    pub method: String,
    /// HTTP headers.
    pub header: BTreeMap<String, Vec<String>>,
    /// HTTP body.
    pub body: String,
    /// Skip TLS verification.
    #[serde(rename = "TLSSkipVerify")]
    pub tls_skip_verify: bool,
    /// TCP check address.
    #[serde(rename = "TCP")]
    pub tcp: String,
    /// UDP check address.
    #[serde(rename = "UDP")]
    pub udp: String,
    /// gRPC check target.
    #[serde(rename = "GRPC")]
    pub grpc: String,
    /// gRPC over TLS.
    #[serde(rename = "GRPCUseTLS")]
    pub grpc_use_tls: bool,
    /// H2 ping target.
    #[serde(rename = "H2PING")]
    pub h2ping: String,
    /// H2 ping over TLS (Consul's default: true).
    #[serde(rename = "H2PingUseTLS")]
    pub h2ping_use_tls: Option<bool>,
    /// Script check argv.
    pub args: Vec<String>,
    /// Script check argv under its old name.
    pub script_args: Vec<String>,
    /// Legacy shell script (run via the shell).
    pub script: String,
    /// Docker container of a docker check.
    #[serde(rename = "DockerContainerID")]
    pub docker_container_id: String,
    /// Shell of a docker check.
    pub shell: String,
    /// Alias check: node.
    pub alias_node: String,
    /// Alias check: service.
    pub alias_service: String,
    /// Deregister the service after being critical this long.
    #[serde(with = "serde_go_opt")]
    pub deregister_critical_service_after: Option<Duration>,
    /// Consecutive successes before passing.
    pub success_before_passing: u32,
    /// Consecutive failures before critical.
    pub failures_before_critical: u32,
}

impl CheckDefinition {
    /// The id given under either name.
    pub fn given_id(&self) -> &str {
        if self.id.is_empty() {
            &self.check_id
        } else {
            &self.id
        }
    }

    /// The check's kind as Consul reports it in `Type`.
    pub fn kind(&self) -> &'static str {
        if self.ttl.is_some() {
            "ttl"
        } else if !self.http.is_empty() {
            "http"
        } else if !self.tcp.is_empty() {
            "tcp"
        } else if !self.udp.is_empty() {
            "udp"
        } else if !self.grpc.is_empty() {
            "grpc"
        } else if !self.h2ping.is_empty() {
            "h2ping"
        } else if !self.docker_container_id.is_empty() {
            "docker"
        } else if !self.alias_node.is_empty() || !self.alias_service.is_empty() {
            "alias"
        } else if !self.args.is_empty() || !self.script_args.is_empty() || !self.script.is_empty() {
            "script"
        } else {
            ""
        }
    }
}

/// A service as `/v1/agent/services` shows it (`api.AgentService`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AgentService {
    /// Service kind (omitted for a typical service).
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub kind: String,
    /// Instance id.
    #[serde(rename = "ID")]
    pub id: String,
    /// Service name.
    pub service: String,
    /// Tags.
    pub tags: Vec<String>,
    /// Metadata.
    pub meta: BTreeMap<String, String>,
    /// Port.
    pub port: u16,
    /// Address.
    pub address: String,
    /// Other addresses (with the `lan_ipv4`/`wan_ipv4` entries the agent adds).
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub tagged_addresses: BTreeMap<String, ServiceAddress>,
    /// SRV weights.
    pub weights: Weights,
    /// Tag override flag.
    pub enable_tag_override: bool,
    /// Connect proxy configuration, when registered.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub proxy: Option<serde_json::Value>,
    /// Connect settings, when registered.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub connect: Option<serde_json::Value>,
    /// Datacenter of the agent.
    pub datacenter: String,
    /// Hash of the definition (only on `/v1/agent/service/<id>`).
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub content_hash: String,
}
