//! `GET /v1/agent/self`: this agent's configuration, member record and
//! statistics, in the sections and keys Consul 1.10 answers with (clients
//! index into them, so a missing key crashes them).

use std::collections::BTreeMap;

use consul_gossip::serf::MemberStatus;
use serde_json::{json, Value};

use super::respond::{json, HttpError, HttpResult};
use super::Ctx;
use crate::agent::{Agent, VERSION};

/// The serf member record of this agent (Consul's `api.AgentMember`), from
/// the LAN pool.
pub async fn self_member(agent: &Agent) -> Result<Value, HttpError> {
    match agent.lan().local_member().await {
        Ok(Some(m)) => Ok(crate::lan::member::to_json(&m)),
        Ok(None) => Ok(Value::Null),
        Err(e) => Err(HttpError::internal(e.to_string())),
    }
}

/// GET /v1/agent/self
pub async fn self_(ctx: Ctx) -> HttpResult {
    let agent = &ctx.agent;
    let info = agent.info();
    let mut meta = BTreeMap::from([("consul-network-segment".to_string(), String::new())]);
    meta.extend(info.node_meta.clone());
    let body = json!({
        "Config": config_section(agent),
        "DebugConfig": debug_config(agent),
        "Coord": null,
        "Member": self_member(agent).await?,
        "Stats": stats(agent).await,
        "Meta": meta,
        "xDS": null,
    });
    Ok(json(&body, ctx.pretty))
}

/// `Config`: the handful of facts every client reads.
fn config_section(agent: &Agent) -> Value {
    let info = agent.info();
    json!({
        "Datacenter": info.datacenter,
        "PrimaryDatacenter": info.config.primary_datacenter,
        "NodeName": info.node_name,
        "NodeID": info.node_id,
        "Revision": crate::run::REVISION,
        "Server": info.server,
        "Version": VERSION,
    })
}

/// `tcp://ip:port`, as Consul's sanitized config renders a `net.Addr`.
fn tcp(ip: impl std::fmt::Display, port: i32) -> String {
    format!("tcp://{ip}:{port}")
}

/// `DebugConfig`: the runtime configuration under Consul's field names,
/// without secrets (tokens and the gossip key are never shown).
fn debug_config(agent: &Agent) -> Value {
    let info = agent.info();
    let cfg = &info.config;
    let ports = &cfg.ports;
    let advertise = info.advertise_addr.to_string();
    let bind = cfg.bind_addr.clone();
    let client_addrs: Vec<&str> = cfg.client_addr.split_whitespace().collect();
    let http_addrs: Vec<String> = client_addrs.iter().map(|ip| tcp(ip, ports.http)).collect();
    let dns_addrs: Vec<String> = client_addrs
        .iter()
        .flat_map(|ip| [tcp(ip, ports.dns), format!("udp://{ip}:{}", ports.dns)])
        .collect();
    let serf_lan_bind = cfg.serf_lan_bind.clone().unwrap_or_else(|| bind.clone());
    let mut first = json!({
        "ACLsEnabled": cfg.acl.enabled,
        "ACLDefaultPolicy": cfg.acl.default_policy,
        "ACLDownPolicy": cfg.acl.down_policy,
        "ACLTokens": {
            "ACLAgentMasterToken": "hidden",
            "ACLAgentToken": "hidden",
            "ACLDefaultToken": "hidden",
            "ACLReplicationToken": "hidden",
        },
        "AdvertiseAddrLAN": advertise,
        "AdvertiseAddrWAN": cfg.advertise_addr_wan.clone().unwrap_or_else(|| advertise.clone()),
        "BindAddr": bind,
        // Dev mode bootstraps without being in bootstrap mode, as in Consul.
        "Bootstrap": cfg.bootstrap || cfg.bootstrap_expect == 1,
        "BootstrapExpect": info.bootstrap_expect,
        "ClientAddrs": client_addrs,
        "DNSAddrs": dns_addrs,
        "DNSDomain": cfg.domain,
        "DNSPort": ports.dns,
        "DNSRecursors": cfg.recursors,
        "DataDir": cfg.data_dir.as_ref().map(|d| d.display().to_string()).unwrap_or_default(),
        "Datacenter": info.datacenter,
        "DevMode": info.dev,
        "DisableRemoteExec": cfg.disable_remote_exec,
        "EnableDebug": cfg.enable_debug,
        "EnableLocalScriptChecks": cfg.enable_local_script_checks,
        "EnableRemoteScriptChecks": cfg.enable_script_checks,
        "EncryptKey": "hidden",
    });
    let second = json!({
        "GRPCPort": ports.grpc,
        "HTTPAddrs": http_addrs,
        "HTTPPort": ports.http,
        "HTTPSPort": ports.https,
        "KVMaxValueSize": info.kv_max_value_size,
        "LeaveOnTerm": cfg.leave_on_terminate,
        "LogLevel": cfg.log_level.to_uppercase(),
        "NodeID": info.node_id,
        "NodeMeta": info.node_meta,
        "NodeName": info.node_name,
        "PrimaryDatacenter": cfg.primary_datacenter,
        "RaftProtocol": cfg.raft_protocol,
        "RetryJoinLAN": cfg.retry_join,
        "RetryJoinWAN": cfg.retry_join_wan,
        "Revision": crate::run::REVISION,
        "SerfAdvertiseAddrLAN": tcp(&advertise, ports.serf_lan),
        "SerfAdvertiseAddrWAN": tcp(&advertise, ports.serf_wan),
        "SerfBindAddrLAN": tcp(&serf_lan_bind, ports.serf_lan),
        "SerfBindAddrWAN": tcp(cfg.serf_wan_bind.as_deref().unwrap_or(&cfg.bind_addr), ports.serf_wan),
        "SerfPortLAN": ports.serf_lan,
        "SerfPortWAN": ports.serf_wan,
        "ServerMode": info.server,
        "ServerPort": ports.server,
        "RPCAdvertiseAddr": tcp(&advertise, ports.server),
        "RPCBindAddr": tcp(&cfg.bind_addr, ports.server),
        "SkipLeaveOnInt": cfg.skip_leave_on_interrupt,
        "StartJoinAddrsLAN": cfg.start_join,
        "UIConfig": { "Enabled": cfg.ui, "ContentPath": "/ui/" },
        "Version": VERSION,
        "VersionPrerelease": "",
    });
    if let (Value::Object(a), Value::Object(b)) = (&mut first, second) {
        a.extend(b);
    }
    first
}

