//! The shape of a Consul config file (JSON, snake_case keys), as serde types.
//!
//! Every field is optional: a source sets only what it mentions, and `null`
//! means "not set" (HashiCorp's testutil always writes `"segments": null`).
//! Keys Consul has but we do not interpret yet are typed [`Value`] so they
//! are accepted without a warning; keys missing here are reported as
//! warnings by [`crate::source`]. Durations use Go's syntax.

use std::collections::BTreeMap;
use std::time::Duration;

use consul_types::duration::serde_go_opt;
use serde::Deserialize;
use serde_json::Value;

/// A whole config file (or the merge of several).
#[derive(Debug, Default, Deserialize)]
#[allow(missing_docs)] // field names are Consul's config keys; see Consul's docs
pub struct FileConfig {
    pub node_name: Option<String>,
    pub node_id: Option<String>,
    pub datacenter: Option<String>,
    pub primary_datacenter: Option<String>,
    pub acl_datacenter: Option<String>,
    pub data_dir: Option<String>,
    pub server: Option<bool>,
    pub bootstrap: Option<bool>,
    pub bootstrap_expect: Option<i64>,
    pub read_replica: Option<bool>,
    pub non_voting_server: Option<bool>,
    pub disable_update_check: Option<bool>,
    pub log_level: Option<String>,
    pub log_json: Option<bool>,
    pub log_file: Option<String>,
    pub log_rotate_bytes: Option<i64>,
    #[serde(default, with = "serde_go_opt")]
    pub log_rotate_duration: Option<Duration>,
    pub log_rotate_max_files: Option<i64>,
    pub enable_syslog: Option<bool>,
    pub syslog_facility: Option<String>,
    pub pid_file: Option<String>,
    pub bind_addr: Option<String>,
    pub advertise_addr: Option<String>,
    pub advertise_addr_wan: Option<String>,
    pub advertise_addr_ipv4: Option<String>,
    pub advertise_addr_ipv6: Option<String>,
    pub advertise_addr_wan_ipv4: Option<String>,
    pub advertise_addr_wan_ipv6: Option<String>,
    pub client_addr: Option<String>,
    pub serf_lan: Option<String>,
    pub serf_wan: Option<String>,
    pub serf_lan_allowed_cidrs: Option<Vec<String>>,
    pub serf_wan_allowed_cidrs: Option<Vec<String>>,
    pub translate_wan_addrs: Option<bool>,
    pub tagged_addresses: Option<BTreeMap<String, String>>,
    pub addresses: Option<Addresses>,
    pub ports: Option<Ports>,
    pub performance: Option<Performance>,
    pub segment: Option<String>,
    pub segments: Option<Value>,
    pub partition: Option<String>,
    pub protocol: Option<i64>,
    pub raft_protocol: Option<i64>,
    pub raft_snapshot_threshold: Option<i64>,
    #[serde(default, with = "serde_go_opt")]
    pub raft_snapshot_interval: Option<Duration>,
    pub raft_trailing_logs: Option<i64>,
    pub raft_logstore: Option<Value>,
    pub acl: Option<Acl>,
    pub acl_master_token: Option<String>,
    pub acl_token: Option<String>,
    pub acl_agent_token: Option<String>,
    pub acl_agent_master_token: Option<String>,
    pub acl_replication_token: Option<String>,
    pub acl_default_policy: Option<String>,
    pub acl_down_policy: Option<String>,
    pub acl_enforce_version_8: Option<bool>,
    #[serde(default, with = "serde_go_opt")]
    pub acl_ttl: Option<Duration>,
    pub enable_acl_replication: Option<bool>,
    pub connect: Option<Connect>,
    pub peering: Option<Peering>,
    pub skip_leave_on_interrupt: Option<bool>,
    pub leave_on_terminate: Option<bool>,
    pub rejoin_after_leave: Option<bool>,
    pub version: Option<Value>,
    pub node_meta: Option<BTreeMap<String, String>>,
    pub locality: Option<Locality>,
    pub retry_join: Option<Vec<String>>,
    pub retry_join_wan: Option<Vec<String>>,
    #[serde(default, with = "serde_go_opt")]
    pub retry_interval: Option<Duration>,
    #[serde(default, with = "serde_go_opt")]
    pub retry_interval_wan: Option<Duration>,
    pub retry_max: Option<i64>,
    pub retry_max_wan: Option<i64>,
    pub start_join: Option<Vec<String>>,
    pub start_join_wan: Option<Vec<String>>,
    pub primary_gateways: Option<Vec<String>>,
    #[serde(default, with = "serde_go_opt")]
    pub reconnect_timeout: Option<Duration>,
    #[serde(default, with = "serde_go_opt")]
    pub reconnect_timeout_wan: Option<Duration>,
    pub encrypt: Option<String>,
    pub encrypt_verify_incoming: Option<bool>,
    pub encrypt_verify_outgoing: Option<bool>,
    pub disable_keyring_file: Option<bool>,
    pub ca_file: Option<String>,
    pub ca_path: Option<String>,
    pub cert_file: Option<String>,
    pub key_file: Option<String>,
    pub server_name: Option<String>,
    pub verify_incoming: Option<bool>,
    pub verify_incoming_rpc: Option<bool>,
    pub verify_incoming_https: Option<bool>,
    pub verify_outgoing: Option<bool>,
    pub verify_server_hostname: Option<bool>,
    pub tls_min_version: Option<String>,
    pub tls_cipher_suites: Option<String>,
    pub tls_prefer_server_cipher_suites: Option<bool>,
    pub tls: Option<Value>,
    pub auto_encrypt: Option<Value>,
    pub auto_config: Option<Value>,
    pub enable_script_checks: Option<bool>,
    pub enable_local_script_checks: Option<bool>,
    pub enable_debug: Option<bool>,
    pub disable_remote_exec: Option<bool>,
    pub disable_host_node_id: Option<bool>,
    pub disable_coordinates: Option<bool>,
    pub disable_anonymous_signature: Option<bool>,
    pub disable_http_unprintable_char_filter: Option<bool>,
    pub enable_central_service_config: Option<bool>,
    pub auto_reload_config: Option<bool>,
    pub check_output_max_size: Option<i64>,
    #[serde(default, with = "serde_go_opt")]
    pub check_update_interval: Option<Duration>,
    #[serde(default, with = "serde_go_opt")]
    pub ae_interval: Option<Duration>,
    #[serde(default, with = "serde_go_opt")]
    pub check_reap_interval: Option<Duration>,
    #[serde(default, with = "serde_go_opt")]
    pub check_deregister_interval_min: Option<Duration>,
    #[serde(default, with = "serde_go_opt")]
    pub session_ttl_min: Option<Duration>,
    pub autopilot: Option<Autopilot>,
    pub audit: Option<Value>,
    pub experiments: Option<Vec<String>>,
    pub ui: Option<bool>,
    pub ui_dir: Option<String>,
    pub ui_content_path: Option<String>,
    pub ui_config: Option<UiConfig>,
    pub dns_config: Option<DnsConfig>,
    pub recursors: Option<Vec<String>>,
    pub domain: Option<String>,
    pub alt_domain: Option<String>,
    pub limits: Option<Limits>,
    pub http_config: Option<HttpConfig>,
    pub telemetry: Option<Telemetry>,
    pub rpc: Option<Value>,
    pub cache: Option<Value>,
    pub config_entries: Option<Value>,
    pub gossip_lan: Option<Value>,
    pub gossip_wan: Option<Value>,
    #[serde(default, with = "serde_go_opt")]
    pub default_query_time: Option<Duration>,
    #[serde(default, with = "serde_go_opt")]
    pub max_query_time: Option<Duration>,
    pub service: Option<Value>,
    pub services: Option<Vec<Value>>,
    pub check: Option<Value>,
    pub checks: Option<Vec<Value>>,
    pub watches: Option<Vec<Value>>,
}

