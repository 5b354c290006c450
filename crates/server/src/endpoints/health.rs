//! Health endpoint: checks by node, by service and by state; healthy instances.

use consul_types::catalog::{CheckServiceNode, HealthCheck};

use super::catalog::NodeMetaFilter;
use crate::{QueryMeta, QueryOptions, RpcError, Server};

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
