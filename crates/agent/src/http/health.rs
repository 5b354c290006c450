//! `/v1/health/*`: node/<node>, checks/<service>, service/<service>, state/<state>.

use consul_server::endpoints::health::{ChecksInStateRequest, HealthRpc};
use consul_server::rpc::RpcRequest;

use super::catalog::{node_request, service_request};
use super::respond::{HttpError, HttpResult};
use super::Ctx;

/// GET /v1/health/node/<node>
pub async fn node(ctx: Ctx, name: String) -> HttpResult {
    let req = RpcRequest::Health(HealthRpc::NodeChecks(node_request(&ctx, name)?));
    ctx.read(req, |r| {
        r.into_health_checks()
            .map(|x| (x.health_checks, x.query_meta))
    })
    .await
}

/// GET /v1/health/checks/<service>
pub async fn checks(ctx: Ctx, service: String) -> HttpResult {
    let req = RpcRequest::Health(HealthRpc::ServiceChecks(service_request(&ctx, service)?));
    ctx.read(req, |r| {
        r.into_health_checks()
            .map(|x| (x.health_checks, x.query_meta))
    })
    .await
}

/// GET /v1/health/service/<service>
pub async fn service(ctx: Ctx, service: String) -> HttpResult {
    let req = RpcRequest::Health(HealthRpc::ServiceNodes(service_request(&ctx, service)?));
    ctx.read(req, |r| {
        r.into_check_service_nodes()
            .map(|x| (x.nodes, x.query_meta))
    })
    .await
}

/// GET /v1/health/state/<state>
pub async fn state(ctx: Ctx, state: String) -> HttpResult {
    if state.is_empty() {
        return Err(HttpError::bad_request("Missing check state"));
    }
    let req = ChecksInStateRequest {
        datacenter: ctx.datacenter.clone(),
        node_meta_filters: ctx.node_meta(),
        state,
        query_options: ctx.query_options()?,
    };
    let req = RpcRequest::Health(HealthRpc::ChecksInState(req));
    ctx.read(req, |r| {
        r.into_health_checks()
            .map(|x| (x.health_checks, x.query_meta))
    })
    .await
}
