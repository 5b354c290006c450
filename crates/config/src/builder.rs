//! Turns the merged [`FileConfig`] into a [`RuntimeConfig`]: fills in
//! Consul's defaults (and dev-mode defaults, which files and flags still
//! override), resolves legacy aliases and validates, with Consul's wording.

use std::path::PathBuf;
use std::time::Duration;

use base64::Engine as _;
use serde_json::Value;

use crate::error::ConfigError;
use crate::file_config::FileConfig;
use crate::runtime::{AclConfig, Addresses, Ports, RuntimeConfig, TelemetryConfig};

/// Largest allowed `performance.raft_multiplier`.
const MAX_RAFT_MULTIPLIER: i64 = 10;
/// Raft's suggested maximum entry size, Consul's default KV/txn limit.
const SUGGESTED_MAX_DATA_SIZE: u64 = 512 * 1024;
/// Most operations in one transaction unless `limits.txn_max_ops` says
/// otherwise (Consul's `maxTxnOps`).
const DEFAULT_TXN_MAX_OPS: usize = 128;

/// Everything besides the merged keys that the builder needs.
pub struct BuildInput {
    /// `-dev` was given.
    pub dev: bool,
    /// Services from every source, in order.
    pub services: Vec<Value>,
    /// Checks from every source, in order.
    pub checks: Vec<Value>,
    /// Warnings gathered while reading sources.
    pub warnings: Vec<String>,
}

