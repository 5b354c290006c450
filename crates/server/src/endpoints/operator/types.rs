//! The operator area's data shapes, with the names of Consul's (`structs.RaftServer`,
//! `structs.RaftConfigurationResponse`, `structs.AutopilotConfig`, `structs.ServerHealth`,
//! `structs.OperatorHealthReply`) and of our `Status.RaftStats` answer.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Raft protocol version every server speaks (Consul 1.10: "3").
pub const RAFT_PROTOCOL: &str = "3";

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

pub use consul_types::autopilot::AutopilotConfig;

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
