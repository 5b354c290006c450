//! `/v1/operator/raft/*` and `/v1/operator/autopilot/*`, each one typed
//! `Operator.*` request through [`Ctx::rpc`].

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::StatusCode;
use axum::response::Response;
use consul_server::endpoints::operator::{
    AutopilotConfig, AutopilotSetConfigRequest, OperatorHealthReply, OperatorRpc,
    RaftRemovePeerRequest, RaftTransferLeaderRequest,
};
use consul_server::rpc::{DcSpecificRequest, RpcRequest};
use consul_types::duration::{format_go_duration, serde_go};
use serde::{Deserialize, Serialize};

use super::catalog::decode_body;
use super::respond::{json, rpc_err, HttpError, HttpResult};
use super::Ctx;

/// `api.AutopilotConfiguration`: durations as Go duration strings. Fields
/// missing from a PUT body are zero, as Go decodes them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AutopilotConfiguration {
    /// Remove failed servers automatically.
    pub cleanup_dead_servers: bool,
    /// Longest tolerated time since a follower heard from the leader.
    #[serde(with = "serde_go")]
    pub last_contact_threshold: Duration,
    /// Most log entries a healthy follower may trail by.
    pub max_trailing_logs: u64,
    /// Lowest voter count dead-server cleanup may leave.
    pub min_quorum: u32,
    /// How long a server must be healthy to be stable.
    #[serde(with = "serde_go")]
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

impl From<AutopilotConfig> for AutopilotConfiguration {
    fn from(c: AutopilotConfig) -> Self {
        AutopilotConfiguration {
            cleanup_dead_servers: c.cleanup_dead_servers,
            last_contact_threshold: c.last_contact_threshold,
            max_trailing_logs: c.max_trailing_logs,
            min_quorum: c.min_quorum,
            server_stabilization_time: c.server_stabilization_time,
            redundancy_zone_tag: c.redundancy_zone_tag,
            disable_upgrade_migration: c.disable_upgrade_migration,
            upgrade_version_tag: c.upgrade_version_tag,
            create_index: c.create_index,
            modify_index: c.modify_index,
        }
    }
}

impl From<AutopilotConfiguration> for AutopilotConfig {
    fn from(c: AutopilotConfiguration) -> Self {
        AutopilotConfig {
            cleanup_dead_servers: c.cleanup_dead_servers,
            last_contact_threshold: c.last_contact_threshold,
            max_trailing_logs: c.max_trailing_logs,
            min_quorum: c.min_quorum,
            server_stabilization_time: c.server_stabilization_time,
            redundancy_zone_tag: c.redundancy_zone_tag,
            disable_upgrade_migration: c.disable_upgrade_migration,
            upgrade_version_tag: c.upgrade_version_tag,
            create_index: c.create_index,
            modify_index: c.modify_index,
        }
    }
}

/// `api.ServerHealth`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
struct ServerHealthJson {
    #[serde(rename = "ID")]
    id: String,
    name: String,
    address: String,
    serf_status: String,
    version: String,
    leader: bool,
    last_contact: String,
    last_term: u64,
    last_index: u64,
    healthy: bool,
    voter: bool,
    stable_since: String,
}

/// `api.OperatorHealthReply`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
struct HealthJson {
    healthy: bool,
    failure_tolerance: u64,
    servers: Vec<ServerHealthJson>,
}

/// Go's `Duration.String()` for signed nanoseconds.
pub fn go_duration_nanos(n: i64) -> String {
    if n < 0 {
        format!(
            "-{}",
            format_go_duration(Duration::from_nanos(n.unsigned_abs()))
        )
    } else {
        format_go_duration(Duration::from_nanos(n as u64))
    }
}

/// Unix seconds as RFC 3339 in UTC (`2006-01-02T15:04:05Z`), as Go encodes a
/// `time.Time` rounded to the second.
pub fn rfc3339_utc(secs: u64) -> String {
    consul_types::timestamp::Timestamp::from_unix_secs(secs as i64).to_rfc3339()
}

fn health_json(r: OperatorHealthReply) -> HealthJson {
    HealthJson {
        healthy: r.healthy,
        failure_tolerance: r.failure_tolerance,
        servers: r
            .servers
            .into_iter()
            .map(|s| ServerHealthJson {
                id: s.id,
                name: s.name,
                address: s.address,
                serf_status: s.serf_status,
                version: s.version,
                leader: s.leader,
                last_contact: go_duration_nanos(s.last_contact),
                last_term: s.last_term,
                last_index: s.last_index,
                healthy: s.healthy,
                voter: s.voter,
                stable_since: rfc3339_utc(s.stable_since),
            })
            .collect(),
    }
}

fn dc_request(ctx: &Ctx, stale: bool) -> DcSpecificRequest {
    let mut query_options = ctx.token_only();
    query_options.allow_stale = stale;
    DcSpecificRequest {
        datacenter: ctx.datacenter.clone(),
        query_options,
        ..Default::default()
    }
}

/// GET /v1/operator/raft/configuration (`?stale` lets any server answer).
pub async fn raft_configuration(ctx: Ctx) -> HttpResult {
    let req = dc_request(&ctx, ctx.params.has("stale"));
    let conf = ctx
        .rpc(RpcRequest::Operator(OperatorRpc::RaftGetConfiguration(req)))
        .await?
        .into_raft_configuration()
        .map_err(rpc_err)?;
    Ok(json(&conf, ctx.pretty))
}