/// Builds and validates the runtime config.
pub fn build(c: FileConfig, input: BuildInput) -> Result<RuntimeConfig, ConfigError> {
    let BuildInput {
        dev,
        services,
        checks,
        mut warnings,
    } = input;
    let server = c.server.unwrap_or(dev);
    let bootstrap = c.bootstrap.unwrap_or(false);
    let bootstrap_expect = c.bootstrap_expect.unwrap_or(0);

    let datacenter = c
        .datacenter
        .clone()
        .unwrap_or_else(|| "dc1".into())
        .to_lowercase();
    let node_name = match c.node_name.clone() {
        Some(n) => n,
        None => gethostname::gethostname().to_string_lossy().into_owned(),
    };
    let data_dir = c
        .data_dir
        .clone()
        .filter(|d| !d.is_empty())
        .map(PathBuf::from);

    let raft_multiplier = c
        .performance
        .as_ref()
        .and_then(|p| p.raft_multiplier)
        .unwrap_or(if dev { 1 } else { 5 });
    if !(1..=MAX_RAFT_MULTIPLIER).contains(&raft_multiplier) {
        return Err(ConfigError::invalid(format!(
            "performance.raft_multiplier cannot be {raft_multiplier}. Must be between 1 and {MAX_RAFT_MULTIPLIER}"
        )));
    }

    let ports = build_ports(&c, dev)?;
    let addresses = c
        .addresses
        .as_ref()
        .map_or_else(Addresses::default, |a| Addresses {
            dns: a.dns.clone(),
            http: a.http.clone(),
            https: a.https.clone(),
            grpc: a.grpc.clone(),
            grpc_tls: a.grpc_tls.clone(),
        });
    let acl = build_acl(&c, &mut warnings);

    let ui = c
        .ui_config
        .as_ref()
        .and_then(|u| u.enabled)
        .or(c.ui)
        .unwrap_or(dev);
    let ui_dir = c
        .ui_config
        .as_ref()
        .and_then(|u| u.dir.clone())
        .or_else(|| c.ui_dir.clone())
        .filter(|d| !d.is_empty());
    let ui_content_path = normalize_content_path(
        c.ui_config
            .as_ref()
            .and_then(|u| u.content_path.as_deref())
            .or(c.ui_content_path.as_deref())
            .unwrap_or("/ui/"),
    );
    let limits = c.limits.as_ref();
    let primary_datacenter = c
        .primary_datacenter
        .clone()
        .or_else(|| c.acl_datacenter.clone())
        .unwrap_or_else(|| datacenter.clone())
        .to_lowercase();

    let rt = RuntimeConfig {
        dev,
        node_name,
        node_id: c.node_id.clone().filter(|s| !s.is_empty()),
        primary_datacenter,
        datacenter,
        data_dir,
        server,
        bootstrap,
        bootstrap_expect: u32::try_from(bootstrap_expect).unwrap_or(0),
        bind_addr: c
            .bind_addr
            .clone()
            .unwrap_or_else(|| if dev { "127.0.0.1" } else { "0.0.0.0" }.into()),
        advertise_addr: c.advertise_addr.clone(),
        advertise_addr_wan: c.advertise_addr_wan.clone(),
        serf_lan_bind: c.serf_lan.clone(),
        serf_wan_bind: c.serf_wan.clone(),
        client_addr: c.client_addr.clone().unwrap_or_else(|| "127.0.0.1".into()),
        ports,
        addresses,
        ui,
        ui_dir,
        ui_content_path,
        log_level: c
            .log_level
            .clone()
            .unwrap_or_else(|| if dev { "debug" } else { "info" }.into())
            .to_lowercase(),
        log_json: c.log_json.unwrap_or(false),
        log_file: c.log_file.clone(),
        enable_syslog: c.enable_syslog.unwrap_or(false),
        raft_multiplier: raft_multiplier as u32,
        raft_protocol: c.raft_protocol.unwrap_or(3),
        acl,
        connect_enabled: c.connect.as_ref().and_then(|x| x.enabled).unwrap_or(dev),
        connect_ca_config: c
            .connect
            .as_ref()
            .and_then(|x| x.ca_config.clone())
            .unwrap_or_default(),
        peering_enabled: c.peering.as_ref().and_then(|p| p.enabled).unwrap_or(true),
        enable_script_checks: c.enable_script_checks.unwrap_or(false),
        enable_local_script_checks: c.enable_local_script_checks.unwrap_or(false),
        disable_remote_exec: c.disable_remote_exec.unwrap_or(true),
        enable_debug: c.enable_debug.unwrap_or(dev),
        disable_update_check: c.disable_update_check.unwrap_or(false),
        disable_host_node_id: c.disable_host_node_id.unwrap_or(true),
        skip_leave_on_interrupt: c.skip_leave_on_interrupt.unwrap_or(server),
        leave_on_terminate: c.leave_on_terminate.unwrap_or(!server),
        rejoin_after_leave: c.rejoin_after_leave.unwrap_or(false),
        start_join: c.start_join.clone().unwrap_or_default(),
        start_join_wan: c.start_join_wan.clone().unwrap_or_default(),
        retry_join: c.retry_join.clone().unwrap_or_default(),
        retry_join_wan: c.retry_join_wan.clone().unwrap_or_default(),
        retry_interval: c.retry_interval.unwrap_or(Duration::from_secs(30)),
        retry_interval_wan: c.retry_interval_wan.unwrap_or(Duration::from_secs(30)),
        retry_max: non_negative("retry_max", c.retry_max)?,
        retry_max_wan: non_negative("retry_max_wan", c.retry_max_wan)?,
        encrypt: c.encrypt.clone().filter(|s| !s.is_empty()),
        pid_file: c
            .pid_file
            .clone()
            .filter(|s| !s.is_empty())
            .map(PathBuf::from),
        node_meta: c.node_meta.clone().unwrap_or_default(),
        domain: fqdn(c.domain.as_deref().unwrap_or("consul.")),
        alt_domain: c.alt_domain.as_deref().filter(|d| !d.is_empty()).map(fqdn),
        recursors: c.recursors.clone().unwrap_or_default(),
        dns_config: c.dns_config.clone().unwrap_or_default(),
        ae_interval: c
            .ae_interval
            .filter(|d| !d.is_zero())
            .unwrap_or(Duration::from_secs(60)),
        check_update_interval: c.check_update_interval.unwrap_or(Duration::from_secs(300)),
        check_reap_interval: c
            .check_reap_interval
            .filter(|d| !d.is_zero())
            .unwrap_or(Duration::from_secs(30)),
        check_deregister_interval_min: c
            .check_deregister_interval_min
            .unwrap_or(Duration::from_secs(60)),
        kv_max_value_size: limits
            .and_then(|l| l.kv_max_value_size)
            .unwrap_or(SUGGESTED_MAX_DATA_SIZE),
        txn_max_req_len: limits
            .and_then(|l| l.txn_max_req_len)
            .unwrap_or(SUGGESTED_MAX_DATA_SIZE),
        txn_max_ops: limits
            .and_then(|l| l.txn_max_ops)
            .unwrap_or(DEFAULT_TXN_MAX_OPS),
        default_query_time: c.default_query_time.unwrap_or(Duration::from_secs(300)),
        max_query_time: c.max_query_time.unwrap_or(Duration::from_secs(600)),
        http_response_headers: c
            .http_config
            .as_ref()
            .and_then(|h| h.response_headers.clone())
            .unwrap_or_default(),
        telemetry: build_telemetry(&c),
        services,
        checks,
        watches: c.watches.clone().unwrap_or_default(),
        https_tls: crate::tls::build_https_tls(&c),
        warnings: Vec::new(),
    };
    validate(&rt, bootstrap_expect)?;
    warnings.extend(advice(&rt));
    Ok(RuntimeConfig { warnings, ..rt })
}