/// Every value of a stats section is a string, as in Consul.
fn strings(pairs: Vec<(&str, String)>) -> Value {
    Value::Object(
        pairs
            .into_iter()
            .map(|(k, v)| (k.to_string(), Value::String(v)))
            .collect(),
    )
}

/// `Stats`: `agent`, `build`, `consul`, `raft` (servers), `runtime`, `serf_lan`.
async fn stats(agent: &Agent) -> Value {
    let info = agent.info();
    let local = agent.local();
    let checks = local.checks();
    let mut out = serde_json::Map::new();
    out.insert(
        "agent".into(),
        strings(vec![
            ("check_monitors", local.monitor_count().to_string()),
            ("check_ttls", local.ttl_count().to_string()),
            ("checks", checks.len().to_string()),
            ("services", local.services().len().to_string()),
        ]),
    );
    out.insert(
        "build".into(),
        strings(vec![
            ("prerelease", String::new()),
            ("revision", crate::run::REVISION.to_string()),
            ("version", VERSION.to_string()),
            ("version_metadata", String::new()),
        ]),
    );
    let acl = if info.config.acl.enabled {
        "enabled"
    } else {
        "disabled"
    };
    let consul = match agent.server() {
        Some(server) => strings(vec![
            ("acl", acl.to_string()),
            ("bootstrap", info.bootstrap.to_string()),
            ("known_datacenters", "1".to_string()),
            ("leader", server.is_leader().to_string()),
            ("leader_addr", server.leader_addr().unwrap_or_default()),
            ("server", "true".to_string()),
        ]),
        None => strings(vec![
            ("acl", acl.to_string()),
            ("known_servers", agent.known_servers().to_string()),
            ("server", "false".to_string()),
        ]),
    };
    out.insert("consul".into(), consul);
    if let Some(server) = agent.server() {
        let raft = server.raft().stats();
        let peers = server.peers();
        let configuration: Vec<String> = peers
            .iter()
            .map(|addr| format!("{{Suffrage:Voter Address:{addr}}}"))
            .collect();
        out.insert(
            "raft".into(),
            strings(vec![
                ("applied_index", raft.applied_index.to_string()),
                ("commit_index", raft.applied_index.to_string()),
                ("fsm_pending", "0".to_string()),
                (
                    "last_contact",
                    match server.raft().last_contact() {
                        _ if server.is_leader() => "0".to_string(),
                        Some(d) => format!("{d:?}"),
                        None => "never".to_string(),
                    },
                ),
                ("last_log_index", raft.last_log_index.to_string()),
                ("last_log_term", raft.term.to_string()),
                ("last_snapshot_index", raft.snapshot_index.to_string()),
                ("last_snapshot_term", "0".to_string()),
                (
                    "latest_configuration",
                    format!("[{}]", configuration.join(" ")),
                ),
                ("latest_configuration_index", "0".to_string()),
                ("num_peers", peers.len().saturating_sub(1).to_string()),
                ("protocol_version", "3".to_string()),
                ("protocol_version_max", "3".to_string()),
                ("protocol_version_min", "0".to_string()),
                ("snapshot_version_max", "1".to_string()),
                ("snapshot_version_min", "0".to_string()),
                ("state", raft.state),
                ("term", raft.term.to_string()),
            ]),
        );
    }
    out.insert(
        "runtime".into(),
        strings(vec![
            ("arch", go_arch().to_string()),
            ("cpu_count", num_cpus().to_string()),
            ("goroutines", "0".to_string()),
            ("max_procs", num_cpus().to_string()),
            ("os", std::env::consts::OS.to_string()),
            ("version", format!("rust ({})", env!("CARGO_PKG_VERSION"))),
        ]),
    );
    out.insert("serf_lan".into(), serf_lan_stats(agent).await);
    Value::Object(out)
}

/// The LAN pool's counts under serf's stat names.
async fn serf_lan_stats(agent: &Agent) -> Value {
    let members = agent.lan().members().await.unwrap_or_default();
    let count = |s: MemberStatus| members.iter().filter(|m| m.status == s).count().to_string();
    strings(vec![
        ("coordinate_resets", "0".to_string()),
        ("encrypted", agent.lan().encrypted().to_string()),
        ("event_queue", "0".to_string()),
        ("event_time", "1".to_string()),
        ("failed", count(MemberStatus::Failed)),
        ("health_score", "0".to_string()),
        ("intent_queue", "0".to_string()),
        ("left", count(MemberStatus::Left)),
        ("member_time", "1".to_string()),
        ("members", members.len().to_string()),
        ("query_queue", "0".to_string()),
        ("query_time", "1".to_string()),
    ])
}

/// `GOARCH` spelling of this machine's architecture.
fn go_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        other => other,
    }
}

fn num_cpus() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}
