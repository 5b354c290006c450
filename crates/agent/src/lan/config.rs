//! From the agent's runtime configuration to the LAN pool's options.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use consul_config::RuntimeConfig;
use consul_gossip::codec::Keyring;

use super::tags::{consul_tags, TagInputs};
use super::{keyring, LanError, LAN_SNAPSHOT};

/// Everything needed to start a LAN pool.
#[derive(Debug, Clone)]
pub struct LanOptions {
    /// Node name.
    pub node_name: String,
    /// Where to bind UDP and TCP.
    pub bind: SocketAddr,
    /// What other members reach us at.
    pub advertise: SocketAddr,
    /// `-dev` gossip timings instead of the LAN profile.
    pub dev: bool,
    /// Serf tags.
    pub tags: BTreeMap<String, String>,
    /// Gossip encryption keys.
    pub keyring: Option<Keyring>,
    /// Where key rotations are persisted (`<data-dir>/serf/local.keyring`;
    /// none in dev mode).
    pub keyring_file: Option<PathBuf>,
    /// Snapshot file of known members (none in dev mode).
    pub snapshot_path: Option<PathBuf>,
    /// `-rejoin`: rejoin even after a graceful leave.
    pub rejoin_after_leave: bool,
}

fn port(v: i32, what: &str) -> Result<u16, LanError> {
    u16::try_from(v).map_err(|_| LanError::Serf(format!("{what}: port {v} out of range")))
}

/// The options for this agent: bind on `serf_lan_bind` (else `bind`),
/// advertise `advertise`, both on `ports.serf_lan`.
pub fn lan_options(
    cfg: &RuntimeConfig,
    node_id: &str,
    bind: IpAddr,
    advertise: IpAddr,
    rpc_port: u16,
    build: &str,
) -> Result<LanOptions, LanError> {
    let lan_port = port(cfg.ports.serf_lan, "ports.serf_lan")?;
    let bind_ip = match &cfg.serf_lan_bind {
        Some(s) if !s.trim().is_empty() => s
            .trim()
            .parse()
            .map_err(|_| LanError::Serf(format!("serf_lan: invalid IP address {s:?}")))?,
        _ => bind,
    };
    let wan_port = if cfg.ports.serf_wan > 0 {
        Some(port(cfg.ports.serf_wan, "ports.serf_wan")?)
    } else {
        None
    };
    let tags = consul_tags(&TagInputs {
        server: cfg.server,
        datacenter: cfg.datacenter.clone(),
        node_id: node_id.to_string(),
        build: build.to_string(),
        rpc_port,
        wan_port,
        bootstrap: cfg.dev || cfg.bootstrap || cfg.bootstrap_expect == 1,
        expect: if cfg.bootstrap_expect > 1 {
            cfg.bootstrap_expect
        } else {
            0
        },
        acls: cfg.acl.enabled,
    });
    let data_dir = if cfg.dev {
        None
    } else {
        cfg.data_dir.as_deref()
    };
    Ok(LanOptions {
        node_name: cfg.node_name.clone(),
        bind: SocketAddr::new(bind_ip, lan_port),
        advertise: SocketAddr::new(advertise, lan_port),
        dev: cfg.dev,
        tags,
        keyring: keyring::load(cfg.encrypt.as_deref(), data_dir)?,
        keyring_file: data_dir.map(|d| d.join(keyring::LAN_KEYRING)),
        snapshot_path: data_dir.map(|d| d.join(LAN_SNAPSHOT)),
        rejoin_after_leave: cfg.rejoin_after_leave,
    })
}
