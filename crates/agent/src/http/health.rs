//! `/v1/health/*`: node/<node>, checks/<service>, service/<service>, state/<state>.

use consul_server::rpc::{ChecksInStateRequest, HealthRpc, RpcRequest};
use consul_server::QueryMeta;

use super::catalog::{node_meta, node_request, read_parts, service_request};
use super::respond::{json_with_meta, rpc_err, HttpError, HttpResult};
use super::Ctx;

/// GET /v1/health/node/<node>
pub async fn node(ctx: Ctx, name: String) -> HttpResult {
    let req = node_request(&ctx, name)?;
    let r = ctx
        .rpc(RpcRequest::Health(HealthRpc::NodeChecks(req)))
        .await?
        .into_health_checks()
        .map_err(rpc_err)?;
    Ok(json_with_meta(
        &r.health_checks,
        &QueryMeta::from(r.query_meta),
        ctx.pretty,
    ))
}

/// GET /v1/health/checks/<service>
pub async fn checks(ctx: Ctx, service: String) -> HttpResult {
    let req = service_request(&ctx, service)?;
    let r = ctx
        .rpc(RpcRequest::Health(HealthRpc::ServiceChecks(req)))
        .await?
        .into_health_checks()
        .map_err(rpc_err)?;
    Ok(json_with_meta(
        &r.health_checks,
        &QueryMeta::from(r.query_meta),
        ctx.pretty,
    ))
}

/// GET /v1/health/service/<service>
pub async fn service(ctx: Ctx, service: String) -> HttpResult {
    let req = service_request(&ctx, service)?;
    let r = ctx
        .rpc(RpcRequest::Health(HealthRpc::ServiceNodes(req)))
        .await?
        .into_check_service_nodes()
        .map_err(rpc_err)?;
    Ok(json_with_meta(
        &r.nodes,
        &QueryMeta::from(r.query_meta),
        ctx.pretty,
    ))
}

/// GET /v1/health/state/<state>
pub async fn state(ctx: Ctx, state: String) -> HttpResult {
    if state.is_empty() {
        return Err(HttpError::bad_request("Missing check state"));
    }
    let (datacenter, query_options) = read_parts(&ctx)?;
    let req = ChecksInStateRequest {
        datacenter,
        node_meta_filters: node_meta(&ctx),
        state,
        query_options,
    };
    let r = ctx
        .rpc(RpcRequest::Health(HealthRpc::ChecksInState(req)))
        .await?
        .into_health_checks()
        .map_err(rpc_err)?;
    Ok(json_with_meta(
        &r.health_checks,
        &QueryMeta::from(r.query_meta),
        ctx.pretty,
    ))
}
