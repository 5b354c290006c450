//! `GET /v1/agent/host` (the machine the agent runs on; `operator:read`)
//! and `GET /v1/agent/version` (the Consul version whose API this agent
//! serves; no token needed, as in Consul).

use axum::routing::get;
use axum::Router;

use super::respond::{json, HttpResult};
use super::Ctx;
use crate::agent::Agent;

/// The host and version routes.
pub fn routes() -> Router<std::sync::Arc<Agent>> {
    Router::new()
        .route("/v1/agent/host", get(host))
        .route("/v1/agent/version", get(version))
}

/// GET /v1/agent/host
async fn host(ctx: Ctx) -> HttpResult {
    let info = tokio::task::spawn_blocking(crate::host::collect)
        .await
        .map_err(|e| super::respond::HttpError::internal(e.to_string()))?;
    Ok(json(&info, ctx.pretty))
}

/// GET /v1/agent/version
async fn version(ctx: Ctx) -> HttpResult {
    Ok(json(
        &serde_json::json!({
            "SHA": "",
            "BuildDate": "",
            "HumanVersion": crate::agent::VERSION,
            "FIPS": "",
        }),
        ctx.pretty,
    ))
}