/// `addresses`: per-interface bind addresses (space-separated lists allowed).
#[derive(Debug, Default, Deserialize)]
#[allow(missing_docs)]
pub struct Addresses {
    pub dns: Option<String>,
    pub http: Option<String>,
    pub https: Option<String>,
    pub grpc: Option<String>,
    pub grpc_tls: Option<String>,
}

/// `ports`: every listener's port; -1 disables one.
#[derive(Debug, Default, Deserialize)]
#[allow(missing_docs)]
pub struct Ports {
    pub dns: Option<i64>,
    pub http: Option<i64>,
    pub https: Option<i64>,
    pub serf_lan: Option<i64>,
    pub serf_wan: Option<i64>,
    pub server: Option<i64>,
    pub grpc: Option<i64>,
    pub grpc_tls: Option<i64>,
    pub proxy_min_port: Option<i64>,
    pub proxy_max_port: Option<i64>,
    pub sidecar_min_port: Option<i64>,
    pub sidecar_max_port: Option<i64>,
    pub expose_min_port: Option<i64>,
    pub expose_max_port: Option<i64>,
}

/// `performance`.
#[derive(Debug, Default, Deserialize)]
#[allow(missing_docs)]
pub struct Performance {
    pub raft_multiplier: Option<i64>,
    #[serde(default, with = "serde_go_opt")]
    pub leave_drain_time: Option<Duration>,
    #[serde(default, with = "serde_go_opt")]
    pub rpc_hold_timeout: Option<Duration>,
}

