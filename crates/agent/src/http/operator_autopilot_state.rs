//! `GET /v1/operator/autopilot/state` (Consul 1.10): autopilot's view of the
//! servers — overall health, failure tolerance, the leader and voters, and
//! per server its gossip status, Raft progress, health and role — built from
//! the leader's `Operator.ServerHealth` answer (which checks
//! `operator:read`). Always 200, unlike `/autopilot/health`.

use std::collections::BTreeMap;

use axum::routing::get;
use axum::Router;
use consul_server::endpoints::operator::{OperatorHealthReply, OperatorRpc};
use consul_server::rpc::{DcSpecificRequest, RpcRequest};
use serde::Serialize;

use super::operator::{go_duration_nanos, rfc3339_utc};
use super::respond::{json, rpc_err, HttpResult};
use super::Ctx;
use crate::agent::Agent;

/// The state route.
pub fn routes() -> Router<std::sync::Arc<Agent>> {
    Router::new().route("/v1/operator/autopilot/state", get(state))
}

/// Consul's `api.AutopilotState`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct State {
    healthy: bool,
    failure_tolerance: u64,
    optimistic_failure_tolerance: u64,
    servers: BTreeMap<String, Server>,
    leader: String,
    voters: Vec<String>,
}

/// Consul's `api.AutopilotServer`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct Server {
    #[serde(rename = "ID")]
    id: String,
    name: String,
    address: String,
    node_status: String,
    version: String,
    last_contact: String,
    last_term: u64,
    last_index: u64,
    healthy: bool,
    stable_since: String,
    read_replica: bool,
    status: &'static str,
    meta: BTreeMap<String, String>,
    node_type: &'static str,
}

fn state_of(r: OperatorHealthReply) -> State {
    let voters: Vec<&consul_server::endpoints::operator::ServerHealth> =
        r.servers.iter().filter(|s| s.voter).collect();
    let healthy_voters = voters.iter().filter(|s| s.healthy).count() as u64;
    let quorum = voters.len() as u64 / 2 + 1;
    State {
        healthy: r.healthy,
        failure_tolerance: r.failure_tolerance,
        optimistic_failure_tolerance: healthy_voters.saturating_sub(quorum),
        leader: r
            .servers
            .iter()
            .find(|s| s.leader)
            .map(|s| s.id.clone())
            .unwrap_or_default(),
        voters: voters.iter().map(|s| s.id.clone()).collect(),
        servers: r
            .servers
            .iter()
            .map(|s| {
                let status = match (s.leader, s.voter) {
                    (true, _) => "leader",
                    (false, true) => "voter",
                    (false, false) => "non-voter",
                };
                let server = Server {
                    id: s.id.clone(),
                    name: s.name.clone(),
                    address: s.address.clone(),
                    node_status: s.serf_status.clone(),
                    version: s.version.clone(),
                    last_contact: go_duration_nanos(s.last_contact),
                    last_term: s.last_term,
                    last_index: s.last_index,
                    healthy: s.healthy,
                    stable_since: rfc3339_utc(s.stable_since),
                    read_replica: false,
                    status,
                    meta: BTreeMap::new(),
                    node_type: "voter",
                };
                (s.id.clone(), server)
            })
            .collect(),
    }
}

/// GET /v1/operator/autopilot/state
async fn state(ctx: Ctx) -> HttpResult {
    let req = DcSpecificRequest {
        datacenter: ctx.datacenter.clone(),
        query_options: ctx.token_only(),
        ..Default::default()
    };
    let reply = ctx
        .rpc(RpcRequest::Operator(OperatorRpc::ServerHealth(req)))
        .await?
        .into_operator_health()
        .map_err(rpc_err)?;
    Ok(json(&state_of(reply), ctx.pretty))
}
