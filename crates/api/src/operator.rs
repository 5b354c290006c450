//! `/v1/operator/*`: the Raft configuration and autopilot.

use std::time::Duration;

use reqwest::Method;
use serde::Deserialize;

use crate::{ApiError, Client, QueryOptions, WriteOptions};

/// The operator endpoints of a [`Client`].
#[derive(Debug, Clone, Copy)]
pub struct Operator<'a> {
    pub(crate) c: &'a Client,
}

/// One server of the Raft configuration (Go's `api.RaftServer`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct RaftServer {
    /// The server's node UUID.
    #[serde(rename = "ID")]
    pub id: String,
    /// Node name.
    pub node: String,
    /// Server RPC address (`ip:port`).
    pub address: String,
    /// Whether it leads.
    pub leader: bool,
    /// Raft protocol version ("" for very old servers).
    pub protocol_version: String,
    /// Whether it votes.
    pub voter: bool,
}

/// The Raft configuration (Go's `api.RaftConfiguration`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct RaftConfiguration {
    /// Every member.
    pub servers: Vec<RaftServer>,
    /// Raft index of the configuration.
    pub index: u64,
}

/// Autopilot settings (Go's `api.AutopilotConfiguration`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AutopilotConfiguration {
    /// Remove failed servers automatically.
    pub cleanup_dead_servers: bool,
    /// Longest tolerated time since a follower heard from the leader.
    #[serde(with = "consul_types::duration::serde_go")]
    pub last_contact_threshold: Duration,
    /// Most log entries a healthy follower may trail by.
    pub max_trailing_logs: u64,
    /// Lowest voter count dead-server cleanup may leave.
    pub min_quorum: u32,
    /// How long a server must be healthy to be stable.
    #[serde(with = "consul_types::duration::serde_go")]
    pub server_stabilization_time: Duration,
    /// Enterprise: redundancy-zone tag.
    pub redundancy_zone_tag: String,
    /// Enterprise: disable upgrade migration.
    pub disable_upgrade_migration: bool,
    /// Enterprise: upgrade version tag.
    pub upgrade_version_tag: String,
    /// Index of creation.
    pub create_index: u64,
    /// Index of the last change.
    pub modify_index: u64,
}

impl Operator<'_> {
    /// The Raft configuration (`?stale` with `q.stale`).
    pub async fn raft_get_configuration(
        &self,
        q: &QueryOptions,
    ) -> Result<RaftConfiguration, ApiError> {
        let (v, _) = self
            .c
            .query::<Option<RaftConfiguration>>(
                "/v1/operator/raft/configuration",
                Vec::new(),
                q,
                false,
            )
            .await?;
        Ok(v.flatten().unwrap_or_default())
    }

    /// Remove the Raft peer at `address` (`ip:port`).
    pub async fn raft_remove_peer_by_address(
        &self,
        address: &str,
        w: &WriteOptions,
    ) -> Result<(), ApiError> {
        let params = vec![("address", address.to_string())];
        self.c
            .write_unit(Method::DELETE, "/v1/operator/raft/peer", params, w, None)
            .await
    }

    /// Remove the Raft peer with this ID.
    pub async fn raft_remove_peer_by_id(&self, id: &str, w: &WriteOptions) -> Result<(), ApiError> {
        let params = vec![("id", id.to_string())];
        self.c
            .write_unit(Method::DELETE, "/v1/operator/raft/peer", params, w, None)
            .await
    }

    /// Move the Raft leadership to the server with this ID (`None`: the most
    /// up-to-date other voter); answers whether it moved.
    pub async fn raft_leader_transfer(
        &self,
        id: Option<&str>,
        w: &WriteOptions,
    ) -> Result<bool, ApiError> {
        let params = id
            .map(|id| vec![("id", id.to_string())])
            .unwrap_or_default();
        let r: TransferLeaderResponse = self
            .c
            .write(
                Method::POST,
                "/v1/operator/raft/transfer-leader",
                params,
                w,
                None,
            )
            .await?;
        Ok(r.success)
    }

    /// The autopilot configuration.
    pub async fn autopilot_get_configuration(
        &self,
        q: &QueryOptions,
    ) -> Result<AutopilotConfiguration, ApiError> {
        let (v, _) = self
            .c
            .query::<Option<AutopilotConfiguration>>(
                "/v1/operator/autopilot/configuration",
                Vec::new(),
                q,
                false,
            )
            .await?;
        Ok(v.flatten().unwrap_or_default())
    }
}

/// The answer of `POST /v1/operator/raft/transfer-leader`.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(rename_all = "PascalCase", default)]
struct TransferLeaderResponse {
    success: bool,
}
