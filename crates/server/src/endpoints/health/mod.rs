//! Health endpoint: checks by node, by service and by state; healthy instances.

mod acl;
mod request;

pub use request::{ChecksInStateRequest, HealthRpc};

use consul_types::catalog::{CheckServiceNode, HealthCheck};

use super::catalog::NodeMetaFilter;
use crate::acl_filter;
use crate::dispatch::RequestCtx;
use crate::rpc::args::meta_pairs;
use crate::rpc::{IndexedCheckServiceNodes, IndexedHealthChecks, RpcResponse};
use crate::{QueryMeta, QueryOptions, RpcError, Server};

/// Serve one `Health.*` call (routed here by the dispatcher).
pub(crate) async fn serve(
    server: &Server,
    ctx: &RequestCtx,
    req: HealthRpc,
) -> Result<RpcResponse, RpcError> {
    let opts = &ctx.read;
    let checks = |(meta, mut health_checks): (QueryMeta, Vec<HealthCheck>)| {
        acl_filter::health_checks(ctx, &mut health_checks);
        RpcResponse::HealthChecks(IndexedHealthChecks {
            health_checks,
            query_meta: meta.into(),
        })
    };
    match req {
        HealthRpc::NodeChecks(r) => node_checks(server, opts, &r.node).await.map(checks),
        HealthRpc::ServiceChecks(r) => {
            let filters = meta_pairs(&r.node_meta_filters);
            service_checks(server, opts, &r.service_name, &filters)
                .await
                .map(checks)
        }
        HealthRpc::ChecksInState(r) => {
            let filters = meta_pairs(&r.node_meta_filters);
            checks_in_state(server, opts, &r.state, &filters)
                .await
                .map(checks)
        }
        HealthRpc::ServiceNodes(r) => {
            let filters = meta_pairs(&r.node_meta_filters);
            let (meta, mut nodes) = service_nodes(
                server,
                opts,
                &r.service_name,
                &r.service_tags,
                &filters,
                r.passing_only,
            )
            .await?;
            acl_filter::check_service_nodes(ctx, &mut nodes);
            Ok(RpcResponse::CheckServiceNodes(IndexedCheckServiceNodes {
                nodes,
                query_meta: meta.into(),
            }))
        }
    }
}

/// Checks of one node.
pub async fn node_checks(
    server: &Server,
    opts: &QueryOptions,
    node: &str,
) -> Result<(QueryMeta, Vec<HealthCheck>), RpcError> {
    server
        .read(opts, |snap, ws| snap.node_checks(ws, node))
        .await
}

/// Checks of every instance of one service.
pub async fn service_checks(
    server: &Server,
    opts: &QueryOptions,
    service: &str,
    meta: &NodeMetaFilter,
) -> Result<(QueryMeta, Vec<HealthCheck>), RpcError> {
    server
        .read(opts, |snap, ws| snap.service_checks(ws, service, meta))
        .await
}

/// Checks in a state: `any`, `passing`, `warning` or `critical`.
pub async fn checks_in_state(
    server: &Server,
    opts: &QueryOptions,
    state: &str,
    meta: &NodeMetaFilter,
) -> Result<(QueryMeta, Vec<HealthCheck>), RpcError> {
    if !matches!(state, "any" | "passing" | "warning" | "critical") {
        return Err(RpcError::BadRequest("Invalid check state".into()));
    }
    server
        .read(opts, |snap, ws| snap.checks_in_state(ws, state, meta))
        .await
}

/// Instances of a service with their node and checks; `passing_only` drops
/// instances with any non-passing check.
pub async fn service_nodes(
    server: &Server,
    opts: &QueryOptions,
    service: &str,
    tags: &[String],
    meta: &NodeMetaFilter,
    passing_only: bool,
) -> Result<(QueryMeta, Vec<CheckServiceNode>), RpcError> {
    server
        .read(opts, |snap, ws| {
            snap.check_service_nodes(ws, service, tags, meta, passing_only)
        })
        .await
}
