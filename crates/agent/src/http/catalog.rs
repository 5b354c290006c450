//! `/v1/catalog/*`: register, deregister, datacenters, nodes, services,
//! service/<name>, node/<node>.

use axum::body::Bytes;
use consul_server::endpoints::catalog;
use consul_types::catalog::{DeregisterRequest, RegisterRequest};

use super::respond::{json, json_with_meta, HttpError, HttpResult};
use super::Ctx;

/// Decode a JSON body the way Go does (field names case-insensitive).
pub fn decode_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, HttpError> {
    consul_types::json::from_slice_ci(body)
        .map_err(|e| HttpError::bad_request(format!("Request decode failed: {e}")))
}

/// PUT /v1/catalog/register
pub async fn register(ctx: Ctx, body: Bytes) -> HttpResult {
    let mut req: RegisterRequest = decode_body(&body)?;
    if req.datacenter.is_empty() {
        req.datacenter = ctx.params.datacenter();
    }
    catalog::register(ctx.agent.server(), req).await?;
    Ok(json(&true, false))
}

/// PUT /v1/catalog/deregister
pub async fn deregister(ctx: Ctx, body: Bytes) -> HttpResult {
    let mut req: DeregisterRequest = decode_body(&body)?;
    if req.datacenter.is_empty() {
        req.datacenter = ctx.params.datacenter();
    }
    catalog::deregister(ctx.agent.server(), req).await?;
    Ok(json(&true, false))
}

/// GET /v1/catalog/datacenters
pub async fn datacenters(ctx: Ctx) -> HttpResult {
    Ok(json(&catalog::datacenters(ctx.agent.server()), ctx.pretty))
}

/// GET /v1/catalog/nodes
pub async fn nodes(ctx: Ctx) -> HttpResult {
    let opts = ctx.params.query_options()?;
    let (meta, nodes) = catalog::nodes(ctx.agent.server(), &opts, &ctx.params.node_meta()).await?;
    Ok(json_with_meta(&nodes, &meta, ctx.pretty))
}

/// GET /v1/catalog/services
pub async fn services(ctx: Ctx) -> HttpResult {
    let opts = ctx.params.query_options()?;
    let (meta, services) =
        catalog::services(ctx.agent.server(), &opts, &ctx.params.node_meta()).await?;
    Ok(json_with_meta(&services, &meta, ctx.pretty))
}

/// GET /v1/catalog/service/<name>
pub async fn service(ctx: Ctx, name: String) -> HttpResult {
    if name.is_empty() {
        return Err(HttpError::bad_request("Missing service name"));
    }
    let opts = ctx.params.query_options()?;
    let tags = ctx.params.all("tag");
    let (meta, nodes) = catalog::service_nodes(
        ctx.agent.server(),
        &opts,
        &name,
        &tags,
        &ctx.params.node_meta(),
    )
    .await?;
    Ok(json_with_meta(&nodes, &meta, ctx.pretty))
}

/// GET /v1/catalog/node/<node>
pub async fn node(ctx: Ctx, name: String) -> HttpResult {
    if name.is_empty() {
        return Err(HttpError::bad_request("Missing node name"));
    }
    let opts = ctx.params.query_options()?;
    let (meta, services) = catalog::node_services(ctx.agent.server(), &opts, &name).await?;
    Ok(json_with_meta(&services, &meta, ctx.pretty))
}
