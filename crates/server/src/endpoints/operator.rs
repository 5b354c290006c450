//! Operator endpoint: the Raft configuration (list and remove peers) and
//! autopilot (configuration and server health), as Consul's `Operator.*`.
//!
//! Raft identifies members by a `u64` id derived from the node UUID
//! ([`Server::raft_id_of`]) and stores only their address, so names and
//! UUIDs are recovered from the catalog (nodes carrying the `consul`
//! service, matched by derived id, then by address), then from the gossip
//! members autopilot was last fed. A member found nowhere is listed with
//! Node `(unknown)` and its raft id as 16 hex digits, which
//! [`Server::raft_id_of`] maps back to the same id, so it can still be removed.
//!
//! `Index` of the configuration is the **Raft log index** of the entry that
//! holds it (as Consul's `GetConfiguration().Index()`; the bootstrap
//! configuration, at openraft's index 0, is reported as 1), not the
//! application index the rest of the API reports.

use std::collections::BTreeMap;
use std::time::Duration;

use consul_types::catalog::CONSUL_SERVICE;
use serde::{Deserialize, Serialize};

use crate::autopilot;
use crate::membership::Member;
use crate::{RpcError, Server};

/// Raft protocol version every server speaks (Consul 1.10: "3").
pub const RAFT_PROTOCOL: &str = "3";

/// Go's `time.Duration` inside our msgpack requests: signed nanoseconds.
mod nanos {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        Ok(Duration::from_nanos(i64::deserialize(d)?.max(0) as u64))
    }
}

/// One server of the Raft configuration (`structs.RaftServer`); also the
/// JSON shape of `/v1/operator/raft/configuration`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct RaftServer {
    /// The server's node UUID.
    #[serde(rename = "ID")]
    pub id: String,
    /// The server's node name.
    pub node: String,
    /// Its server RPC address (`ip:8300`).
    pub address: String,
    /// Whether it is the leader.
    pub leader: bool,
    /// Raft protocol version ("3").
    pub protocol_version: String,
    /// Whether it votes.
    pub voter: bool,
}

/// The Raft configuration (`structs.RaftConfigurationResponse`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct RaftConfigurationResponse {
    /// Every member, voters and non-voters, in raft-id order.
    pub servers: Vec<RaftServer>,
    /// Raft log index of the configuration entry.
    pub index: u64,
}

/// Autopilot settings (`structs.AutopilotConfig`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AutopilotConfig {
    /// Remove failed servers from the Raft configuration.
    pub cleanup_dead_servers: bool,
    /// A follower that has not heard from the leader for longer is unhealthy.
    #[serde(with = "nanos")]
    pub last_contact_threshold: Duration,
    /// A follower more entries than this behind the leader is unhealthy.
    pub max_trailing_logs: u64,
    /// Never let dead-server cleanup shrink the voters below this (0 = no floor).
    pub min_quorum: u32,
    /// How long a server must stay healthy to count as stable.
    #[serde(with = "nanos")]
    pub server_stabilization_time: Duration,
    /// Enterprise: redundancy-zone node-meta key (kept, unused).
    pub redundancy_zone_tag: String,
    /// Enterprise: disable upgrade migrations (kept, unused).
    pub disable_upgrade_migration: bool,
    /// Enterprise: upgrade version tag (kept, unused).
    pub upgrade_version_tag: String,
    /// Index at which the configuration was first set (0 = defaults, never set).
    pub create_index: u64,
    /// Index of the last change; `?cas` compares against it.
    pub modify_index: u64,
}

impl Default for AutopilotConfig {
    fn default() -> Self {
        AutopilotConfig {
            cleanup_dead_servers: true,
            last_contact_threshold: Duration::from_millis(200),
            max_trailing_logs: 250,
            min_quorum: 0,
            server_stabilization_time: Duration::from_secs(10),
            redundancy_zone_tag: String::new(),
            disable_upgrade_migration: false,
            upgrade_version_tag: String::new(),
            create_index: 0,
            modify_index: 0,
        }
    }
}