/// `acl`.
#[derive(Debug, Default, Deserialize)]
#[allow(missing_docs)]
pub struct Acl {
    pub enabled: Option<bool>,
    pub default_policy: Option<String>,
    pub down_policy: Option<String>,
    pub enable_token_replication: Option<bool>,
    pub enable_key_list_policy: Option<bool>,
    pub enable_token_persistence: Option<bool>,
    #[serde(default, with = "serde_go_opt")]
    pub policy_ttl: Option<Duration>,
    #[serde(default, with = "serde_go_opt")]
    pub token_ttl: Option<Duration>,
    #[serde(default, with = "serde_go_opt")]
    pub role_ttl: Option<Duration>,
    #[serde(default, with = "serde_go_opt")]
    pub disabled_ttl: Option<Duration>,
    pub msp_disable_bootstrap: Option<bool>,
    pub tokens: Option<AclTokens>,
}

/// `acl.tokens` (with the pre-1.11 names `master` and `agent_master`).
#[derive(Debug, Default, Deserialize)]
#[allow(missing_docs)]
pub struct AclTokens {
    pub initial_management: Option<String>,
    pub master: Option<String>,
    pub agent_recovery: Option<String>,
    pub agent_master: Option<String>,
    pub agent: Option<String>,
    pub default: Option<String>,
    pub replication: Option<String>,
    pub config_file_service_registration: Option<String>,
    pub dns: Option<String>,
    pub managed_service_provider: Option<Value>,
}

/// `connect`.
#[derive(Debug, Default, Deserialize)]
#[allow(missing_docs)]
pub struct Connect {
    pub enabled: Option<bool>,
    pub ca_provider: Option<String>,
    pub ca_config: Option<serde_json::Map<String, Value>>,
    pub enable_mesh_gateway_wan_federation: Option<bool>,
    pub enable_serverless_plugin: Option<bool>,
    pub test_ca_leaf_root_change_spread: Option<Value>,
}

/// `peering`.
#[derive(Debug, Default, Deserialize)]
#[allow(missing_docs)]
pub struct Peering {
    pub enabled: Option<bool>,
    pub test_allow_peer_registrations: Option<bool>,
}

/// `locality`.
#[derive(Debug, Default, Deserialize)]
#[allow(missing_docs)]
pub struct Locality {
    pub region: Option<String>,
    pub zone: Option<String>,
}

/// `autopilot`.
#[derive(Debug, Default, Deserialize)]
#[allow(missing_docs)]
pub struct Autopilot {
    pub cleanup_dead_servers: Option<bool>,
    #[serde(default, with = "serde_go_opt")]
    pub last_contact_threshold: Option<Duration>,
    pub max_trailing_logs: Option<i64>,
    pub min_quorum: Option<i64>,
    #[serde(default, with = "serde_go_opt")]
    pub server_stabilization_time: Option<Duration>,
    pub redundancy_zone_tag: Option<String>,
    pub disable_upgrade_migration: Option<bool>,
    pub upgrade_version_tag: Option<String>,
}

