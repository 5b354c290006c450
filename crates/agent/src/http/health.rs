//! `/v1/health/*`: node/<node>, checks/<service>, service/<service>, state/<state>.

use consul_server::endpoints::health;

use super::respond::{json_with_meta, HttpError, HttpResult};
use super::Ctx;

/// GET /v1/health/node/<node>
pub async fn node(ctx: Ctx, name: String) -> HttpResult {
    if name.is_empty() {
        return Err(HttpError::bad_request("Missing node name"));
    }
    let opts = ctx.params.query_options()?;
    let (meta, checks) = health::node_checks(ctx.agent.server(), &opts, &name).await?;
    Ok(json_with_meta(&checks, &meta, ctx.pretty))
}

/// GET /v1/health/checks/<service>
pub async fn checks(ctx: Ctx, service: String) -> HttpResult {
    if service.is_empty() {
        return Err(HttpError::bad_request("Missing service name"));
    }
    let opts = ctx.params.query_options()?;
    let (meta, checks) =
        health::service_checks(ctx.agent.server(), &opts, &service, &ctx.params.node_meta())
            .await?;
    Ok(json_with_meta(&checks, &meta, ctx.pretty))
}

/// GET /v1/health/service/<service>
pub async fn service(ctx: Ctx, service: String) -> HttpResult {
    if service.is_empty() {
        return Err(HttpError::bad_request("Missing service name"));
    }
    let opts = ctx.params.query_options()?;
    let tags = ctx.params.all("tag");
    let passing = ctx.params.flag("passing");
    let (meta, nodes) = health::service_nodes(
        ctx.agent.server(),
        &opts,
        &service,
        &tags,
        &ctx.params.node_meta(),
        passing,
    )
    .await?;
    Ok(json_with_meta(&nodes, &meta, ctx.pretty))
}

/// GET /v1/health/state/<state>
pub async fn state(ctx: Ctx, state: String) -> HttpResult {
    if state.is_empty() {
        return Err(HttpError::bad_request("Missing check state"));
    }
    let opts = ctx.params.query_options()?;
    let (meta, checks) =
        health::checks_in_state(ctx.agent.server(), &opts, &state, &ctx.params.node_meta()).await?;
    Ok(json_with_meta(&checks, &meta, ctx.pretty))
}
