//! `/v1/status/leader` and `/v1/status/peers`.

use consul_server::endpoints::status;

use super::respond::{json, HttpResult};
use super::Ctx;

/// GET /v1/status/leader
pub async fn leader(ctx: Ctx) -> HttpResult {
    Ok(json(&status::leader(ctx.agent.server()), ctx.pretty))
}

/// GET /v1/status/peers
pub async fn peers(ctx: Ctx) -> HttpResult {
    Ok(json(&status::peers(ctx.agent.server()), ctx.pretty))
}
