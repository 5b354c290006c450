//! The operator area's data shapes, with the names of Consul's (`structs.RaftServer`,
//! `structs.RaftConfigurationResponse`, `structs.AutopilotConfig`, `structs.ServerHealth`,
//! `structs.OperatorHealthReply`) and of our `Status.RaftStats` answer.

use std::time::Duration;

use serde::{Deserialize, Serialize};

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
