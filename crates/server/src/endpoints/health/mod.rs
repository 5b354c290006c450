//! Health endpoint: checks by node, by service and by state; healthy instances.

mod acl;
mod request;

pub use request::{ChecksInStateRequest, HealthRpc};

use consul_types::catalog::{CheckServiceNode, HealthCheck};

use super::catalog::NodeMetaFilter;
use consul_filter::consul;

use crate::acl_filter;
use crate::dispatch::RequestCtx;
use crate::query_filter::QueryFilter;
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
    let checks = |(meta, mut health_checks): (QueryMeta, Vec<HealthCheck>), filter: QueryFilter| {
        acl_filter::health_checks(ctx, &mut health_checks);
        filter.retain(&mut health_checks)?;
        Ok(RpcResponse::HealthChecks(IndexedHealthChecks {
            health_checks,
            query_meta: meta.into(),
        }))
    };
    let check_filter = |expr: &str| QueryFilter::parse(expr, consul::health_check());
    match req {
        HealthRpc::NodeChecks(r) => {
            let filter = check_filter(&r.query_options.filter)?;
            checks(node_checks(server, opts, &r.node).await?, filter)
        }
        HealthRpc::ServiceChecks(r) => {
            let filter = check_filter(&r.query_options.filter)?;
            let filters = meta_pairs(&r.node_meta_filters);
            checks(
                service_checks(server, opts, &r.service_name, &filters).await?,
                filter,
            )
        }
        HealthRpc::ChecksInState(r) => {
            let filter = check_filter(&r.query_options.filter)?;
            let filters = meta_pairs(&r.node_meta_filters);
            checks(
                checks_in_state(server, opts, &r.state, &filters).await?,
                filter,
            )
        }
        HealthRpc::ServiceNodes(r) => {
            let filter = QueryFilter::parse(&r.query_options.filter, consul::check_service_node())?;
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
            filter.retain(&mut nodes)?;
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