/// DELETE /v1/operator/raft/peer?id=<uuid> or ?address=<ip:port>: 200 with no body.
pub async fn raft_peer(ctx: Ctx) -> HttpResult {
    let has_id = ctx.params.has("id");
    let has_addr = ctx.params.has("address");
    let (id, address) = match (has_id, has_addr) {
        (false, false) => {
            return Err(HttpError::bad_request(
                "Must specify either ?id with the server's ID or ?address with IP:port of peer to remove",
            ))
        }
        (true, true) => {
            return Err(HttpError::bad_request(
                "Must specify only one of ?id or ?address",
            ))
        }
        _ => (
            ctx.params.get("id").unwrap_or("").to_string(),
            ctx.params.get("address").unwrap_or("").to_string(),
        ),
    };
    let args = RaftRemovePeerRequest {
        datacenter: ctx.datacenter.clone(),
        address,
        id,
        token: ctx.token.clone(),
    };
    let req = if has_id {
        OperatorRpc::RaftRemovePeerById(args)
    } else {
        OperatorRpc::RaftRemovePeerByAddress(args)
    };
    ctx.rpc(RpcRequest::Operator(req)).await?;
    Ok(Response::new(Body::empty()))
}

/// `api.TransferLeaderResponse`.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct TransferLeaderResponse {
    success: bool,
}

/// POST /v1/operator/raft/transfer-leader[?id=<server id>]: `{"Success": true}`
/// once the leadership moved (Consul 1.15's endpoint).
pub async fn raft_transfer_leader(ctx: Ctx) -> HttpResult {
    let req = RaftTransferLeaderRequest {
        datacenter: ctx.datacenter.clone(),
        id: ctx.params.get("id").unwrap_or("").to_string(),
        token: ctx.token.clone(),
    };
    let success = ctx
        .rpc(RpcRequest::Operator(OperatorRpc::RaftTransferLeader(req)))
        .await?
        .into_bool()
        .map_err(rpc_err)?;
    Ok(json(&TransferLeaderResponse { success }, ctx.pretty))
}

/// GET /v1/operator/autopilot/configuration
pub async fn autopilot_get(ctx: Ctx) -> HttpResult {
    let req = dc_request(&ctx, false);
    let conf = ctx
        .rpc(RpcRequest::Operator(
            OperatorRpc::AutopilotGetConfiguration(req),
        ))
        .await?
        .into_autopilot_config()
        .map_err(rpc_err)?;
    Ok(json(&AutopilotConfiguration::from(conf), ctx.pretty))
}

/// PUT /v1/operator/autopilot/configuration (`?cas=<ModifyIndex>`): answers
/// `true`, or with `?cas` whether the check-and-set succeeded.
pub async fn autopilot_put(ctx: Ctx, body: Bytes) -> HttpResult {
    let conf: AutopilotConfiguration = decode_body(&body).map_err(|e| {
        HttpError::bad_request(format!(
            "Error parsing autopilot config: {}",
            e.message
                .strip_prefix("Request decode failed: ")
                .unwrap_or(&e.message)
        ))
    })?;
    let mut config = AutopilotConfig::from(conf);
    let cas = match ctx.params.get("cas") {
        None => false,
        Some(v) => {
            config.modify_index = v.parse().map_err(|_| {
                HttpError::bad_request(format!("Error parsing cas value: {v:?} is not a number"))
            })?;
            true
        }
    };
    let req = AutopilotSetConfigRequest {
        datacenter: ctx.datacenter.clone(),
        config,
        cas,
        token: ctx.token.clone(),
    };
    let ok = ctx
        .rpc(RpcRequest::Operator(
            OperatorRpc::AutopilotSetConfiguration(req),
        ))
        .await?
        .into_bool()
        .map_err(rpc_err)?;
    Ok(json(&(ok || !cas), false))
}

/// GET /v1/operator/autopilot/health: 200 when healthy, 429 otherwise.
pub async fn autopilot_health(ctx: Ctx) -> HttpResult {
    let req = dc_request(&ctx, false);
    let reply = ctx
        .rpc(RpcRequest::Operator(OperatorRpc::ServerHealth(req)))
        .await?
        .into_operator_health()
        .map_err(rpc_err)?;
    let healthy = reply.healthy;
    let mut resp = json(&health_json(reply), ctx.pretty);
    if !healthy {
        *resp.status_mut() = StatusCode::TOO_MANY_REQUESTS;
    }
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339() {
        assert_eq!(rfc3339_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339_utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339_utc(1_709_251_199), "2024-02-29T23:59:59Z");
    }

    #[test]
    fn durations_like_go() {
        assert_eq!(go_duration_nanos(0), "0s");
        assert_eq!(go_duration_nanos(12_000_000), "12ms");
        assert_eq!(go_duration_nanos(-1), "-1ns");
    }

    #[test]
    fn autopilot_json_shape() {
        let j =
            serde_json::to_value(AutopilotConfiguration::from(AutopilotConfig::default())).unwrap();
        assert_eq!(j["LastContactThreshold"], "200ms");
        assert_eq!(j["ServerStabilizationTime"], "10s");
        assert_eq!(j["MaxTrailingLogs"], 250);
        assert_eq!(j["CleanupDeadServers"], true);
        // Missing fields decode as Go's zero values.
        let c: AutopilotConfiguration = consul_types::json::from_slice_ci(
            br#"{"cleanupdeadservers":false,"LastContactThreshold":"1s"}"#,
        )
        .unwrap();
        assert_eq!(c.last_contact_threshold, Duration::from_secs(1));
        assert_eq!(c.max_trailing_logs, 0);
    }
}
