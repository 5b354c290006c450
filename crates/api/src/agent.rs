//! `/v1/agent/*`: the local agent's view and control.

use std::collections::BTreeMap;

use reqwest::Method;
use serde::{Deserialize, Serialize};

use crate::client::{escape_path, Params};
use consul_types::catalog::HealthCheck;

use crate::{ApiError, Client, QueryOptions, WriteOptions};

/// A gossip pool member as `/v1/agent/members` lists it (Go's
/// `api.AgentMember`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AgentMember {
    /// Node name.
    pub name: String,
    /// Gossip address.
    pub addr: String,
    /// Gossip port.
    pub port: u16,
    /// Serf tags: `role` (`consul` = server, `node` = client), `dc`,
    /// `build`, `vsn`, `segment`, …
    pub tags: BTreeMap<String, String>,
    /// Serf status: 0 none, 1 alive, 2 leaving, 3 left, 4 failed.
    pub status: i64,
    /// Lowest memberlist protocol spoken.
    pub protocol_min: u8,
    /// Highest memberlist protocol spoken.
    pub protocol_max: u8,
    /// Memberlist protocol in use.
    pub protocol_cur: u8,
    /// Lowest delegate (Consul) protocol spoken.
    pub delegate_min: u8,
    /// Highest delegate protocol spoken.
    pub delegate_max: u8,
    /// Delegate protocol in use.
    pub delegate_cur: u8,
}

impl AgentMember {
    /// The serf status as Consul prints it (`alive`, `leaving`, `left`,
    /// `failed`, `none`).
    pub fn status_string(&self) -> &'static str {
        match self.status {
            0 => "none",
            1 => "alive",
            2 => "leaving",
            3 => "left",
            4 => "failed",
            _ => "unknown",
        }
    }
}

/// The agent endpoints of a [`Client`].
#[derive(Debug, Clone, Copy)]
pub struct Agent<'a> {
    pub(crate) c: &'a Client,
}