/// One server's Raft progress as it reports it (`Status.RaftStats`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ServerStats {
    /// Time since it last heard from the leader (0 on the leader; `None` if never).
    pub last_contact: Option<u64>,
    /// Its current term.
    pub last_term: u64,
    /// Its last Raft log index.
    pub last_index: u64,
}

impl ServerStats {
    /// `last_contact` as a duration.
    pub fn last_contact(&self) -> Option<Duration> {
        self.last_contact.map(Duration::from_nanos)
    }
}

/// Health of one server as autopilot sees it (`structs.ServerHealth`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ServerHealth {
    /// Node UUID.
    #[serde(rename = "ID")]
    pub id: String,
    /// Node name.
    pub name: String,
    /// Server RPC address.
    pub address: String,
    /// Gossip status: `alive`, `leaving`, `left`, `failed` or `none`.
    pub serf_status: String,
    /// Consul version (from the catalog's `consul` service meta; "" if unknown).
    pub version: String,
    /// Whether it is the leader.
    pub leader: bool,
    /// Time since it heard from the leader, nanoseconds (-1: never / unknown).
    pub last_contact: i64,
    /// Its term.
    pub last_term: u64,
    /// Its last Raft log index.
    pub last_index: u64,
    /// Whether it passes every health rule.
    pub healthy: bool,
    /// Whether it votes.
    pub voter: bool,
    /// Unix time (seconds) since which `healthy` has not changed.
    pub stable_since: u64,
}

/// Cluster health (`structs.OperatorHealthReply`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct OperatorHealthReply {
    /// Whether every server is healthy.
    pub healthy: bool,
    /// How many voters may fail without losing quorum.
    pub failure_tolerance: u64,
    /// Every server of the Raft configuration.
    pub servers: Vec<ServerHealth>,
}

/// A catalog or gossip identity of a Raft member.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Identity {
    pub id: String,
    pub node: String,
    pub version: String,
}

/// Names and UUIDs of the Raft members `(raft id, address)`; see the module docs.
pub(crate) fn identities(
    server: &Server,
    members: &[(u64, String)],
    gossip: &[Member],
) -> BTreeMap<u64, Identity> {
    let snap = server.store().snapshot();
    let mut ws = consul_state::WatchSet::new();
    let (_, consul_nodes) = snap.service_nodes(&mut ws, CONSUL_SERVICE, &[], &[]);
    members
        .iter()
        .map(|(rid, addr)| {
            let by_id = consul_nodes
                .iter()
                .find(|sn| !sn.id.is_empty() && Server::raft_id_of(&sn.id) == *rid);
            let by_addr = || {
                consul_nodes
                    .iter()
                    .find(|sn| format!("{}:{}", sn.address, sn.service_port) == *addr)
            };
            let found = by_id.or_else(by_addr).map(|sn| Identity {
                id: sn.id.clone(),
                node: sn.node.clone(),
                version: sn.service_meta.get("version").cloned().unwrap_or_default(),
            });
            let gossip_found = || {
                gossip
                    .iter()
                    .find(|m| {
                        (!m.id.is_empty() && Server::raft_id_of(&m.id) == *rid)
                            || m.rpc_addr().as_deref() == Some(addr.as_str())
                    })
                    .map(|m| Identity {
                        id: m.id.clone(),
                        node: m.name.clone(),
                        version: String::new(),
                    })
            };
            let ident = found.or_else(gossip_found).unwrap_or_else(|| Identity {
                id: format!("{rid:016x}"),
                node: "(unknown)".into(),
                version: String::new(),
            });
            (*rid, ident)
        })
        .collect()
}

/// The Raft configuration as this server knows it (`Operator.RaftGetConfiguration`).
pub fn raft_configuration(server: &Server) -> RaftConfigurationResponse {
    RaftConfigurationResponse {
        servers: listing(server).into_iter().map(|(_, s)| s).collect(),
        // openraft keeps the bootstrap configuration at log index 0; report it
        // as 1, where hashicorp/raft's bootstrap entry sits.
        index: server.raft().membership_index().max(1),
    }
}

