//! Consul's ACL filters for read results (its `aclFilter`): a list is never
//! refused, it loses what the caller may not read. A node needs `node:read`,
//! a service instance `service:read` on its service *and* `node:read` on its
//! node, a check the same on its node and (when it has one) its service, a
//! session `session:read` on its node.

use std::collections::BTreeMap;

use consul_acl::Authorize;
use consul_types::catalog::{CheckServiceNode, HealthCheck, Node, NodeServices, ServiceNode};
use consul_types::session::Session;

use crate::dispatch::RequestCtx;

fn node_ok(ctx: &RequestCtx, node: &str) -> bool {
    ctx.may(|a| a.node_read(node))
}

fn service_ok(ctx: &RequestCtx, service: &str) -> bool {
    service.is_empty() || ctx.may(|a| a.service_read(service))
}

/// Catalog nodes.
pub fn nodes(ctx: &RequestCtx, nodes: &mut Vec<Node>) {
    nodes.retain(|n| node_ok(ctx, &n.node));
}

/// The catalog's service → tags map.
pub fn services(ctx: &RequestCtx, services: &mut BTreeMap<String, Vec<String>>) {
    services.retain(|name, _| service_ok(ctx, name));
}

/// Instances of a service.
pub fn service_nodes(ctx: &RequestCtx, nodes: &mut Vec<ServiceNode>) {
    nodes.retain(|s| node_ok(ctx, &s.node) && service_ok(ctx, &s.service_name));
}

/// One node's services: none at all without `node:read`.
pub fn node_services(ctx: &RequestCtx, ns: &mut Option<NodeServices>) {
    if ns.as_ref().is_some_and(|n| !node_ok(ctx, &n.node.node)) {
        *ns = None;
    }
    if let Some(n) = ns {
        n.services.retain(|_, s| service_ok(ctx, &s.service));
    }
}

/// Health checks.
pub fn health_checks(ctx: &RequestCtx, checks: &mut Vec<HealthCheck>) {
    checks.retain(|c| node_ok(ctx, &c.node) && service_ok(ctx, &c.service_name));
}

/// Healthy-instance results (node, service and their checks).
pub fn check_service_nodes(ctx: &RequestCtx, nodes: &mut Vec<CheckServiceNode>) {
    nodes.retain(|n| node_ok(ctx, &n.node.node) && service_ok(ctx, &n.service.service));
    for n in nodes.iter_mut() {
        health_checks(ctx, &mut n.checks);
    }
}

/// Sessions.
pub fn sessions(ctx: &RequestCtx, sessions: &mut Vec<Session>) {
    sessions.retain(|s| ctx.may(|a| a.session_read(&s.node)));
}