impl Agent<'_> {
    /// `/v1/agent/self`: the agent's configuration and member record, as
    /// loose JSON (its shape varies across versions).
    pub async fn self_(&self) -> Result<serde_json::Value, ApiError> {
        let (v, _) = self
            .c
            .query::<serde_json::Value>(
                "/v1/agent/self",
                Vec::new(),
                &QueryOptions::default(),
                false,
            )
            .await?;
        Ok(v.unwrap_or_default())
    }

    /// The members of the LAN pool (or, with `wan`, of the WAN pool).
    pub async fn members(&self, wan: bool) -> Result<Vec<AgentMember>, ApiError> {
        let mut params: Params = Vec::new();
        if wan {
            params.push(("wan", "1".to_string()));
        }
        let (v, _) = self
            .c
            .query::<Option<Vec<AgentMember>>>(
                "/v1/agent/members",
                params,
                &QueryOptions::default(),
                false,
            )
            .await?;
        Ok(v.flatten().unwrap_or_default())
    }

    /// Gracefully leave the cluster and shut the agent down.
    pub async fn leave(&self) -> Result<(), ApiError> {
        self.c
            .write_unit(
                Method::PUT,
                "/v1/agent/leave",
                Vec::new(),
                &WriteOptions::default(),
                None,
            )
            .await
    }

    /// Reload the agent's configuration files.
    pub async fn reload(&self) -> Result<(), ApiError> {
        self.c
            .write_unit(
                Method::PUT,
                "/v1/agent/reload",
                Vec::new(),
                &WriteOptions::default(),
                None,
            )
            .await
    }

    /// Ask the agent to join the member at `addr` (WAN pool with `wan`).
    pub async fn join(&self, addr: &str, wan: bool) -> Result<(), ApiError> {
        let mut params: Params = Vec::new();
        if wan {
            params.push(("wan", "1".to_string()));
        }
        let path = escape_path(&format!("/v1/agent/join/{addr}"));
        self.c
            .write_unit(Method::PUT, &path, params, &WriteOptions::default(), None)
            .await
    }

    /// Force a failed member into the `left` state.
    pub async fn force_leave(&self, node: &str) -> Result<(), ApiError> {
        self.force_leave_opts(node, false).await
    }

    /// `PUT /v1/agent/force-leave/<node>`, with `?prune` when `prune`: the
    /// member is also dropped from the member list at once.
    pub async fn force_leave_opts(&self, node: &str, prune: bool) -> Result<(), ApiError> {
        let mut params: Params = Vec::new();
        if prune {
            params.push(("prune", "1".to_string()));
        }
        let path = escape_path(&format!("/v1/agent/force-leave/{node}"));
        self.c
            .write_unit(Method::PUT, &path, params, &WriteOptions::default(), None)
            .await
    }

    /// The node name of the agent (`Config.NodeName` of `/v1/agent/self`).
    pub async fn node_name(&self) -> Result<String, ApiError> {
        let v = self.self_().await?;
        Ok(v.pointer("/Config/NodeName")
            .and_then(|n| n.as_str())
            .unwrap_or_default()
            .to_string())
    }

    /// `/v1/agent/checks`: the checks the local agent runs, by check id.
    pub async fn checks(&self) -> Result<BTreeMap<String, HealthCheck>, ApiError> {
        let (v, _) = self
            .c
            .query::<Option<BTreeMap<String, HealthCheck>>>(
                "/v1/agent/checks",
                Vec::new(),
                &QueryOptions::default(),
                false,
            )
            .await?;
        Ok(v.flatten().unwrap_or_default())
    }

    /// `PUT /v1/agent/service/register`: register a service with the local
    /// agent. `reg` is an `AgentServiceRegistration` as JSON (PascalCase
    /// keys; Consul decodes them case-insensitively).
    pub async fn service_register(&self, reg: &serde_json::Value) -> Result<(), ApiError> {
        let body = serde_json::to_vec(reg).map_err(|e| ApiError::Decode(e.to_string()))?;
        self.c
            .write_unit(
                Method::PUT,
                "/v1/agent/service/register",
                Vec::new(),
                &WriteOptions::default(),
                Some(body),
            )
            .await
    }

    /// `PUT /v1/agent/service/deregister/<id>`.
    pub async fn service_deregister(&self, id: &str) -> Result<(), ApiError> {
        let path = escape_path(&format!("/v1/agent/service/deregister/{id}"));
        self.c
            .write_unit(
                Method::PUT,
                &path,
                Vec::new(),
                &WriteOptions::default(),
                None,
            )
            .await
    }

    /// Put the node into maintenance mode (`reason` "" = the default note).
    pub async fn enable_node_maintenance(&self, reason: &str) -> Result<(), ApiError> {
        self.maintenance("/v1/agent/maintenance", true, reason)
            .await
    }

    /// Take the node out of maintenance mode.
    pub async fn disable_node_maintenance(&self) -> Result<(), ApiError> {
        self.maintenance("/v1/agent/maintenance", false, "").await
    }

    /// Put service `id` into maintenance mode.
    pub async fn enable_service_maintenance(&self, id: &str, reason: &str) -> Result<(), ApiError> {
        let path = escape_path(&format!("/v1/agent/service/maintenance/{id}"));
        self.maintenance(&path, true, reason).await
    }

    /// Take service `id` out of maintenance mode.
    pub async fn disable_service_maintenance(&self, id: &str) -> Result<(), ApiError> {
        let path = escape_path(&format!("/v1/agent/service/maintenance/{id}"));
        self.maintenance(&path, false, "").await
    }

    async fn maintenance(&self, path: &str, enable: bool, reason: &str) -> Result<(), ApiError> {
        let mut params: Params = vec![("enable", enable.to_string())];
        if !reason.is_empty() {
            params.push(("reason", reason.to_string()));
        }
        self.c
            .write_unit(Method::PUT, path, params, &WriteOptions::default(), None)
            .await
    }

    /// `GET /v1/agent/monitor`: the agent's log from now on at `level`
    /// (hclog's JSON lines with `json`), as a response whose body streams
    /// until the agent or the caller ends it.
    pub async fn monitor(&self, level: &str, json: bool) -> Result<reqwest::Response, ApiError> {
        let mut params: Params = vec![("loglevel", level.to_string())];
        if json {
            params.push(("logjson", String::new()));
        }
        self.c
            .send(Method::GET, "/v1/agent/monitor", params, "", "", None)
            .await
    }
}
