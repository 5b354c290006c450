//! The agent's typed runtime configuration: every source merged, defaults
//! filled in, validated. This is what the agent reads; it never looks at
//! files or flags itself.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use serde_json::Value;

/// Listener ports. A negative port disables that listener.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ports {
    /// HTTP API (default 8500).
    pub http: i32,
    /// HTTPS API (default -1: off).
    pub https: i32,
    /// DNS, UDP and TCP (default 8600).
    pub dns: i32,
    /// Serf LAN gossip (default 8301).
    pub serf_lan: i32,
    /// Serf WAN gossip (default 8302).
    pub serf_wan: i32,
    /// Server RPC (default 8300).
    pub server: i32,
    /// gRPC (default -1; 8502 in dev mode).
    pub grpc: i32,
    /// gRPC with TLS (default -1).
    pub grpc_tls: i32,
}

impl Default for Ports {
    fn default() -> Self {
        Ports {
            http: 8500,
            https: -1,
            dns: 8600,
            serf_lan: 8301,
            serf_wan: 8302,
            server: 8300,
            grpc: -1,
            grpc_tls: -1,
        }
    }
}

/// Per-interface bind addresses overriding `client_addr` (each may hold
/// several space-separated addresses, or a `unix://` path).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Addresses {
    /// `addresses.dns`.
    pub dns: Option<String>,
    /// `addresses.http`.
    pub http: Option<String>,
    /// `addresses.https`.
    pub https: Option<String>,
    /// `addresses.grpc`.
    pub grpc: Option<String>,
    /// `addresses.grpc_tls`.
    pub grpc_tls: Option<String>,
}

/// ACL settings and the agent's configured tokens.
#[derive(Debug, Clone, PartialEq)]
pub struct AclConfig {
    /// `acl.enabled` (or the legacy `acl_datacenter` being set).
    pub enabled: bool,
    /// "allow" (default) or "deny".
    pub default_policy: String,
    /// "extend-cache" (default), "async-cache", "allow", "deny".
    pub down_policy: String,
    /// `acl.enable_token_replication`.
    pub enable_token_replication: bool,
    /// `acl.enable_token_persistence`.
    pub enable_token_persistence: bool,
    /// `acl.enable_key_list_policy`: listing keys needs `list`, not `read`.
    pub enable_key_list_policy: bool,
    /// `acl.token_ttl` (default 30s).
    pub token_ttl: Duration,
    /// `acl.policy_ttl` (default 30s).
    pub policy_ttl: Duration,
    /// `acl.role_ttl` (default 30s).
    pub role_ttl: Duration,
    /// `acl.tokens.initial_management`, alias `master`, legacy `acl_master_token`.
    pub initial_management: Option<String>,
    /// `acl.tokens.agent_recovery`, alias `agent_master`, legacy `acl_agent_master_token`.
    pub agent_recovery: Option<String>,
    /// `acl.tokens.agent`, legacy `acl_agent_token`.
    pub agent: Option<String>,
    /// `acl.tokens.default`, legacy `acl_token`.
    pub default: Option<String>,
    /// `acl.tokens.replication`, legacy `acl_replication_token`.
    pub replication: Option<String>,
}

/// `telemetry`: how metrics are named and where they are sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TelemetryConfig {
    /// `prometheus_retention_time` (default 0: `?format=prometheus` is refused).
    pub prometheus_retention_time: Duration,
    /// `disable_hostname`: no host name in gauge names.
    pub disable_hostname: bool,
    /// `metrics_prefix` (default `consul`).
    pub metrics_prefix: String,
    /// `statsd_address` (`host:port`), if set.
    pub statsd_address: Option<String>,
    /// `dogstatsd_addr` (`host:port`), if set.
    pub dogstatsd_addr: Option<String>,
    /// `dogstatsd_tags`: `k:v` tags added to every DogStatsD line.
    pub dogstatsd_tags: Vec<String>,
    /// `disable_compat_1.9`: no pre-1.9 `consul.http.<METHOD>.<path>` timers.
    pub disable_compat_1_9: bool,
}