/// `telemetry`, with Consul's defaults; empty addresses are unset.
fn build_telemetry(c: &FileConfig) -> TelemetryConfig {
    let d = TelemetryConfig::default();
    let Some(t) = c.telemetry.as_ref() else {
        return d;
    };
    let addr = |a: &Option<String>| a.clone().filter(|s| !s.trim().is_empty());
    TelemetryConfig {
        prometheus_retention_time: t
            .prometheus_retention_time
            .unwrap_or(d.prometheus_retention_time),
        disable_hostname: t.disable_hostname.unwrap_or(d.disable_hostname),
        metrics_prefix: t.metrics_prefix.clone().unwrap_or(d.metrics_prefix),
        statsd_address: addr(&t.statsd_address),
        dogstatsd_addr: addr(&t.dogstatsd_addr),
        dogstatsd_tags: t.dogstatsd_tags.clone().unwrap_or_default(),
        disable_compat_1_9: t.disable_compat_1_9.unwrap_or(false),
    }
}

/// Ports with defaults; each must fit -1..=65535.
/// Consul's content path form: one leading and one trailing `/` (an empty
/// path is the default `/ui/`).
fn normalize_content_path(p: &str) -> String {
    let trimmed = p.trim().trim_matches('/');
    if trimmed.is_empty() {
        return if p.trim().is_empty() {
            "/ui/".into()
        } else {
            "/".into()
        };
    }
    format!("/{trimmed}/")
}

fn build_ports(c: &FileConfig, dev: bool) -> Result<Ports, ConfigError> {
    let d = Ports::default();
    let p = c.ports.as_ref();
    let port = |name: &str, v: Option<i64>, default: i32| -> Result<i32, ConfigError> {
        match v {
            None => Ok(default),
            Some(v) if (-1..=65535).contains(&v) => Ok(v as i32),
            Some(v) => Err(ConfigError::invalid(format!(
                "ports.{name} cannot be {v}. Must be between -1 and 65535"
            ))),
        }
    };
    Ok(Ports {
        http: port("http", p.and_then(|p| p.http), d.http)?,
        https: port("https", p.and_then(|p| p.https), d.https)?,
        dns: port("dns", p.and_then(|p| p.dns), d.dns)?,
        serf_lan: port("serf_lan", p.and_then(|p| p.serf_lan), d.serf_lan)?,
        serf_wan: port("serf_wan", p.and_then(|p| p.serf_wan), d.serf_wan)?,
        server: port("server", p.and_then(|p| p.server), d.server)?,
        grpc: port(
            "grpc",
            p.and_then(|p| p.grpc),
            if dev { 8502 } else { d.grpc },
        )?,
        grpc_tls: port("grpc_tls", p.and_then(|p| p.grpc_tls), d.grpc_tls)?,
    })
}