/// `ui_config`.
#[derive(Debug, Default, Deserialize)]
#[allow(missing_docs)]
pub struct UiConfig {
    pub enabled: Option<bool>,
    pub dir: Option<String>,
    pub content_path: Option<String>,
    pub metrics_provider: Option<String>,
    pub metrics_provider_files: Option<Vec<String>>,
    pub metrics_provider_options_json: Option<String>,
    pub metrics_proxy: Option<Value>,
    pub dashboard_url_templates: Option<BTreeMap<String, String>>,
}

/// `telemetry`: where metrics go and how they are named. The Circonus and
/// statsite keys and the filters are accepted but not interpreted.
#[derive(Debug, Default, Deserialize)]
#[allow(missing_docs)]
pub struct Telemetry {
    #[serde(default, with = "serde_go_opt")]
    pub prometheus_retention_time: Option<Duration>,
    pub disable_hostname: Option<bool>,
    pub metrics_prefix: Option<String>,
    pub statsd_address: Option<String>,
    pub dogstatsd_addr: Option<String>,
    pub dogstatsd_tags: Option<Vec<String>>,
    pub statsite_address: Option<Value>,
    pub filter_default: Option<Value>,
    pub allowed_prefixes: Option<Value>,
    pub blocked_prefixes: Option<Value>,
    #[serde(rename = "disable_compat_1.9")]
    pub disable_compat_1_9: Option<bool>,
    pub circonus_api_app: Option<Value>,
    pub circonus_api_token: Option<Value>,
    pub circonus_api_url: Option<Value>,
    pub circonus_broker_id: Option<Value>,
    pub circonus_broker_select_tag: Option<Value>,
    pub circonus_check_display_name: Option<Value>,
    pub circonus_check_force_metric_activation: Option<Value>,
    pub circonus_check_id: Option<Value>,
    pub circonus_check_instance_id: Option<Value>,
    pub circonus_check_search_tag: Option<Value>,
    pub circonus_check_tags: Option<Value>,
    pub circonus_submission_interval: Option<Value>,
    pub circonus_submission_url: Option<Value>,
}

/// `dns_config`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[allow(missing_docs)]
pub struct DnsConfig {
    pub allow_stale: Option<bool>,
    #[serde(default, with = "serde_go_opt")]
    pub max_stale: Option<Duration>,
    #[serde(default, with = "serde_go_opt")]
    pub node_ttl: Option<Duration>,
    pub service_ttl: Option<BTreeMap<String, String>>,
    pub udp_answer_limit: Option<i64>,
    pub a_record_limit: Option<i64>,
    pub enable_truncate: Option<bool>,
    pub only_passing: Option<bool>,
    #[serde(default, with = "serde_go_opt")]
    pub recursor_timeout: Option<Duration>,
    pub recursor_strategy: Option<String>,
    pub disable_compression: Option<bool>,
    pub enable_additional_node_meta_txt: Option<bool>,
    pub use_cache: Option<bool>,
    #[serde(default, with = "serde_go_opt")]
    pub cache_max_age: Option<Duration>,
    pub prefer_namespace: Option<bool>,
    pub soa: Option<Value>,
}

/// `limits`.
#[derive(Debug, Default, Deserialize)]
#[allow(missing_docs)]
pub struct Limits {
    pub kv_max_value_size: Option<u64>,
    pub txn_max_req_len: Option<u64>,
    pub txn_max_ops: Option<usize>,
    pub http_max_conns_per_client: Option<i64>,
    pub rpc_max_conns_per_client: Option<i64>,
    pub rpc_rate: Option<f64>,
    pub rpc_max_burst: Option<i64>,
    #[serde(default, with = "serde_go_opt")]
    pub rpc_handshake_timeout: Option<Duration>,
    #[serde(default, with = "serde_go_opt")]
    pub https_handshake_timeout: Option<Duration>,
    #[serde(default, with = "serde_go_opt")]
    pub rpc_client_timeout: Option<Duration>,
    pub request_limits: Option<Value>,
}

/// `http_config`.
#[derive(Debug, Default, Deserialize)]
#[allow(missing_docs)]
pub struct HttpConfig {
    pub response_headers: Option<BTreeMap<String, String>>,
    pub block_endpoints: Option<Vec<String>>,
    pub allow_write_http_from: Option<Vec<String>>,
    pub use_cache: Option<bool>,
    pub max_header_bytes: Option<i64>,
}