impl Default for TelemetryConfig {
    fn default() -> Self {
        TelemetryConfig {
            prometheus_retention_time: Duration::ZERO,
            disable_hostname: false,
            metrics_prefix: "consul".into(),
            statsd_address: None,
            dogstatsd_addr: None,
            dogstatsd_tags: Vec::new(),
            disable_compat_1_9: false,
        }
    }
}

/// The merged, validated configuration of one agent.
#[derive(Debug, Clone, PartialEq)]
pub struct RuntimeConfig {
    /// `-dev`: in-memory server with fast timings.
    pub dev: bool,
    /// Node name (default: the host name).
    pub node_name: String,
    /// Node ID; `None` means the agent generates one and persists it in the data dir.
    pub node_id: Option<String>,
    /// Datacenter, lowercased (default "dc1").
    pub datacenter: String,
    /// Primary datacenter (`primary_datacenter`, else `acl_datacenter`, else `datacenter`).
    pub primary_datacenter: String,
    /// Data directory; `None` only in dev mode.
    pub data_dir: Option<PathBuf>,
    /// Server mode (dev: true).
    pub server: bool,
    /// `bootstrap`: elect itself leader alone.
    pub bootstrap: bool,
    /// `bootstrap_expect`: servers to wait for before bootstrapping (0 = off).
    pub bootstrap_expect: u32,
    /// Bind address for cluster traffic (default 0.0.0.0; dev 127.0.0.1).
    pub bind_addr: String,
    /// Address advertised to the LAN, if set.
    pub advertise_addr: Option<String>,
    /// Address advertised to the WAN, if set.
    pub advertise_addr_wan: Option<String>,
    /// Serf LAN bind address override (`serf_lan`, `-serf-lan-bind`).
    pub serf_lan_bind: Option<String>,
    /// Serf WAN bind address override (`serf_wan`, `-serf-wan-bind`).
    pub serf_wan_bind: Option<String>,
    /// Client-facing bind address(es) for HTTP/DNS/gRPC (default 127.0.0.1).
    pub client_addr: String,
    /// Listener ports.
    pub ports: Ports,
    /// TLS for the HTTPS API listener (`ports.https`).
    pub https_tls: crate::tls::HttpsTls,
    /// Per-interface address overrides.
    pub addresses: Addresses,
    /// Built-in UI enabled (`ui`, `ui_config.enabled`, `-ui`; dev: true).
    pub ui: bool,
    /// Serve the UI's files from this directory instead of the embedded ones
    /// (`ui_config.dir`, `ui_dir`, `-ui-dir`).
    pub ui_dir: Option<String>,
    /// Where the UI is served, with a leading and trailing `/`
    /// (`ui_config.content_path`, `ui_content_path`; default `/ui/`).
    pub ui_content_path: String,
    /// Log level, lowercased (default "info"; dev "debug").
    pub log_level: String,
    /// `log_json`.
    pub log_json: bool,
    /// `log_file`, if set.
    pub log_file: Option<String>,
    /// `enable_syslog`.
    pub enable_syslog: bool,
    /// `performance.raft_multiplier`, 1..=10 (default 5, dev 1).
    pub raft_multiplier: u32,
    /// `raft_protocol` (default 3).
    pub raft_protocol: i64,
    /// ACL settings and tokens.
    pub acl: AclConfig,
    /// `connect.enabled` (dev: true).
    pub connect_enabled: bool,
    /// `connect.ca_config`, as given.
    pub connect_ca_config: serde_json::Map<String, Value>,
    /// `peering.enabled` (default true).
    pub peering_enabled: bool,
    /// `enable_script_checks`.
    pub enable_script_checks: bool,
    /// `enable_local_script_checks`.
    pub enable_local_script_checks: bool,
    /// `disable_remote_exec` (default true): whether `consul exec` jobs are refused.
    pub disable_remote_exec: bool,
    /// `enable_debug` (dev: true).
    pub enable_debug: bool,
    /// `disable_update_check`.
    pub disable_update_check: bool,
    /// `disable_host_node_id` (default true).
    pub disable_host_node_id: bool,
    /// Don't leave the cluster on SIGINT (default: true for servers).
    pub skip_leave_on_interrupt: bool,
    /// Leave the cluster on SIGTERM (default: true for clients).
    pub leave_on_terminate: bool,
    /// `rejoin_after_leave` / `-rejoin`.
    pub rejoin_after_leave: bool,
    /// `start_join` / `-join`.
    pub start_join: Vec<String>,
    /// `start_join_wan` / `-join-wan`.
    pub start_join_wan: Vec<String>,
    /// `retry_join` / `-retry-join`.
    pub retry_join: Vec<String>,
    /// `retry_join_wan` / `-retry-join-wan`.
    pub retry_join_wan: Vec<String>,
    /// `retry_interval` (default 30s).
    pub retry_interval: Duration,
    /// `retry_interval_wan` (default 30s).
    pub retry_interval_wan: Duration,
    /// `retry_max` (0 = forever).
    pub retry_max: u32,
    /// `retry_max_wan` (0 = forever).
    pub retry_max_wan: u32,
    /// Gossip encryption key (base64), if set.
    pub encrypt: Option<String>,
    /// `pid_file`, if set.
    pub pid_file: Option<PathBuf>,
    /// `node_meta`.
    pub node_meta: BTreeMap<String, String>,
    /// DNS domain, with a trailing dot (default "consul.").
    pub domain: String,
    /// `alt_domain`, with a trailing dot, if set.
    pub alt_domain: Option<String>,
    /// Upstream DNS servers.
    pub recursors: Vec<String>,
    /// Anti-entropy full-sync interval (`ae_interval`, default 1m; not meant for users, but tests shorten it).
    pub ae_interval: Duration,
    /// Output-only check changes reach the catalog at most this often (default 5m).
    pub check_update_interval: Duration,
    /// How often services whose check stayed critical past its
    /// `deregister_critical_service_after` are reaped (`check_reap_interval`,
    /// default 30s; a hidden key tests shorten).
    pub check_reap_interval: Duration,
    /// Smallest `deregister_critical_service_after` honoured; shorter ones are
    /// raised to it (`check_deregister_interval_min`, default 1m; hidden, for tests).
    pub check_deregister_interval_min: Duration,
    /// `dns_config` as written (unset fields keep the DNS defaults).
    pub dns_config: crate::file_config::DnsConfig,
    /// `limits.kv_max_value_size` (default 524288).
    pub kv_max_value_size: u64,
    /// `limits.txn_max_req_len` (default 524288).
    pub txn_max_req_len: u64,
    /// `limits.txn_max_ops`: most operations in one `/v1/txn` (default 128,
    /// Consul's fixed `maxTxnOps`; not a Consul key).
    pub txn_max_ops: usize,
    /// `default_query_time` for blocking queries (default 300s).
    pub default_query_time: Duration,
    /// `max_query_time` for blocking queries (default 600s).
    pub max_query_time: Duration,
    /// `http_config.response_headers`.
    pub http_response_headers: BTreeMap<String, String>,
    /// `telemetry`.
    pub telemetry: TelemetryConfig,
    /// Service definitions from every source, raw, in order.
    pub services: Vec<Value>,
    /// Check definitions from every source, raw, in order.
    pub checks: Vec<Value>,
    /// `watches`: watch definitions from every source, raw, in order (parsed by the agent).
    pub watches: Vec<Value>,
    /// Things the agent should log at startup (unknown keys, skipped files, advice).
    pub warnings: Vec<String>,
}