/// ACL settings, preferring new names over legacy ones (with a deprecation warning).
fn build_acl(c: &FileConfig, warnings: &mut Vec<String>) -> AclConfig {
    let acl = c.acl.as_ref();
    let tokens = acl.and_then(|a| a.tokens.as_ref());
    let mut pick = |new: Option<&String>, old: &[(&str, Option<&String>)], new_name: &str| {
        if let Some(v) = new {
            return Some(v.clone());
        }
        for (old_name, v) in old {
            if let Some(v) = v {
                warnings.push(format!(
                    "The '{old_name}' field is deprecated. Use the '{new_name}' field instead."
                ));
                return Some((*v).clone());
            }
        }
        None
    };
    let initial_management = pick(
        tokens.and_then(|t| t.initial_management.as_ref()),
        &[
            ("acl.tokens.master", tokens.and_then(|t| t.master.as_ref())),
            ("acl_master_token", c.acl_master_token.as_ref()),
        ],
        "acl.tokens.initial_management",
    );
    let agent_recovery = pick(
        tokens.and_then(|t| t.agent_recovery.as_ref()),
        &[
            (
                "acl.tokens.agent_master",
                tokens.and_then(|t| t.agent_master.as_ref()),
            ),
            ("acl_agent_master_token", c.acl_agent_master_token.as_ref()),
        ],
        "acl.tokens.agent_recovery",
    );
    let agent = pick(
        tokens.and_then(|t| t.agent.as_ref()),
        &[("acl_agent_token", c.acl_agent_token.as_ref())],
        "acl.tokens.agent",
    );
    let default = pick(
        tokens.and_then(|t| t.default.as_ref()),
        &[("acl_token", c.acl_token.as_ref())],
        "acl.tokens.default",
    );
    let replication = pick(
        tokens.and_then(|t| t.replication.as_ref()),
        &[("acl_replication_token", c.acl_replication_token.as_ref())],
        "acl.tokens.replication",
    );
    let ttl = |v: Option<Duration>| v.or(c.acl_ttl).unwrap_or(Duration::from_secs(30));
    AclConfig {
        enabled: acl
            .and_then(|a| a.enabled)
            .unwrap_or_else(|| c.acl_datacenter.as_deref().is_some_and(|d| !d.is_empty())),
        default_policy: acl
            .and_then(|a| a.default_policy.clone())
            .or_else(|| c.acl_default_policy.clone())
            .unwrap_or_else(|| "allow".into()),
        down_policy: acl
            .and_then(|a| a.down_policy.clone())
            .or_else(|| c.acl_down_policy.clone())
            .unwrap_or_else(|| "extend-cache".into()),
        enable_token_replication: acl
            .and_then(|a| a.enable_token_replication)
            .or(c.enable_acl_replication)
            .unwrap_or(false),
        enable_token_persistence: acl
            .and_then(|a| a.enable_token_persistence)
            .unwrap_or(false),
        enable_key_list_policy: acl.and_then(|a| a.enable_key_list_policy).unwrap_or(false),
        token_ttl: ttl(acl.and_then(|a| a.token_ttl)),
        policy_ttl: ttl(acl.and_then(|a| a.policy_ttl)),
        role_ttl: ttl(acl.and_then(|a| a.role_ttl)),
        initial_management: initial_management.filter(|s| !s.is_empty()),
        agent_recovery: agent_recovery.filter(|s| !s.is_empty()),
        agent: agent.filter(|s| !s.is_empty()),
        default: default.filter(|s| !s.is_empty()),
        replication: replication.filter(|s| !s.is_empty()),
    }
}

/// A count that must not be negative (absent means 0).
fn non_negative(name: &str, v: Option<i64>) -> Result<u32, ConfigError> {
    match v {
        None => Ok(0),
        Some(v) => u32::try_from(v).map_err(|_| {
            ConfigError::invalid(format!(
                "{name} cannot be {v}. Must be greater than or equal to zero"
            ))
        }),
    }
}