/// Every member with its raft id.
fn listing(server: &Server) -> Vec<(u64, RaftServer)> {
    let raft = server.raft();
    let leader = raft.leader().map(|(id, _)| id);
    let members = raft.members();
    let pairs: Vec<(u64, String)> = members.iter().map(|m| (m.0, m.1.clone())).collect();
    let gossip = server.autopilot().members();
    let ids = identities(server, &pairs, &gossip);
    members
        .into_iter()
        .map(|(rid, addr, voter)| {
            let ident = ids.get(&rid).cloned().unwrap_or_default();
            let s = RaftServer {
                id: ident.id,
                node: ident.node,
                address: addr,
                leader: leader == Some(rid),
                protocol_version: RAFT_PROTOCOL.into(),
                voter,
            };
            (rid, s)
        })
        .collect()
}

fn looks_like_uuid(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// Remove the member with this ID (`Operator.RaftRemovePeerByID`); must run on the leader.
pub async fn remove_peer_by_id(server: &Server, id: &str) -> Result<(), RpcError> {
    let members = listing(server);
    let by_listing = members
        .iter()
        .find(|(_, s)| s.id.eq_ignore_ascii_case(id))
        .map(|(rid, _)| *rid);
    let by_uuid = || {
        let rid = Server::raft_id_of(id);
        (looks_like_uuid(id) && members.iter().any(|m| m.0 == rid)).then_some(rid)
    };
    let Some(rid) = by_listing.or_else(by_uuid) else {
        return Err(RpcError::Internal(format!(
            "id {id:?} was not found in the Raft configuration"
        )));
    };
    remove(server, rid, id).await
}

/// Remove the member at this address (`Operator.RaftRemovePeerByAddress`); must run on the leader.
pub async fn remove_peer_by_address(server: &Server, address: &str) -> Result<(), RpcError> {
    let Some((rid, _, _)) = server.raft().members().into_iter().find(|m| m.1 == address) else {
        return Err(RpcError::Internal(format!(
            "address {address:?} was not found in the Raft configuration"
        )));
    };
    remove(server, rid, address).await
}

async fn remove(server: &Server, rid: u64, what: &str) -> Result<(), RpcError> {
    if !server.is_leader() {
        return Err(RpcError::NoLeader);
    }
    match server.raft().remove_member(rid).await {
        Ok(()) => {
            tracing::warn!(peer = %what, "operator: removed Raft peer");
            Ok(())
        }
        Err(e) => {
            tracing::warn!(peer = %what, error = %e, "operator: failed to remove Raft peer");
            Err(RpcError::Internal(e.to_string()))
        }
    }
}

/// This server's Raft progress (`Status.RaftStats`), answered locally.
pub fn raft_stats(server: &Server) -> ServerStats {
    let raft = server.raft();
    let stats = raft.stats();
    ServerStats {
        last_contact: raft
            .last_contact()
            .map(|d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)),
        last_term: stats.term,
        last_index: stats.last_log_index,
    }
}

/// The autopilot configuration (`Operator.AutopilotGetConfiguration`).
pub fn autopilot_get_config(server: &Server) -> AutopilotConfig {
    server.autopilot().config()
}

/// Replace the autopilot configuration (`Operator.AutopilotSetConfiguration`);
/// with `cas`, only if its `ModifyIndex` equals `config.modify_index`.
/// Answers whether it was stored.
pub fn autopilot_set_config(server: &Server, config: AutopilotConfig, cas: bool) -> bool {
    let index = server.store().snapshot().latest_index();
    server.autopilot().set_config(config, cas, index)
}

/// Health of every server (`Operator.ServerHealth`); must run on the leader.
pub async fn server_health(server: &Server) -> Result<OperatorHealthReply, RpcError> {
    if !server.is_leader() {
        return Err(RpcError::NoLeader);
    }
    Ok(autopilot::refresh_health(server).await)
}
