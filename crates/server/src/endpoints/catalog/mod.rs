//! Catalog endpoint: register/deregister through Raft; node and service reads.

mod acl;
mod request;

pub use request::{CatalogRpc, DeregisterArgs, RegisterArgs};

use std::collections::BTreeMap;

use consul_types::catalog::{DeregisterRequest, Node, NodeServices, RegisterRequest, ServiceNode};
use consul_types::command::Command;

use consul_filter::consul;

use crate::acl_filter;
use crate::dispatch::RequestCtx;
use crate::query_filter::QueryFilter;
use crate::rpc::args::meta_pairs;
use crate::rpc::{
    IndexedNodeServices, IndexedNodes, IndexedServiceNodes, IndexedServices, RpcResponse,
};
use crate::{QueryMeta, QueryOptions, RpcError, Server};

/// Serve one `Catalog.*` call (routed here by the dispatcher).
pub(crate) async fn serve(
    server: &Server,
    ctx: &RequestCtx,
    req: CatalogRpc,
) -> Result<RpcResponse, RpcError> {
    let opts = &ctx.read;
    match req {
        CatalogRpc::Register(r) => register(server, r.request)
            .await
            .map(|_| RpcResponse::Bool(true)),
        CatalogRpc::Deregister(r) => {
            acl::check_deregister(server, ctx, &r.request)?;
            deregister(server, r.request)
        }
        .await
        .map(|_| RpcResponse::Bool(true)),
        CatalogRpc::ListDatacenters => Ok(RpcResponse::Strings(datacenters(server))),
        CatalogRpc::ListNodes(r) => {
            let filter = QueryFilter::parse(&r.query_options.filter, consul::node())?;
            let (meta, mut nodes) = nodes(server, opts, &meta_pairs(&r.node_meta_filters)).await?;
            acl_filter::nodes(ctx, &mut nodes);
            filter.retain(&mut nodes)?;
            Ok(RpcResponse::Nodes(IndexedNodes {
                nodes,
                query_meta: meta.into(),
            }))
        }
        // Consul 1.10's `Catalog.ListServices` takes no filter (it ignores `?filter`).
        CatalogRpc::ListServices(r) => {
            let filters = meta_pairs(&r.node_meta_filters);
            let (meta, mut services) = services(server, opts, &filters).await?;
            acl_filter::services(ctx, &mut services);
            Ok(RpcResponse::Services(IndexedServices {
                services,
                query_meta: meta.into(),
            }))
        }
        CatalogRpc::ServiceNodes(r) => {
            let filter = QueryFilter::parse(&r.query_options.filter, consul::service_node())?;
            let filters = meta_pairs(&r.node_meta_filters);
            let (meta, mut nodes) =
                service_nodes(server, opts, &r.service_name, &r.service_tags, &filters).await?;
            acl_filter::service_nodes(ctx, &mut nodes);
            filter.retain(&mut nodes)?;
            Ok(RpcResponse::ServiceNodes(IndexedServiceNodes {
                service_nodes: nodes,
                query_meta: meta.into(),
            }))
        }
        CatalogRpc::NodeServices(r) => {
            // Consul filters the node's services, never the node itself.
            let filter = QueryFilter::parse(&r.query_options.filter, consul::node_service())?;
            let (meta, mut ns) = node_services(server, opts, &r.node).await?;
            acl_filter::node_services(ctx, &mut ns);
            if let Some(ns) = ns.as_mut() {
                filter.retain_values(&mut ns.services)?;
            }
            Ok(RpcResponse::NodeServices(IndexedNodeServices {
                node_services: ns,
                query_meta: meta.into(),
            }))
        }
    }
}

/// `node-meta` filter pairs.
pub type NodeMetaFilter = [(String, String)];

/// Validate and apply a registration (Consul's `Catalog.Register` checks).
pub async fn register(server: &Server, mut req: RegisterRequest) -> Result<(), RpcError> {
    let _t = consul_telemetry::timer(&["catalog", "register"]);
    if req.node.is_empty() {
        return Err(RpcError::BadRequest("Must provide node".into()));
    }
    if req.address.is_empty() && !req.skip_node_update {
        return Err(RpcError::BadRequest("Must provide address".into()));
    }
    if let Some(svc) = req.service.as_mut() {
        if svc.service.is_empty() {
            return Err(RpcError::BadRequest("Must provide service name".into()));
        }
        if svc.id.is_empty() {
            svc.id = svc.service.clone();
        }
    }
    if let Some(check) = req.check.take() {
        req.checks.push(check);
    }
    for check in &mut req.checks {
        if check.check_id.is_empty() && !check.name.is_empty() {
            check.check_id = check.name.clone();
        }
        if check.node.is_empty() {
            check.node = req.node.clone();
        }
        if check.node != req.node {
            return Err(RpcError::BadRequest(format!(
                "Node '{}' does not match node '{}' of check '{}'",
                req.node, check.node, check.check_id
            )));
        }
    }
    // The dispatcher refused any other datacenter; store the one it was meant for.
    if req.datacenter.is_empty() {
        req.datacenter = server.config().datacenter.clone();
    }
    server.apply(Command::Register(req)).await.map(|_| ())
}

/// Validate and apply a deregistration.
pub async fn deregister(server: &Server, req: DeregisterRequest) -> Result<(), RpcError> {
    let _t = consul_telemetry::timer(&["catalog", "deregister"]);
    if req.node.is_empty() {
        return Err(RpcError::BadRequest("Must provide node".into()));
    }
    server.apply(Command::Deregister(req)).await.map(|_| ())
}

/// Known datacenters (only our own until WAN federation exists).
pub fn datacenters(server: &Server) -> Vec<String> {
    vec![server.config().datacenter.clone()]
}

/// All nodes, optionally filtered by node meta.
pub async fn nodes(
    server: &Server,
    opts: &QueryOptions,
    meta: &NodeMetaFilter,
) -> Result<(QueryMeta, Vec<Node>), RpcError> {
    server.read(opts, |snap, ws| snap.nodes(ws, meta)).await
}

/// Service names with the union of their tags.
pub async fn services(
    server: &Server,
    opts: &QueryOptions,
    meta: &NodeMetaFilter,
) -> Result<(QueryMeta, BTreeMap<String, Vec<String>>), RpcError> {
    server.read(opts, |snap, ws| snap.services(ws, meta)).await
}

/// Instances of one service, filtered by tags (ANDed) and node meta.
pub async fn service_nodes(
    server: &Server,
    opts: &QueryOptions,
    service: &str,
    tags: &[String],
    meta: &NodeMetaFilter,
) -> Result<(QueryMeta, Vec<ServiceNode>), RpcError> {
    server
        .read(opts, |snap, ws| snap.service_nodes(ws, service, tags, meta))
        .await
}

/// One node and its services (`None` when the node is unknown).
pub async fn node_services(
    server: &Server,
    opts: &QueryOptions,
    node: &str,
) -> Result<(QueryMeta, Option<NodeServices>), RpcError> {
    server
        .read(opts, |snap, ws| snap.node_services(ws, node))
        .await
}