/// Lowercases a domain and gives it a trailing dot.
fn fqdn(d: &str) -> String {
    let d = d.to_lowercase();
    if d.ends_with('.') {
        d
    } else {
        format!("{d}.")
    }
}

/// Is this address the unspecified address in any spelling Consul refuses?
fn is_any(addr: &str) -> bool {
    matches!(addr, "0.0.0.0" | "::" | "[::]")
}

/// Consul's hard errors, in Consul's order and words.
fn validate(rt: &RuntimeConfig, bootstrap_expect: i64) -> Result<(), ConfigError> {
    let err = |m: String| Err(ConfigError::Invalid(m));
    let valid_dc = |dc: &str| {
        !dc.is_empty()
            && dc
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
    };
    if rt.datacenter.is_empty() {
        return err("datacenter cannot be empty".into());
    }
    if !valid_dc(&rt.datacenter) {
        return err(format!(
            "datacenter cannot be {:?}. Please use only [a-z0-9-_].",
            rt.datacenter
        ));
    }
    match &rt.data_dir {
        None if !rt.dev => return err("data_dir cannot be empty".into()),
        Some(dir) if !rt.dev => {
            if let Ok(meta) = std::fs::metadata(dir) {
                if !meta.is_dir() {
                    return err(format!(
                        "data_dir {:?} is not a directory",
                        dir.display().to_string()
                    ));
                }
            }
        }
        _ => {}
    }
    if rt.node_name.is_empty() {
        return err("node_name cannot be empty".into());
    }
    if rt.advertise_addr.as_deref().is_some_and(is_any) {
        return err("Advertise address cannot be 0.0.0.0, :: or [::]".into());
    }
    if rt.advertise_addr_wan.as_deref().is_some_and(is_any) {
        return err("Advertise WAN address cannot be 0.0.0.0, :: or [::]".into());
    }
    if rt.recursors.iter().any(|r| is_any(r)) {
        return err("DNS recursor address cannot be 0.0.0.0, :: or [::]".into());
    }
    if rt.bootstrap && !rt.server {
        return err("'bootstrap = true' requires 'server = true'".into());
    }
    if bootstrap_expect < 0 {
        return err(format!(
            "bootstrap_expect cannot be {bootstrap_expect}. Must be greater than or equal to zero"
        ));
    }
    if bootstrap_expect > 0 && !rt.server {
        return err("'bootstrap_expect > 0' requires 'server = true'".into());
    }
    if bootstrap_expect > 0 && rt.dev {
        return err("'bootstrap_expect > 0' not allowed in dev mode".into());
    }
    if bootstrap_expect > 0 && rt.bootstrap {
        return err("'bootstrap_expect > 0' and 'bootstrap = true' are mutually exclusive".into());
    }
    if let Some(key) = &rt.encrypt {
        if let Err(e) = base64::engine::general_purpose::STANDARD.decode(key) {
            return err(format!("encrypt has invalid key: {e}"));
        }
    }
    Ok(())
}

/// Consul's startup warnings about risky but legal settings.
fn advice(rt: &RuntimeConfig) -> Vec<String> {
    let mut w = Vec::new();
    let expect = rt.bootstrap_expect;
    if rt.server && !rt.dev && !rt.bootstrap && expect == 2 {
        w.push("bootstrap_expect = 2: A cluster with 2 servers will provide no failure tolerance. See https://www.consul.io/docs/internals/consensus.html#deployment-table".to_string());
    }
    if rt.server && !rt.bootstrap && expect > 2 && expect & 1 == 0 {
        w.push("bootstrap_expect is even number: A cluster with an even number of servers does not achieve optimum fault tolerance. See https://www.consul.io/docs/internals/consensus.html#deployment-table".to_string());
    }
    if rt.server && rt.bootstrap && expect == 0 {
        w.push("bootstrap = true: do not enable unless necessary".to_string());
    }
    if rt.server && !rt.dev && !rt.bootstrap && expect > 1 {
        w.push(format!("bootstrap_expect > 0: expecting {expect} servers"));
    }
    w
}
