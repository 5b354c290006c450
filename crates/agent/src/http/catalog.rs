//! `/v1/catalog/*`: register, deregister, datacenters, nodes, services,
//! service/<name>, node/<node>.

use axum::body::Bytes;
use consul_server::endpoints::catalog::CatalogRpc;
use consul_server::rpc::{NodeSpecificRequest, RpcRequest, ServiceSpecificRequest};
use consul_types::catalog::{DeregisterRequest, RegisterRequest};

use super::respond::{json, rpc_err, HttpError, HttpResult};
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
        req.datacenter = ctx.datacenter.clone();
    }
    ctx.rpc(RpcRequest::Catalog(CatalogRpc::register(
        req,
        ctx.token.clone(),
    )))
    .await?;
    Ok(json(&true, false))
}

/// PUT /v1/catalog/deregister
pub async fn deregister(ctx: Ctx, body: Bytes) -> HttpResult {
    let mut req: DeregisterRequest = decode_body(&body)?;
    if req.datacenter.is_empty() {
        req.datacenter = ctx.datacenter.clone();
    }
    ctx.rpc(RpcRequest::Catalog(CatalogRpc::deregister(
        req,
        ctx.token.clone(),
    )))
    .await?;
    Ok(json(&true, false))
}

/// GET /v1/catalog/datacenters
pub async fn datacenters(ctx: Ctx) -> HttpResult {
    let dcs = ctx
        .rpc(RpcRequest::Catalog(CatalogRpc::ListDatacenters))
        .await?
        .into_strings()
        .map_err(rpc_err)?;
    Ok(json(&dcs, ctx.pretty))
}

/// GET /v1/catalog/nodes
pub async fn nodes(ctx: Ctx) -> HttpResult {
    let req = ctx.dc_request(ctx.query_options()?);
    ctx.read(RpcRequest::Catalog(CatalogRpc::ListNodes(req)), |r| {
        r.into_nodes().map(|x| (x.nodes, x.query_meta))
    })
    .await
}

/// GET /v1/catalog/services
pub async fn services(ctx: Ctx) -> HttpResult {
    let req = RpcRequest::Catalog(CatalogRpc::ListServices(
        ctx.dc_request(ctx.query_options()?),
    ));
    ctx.read(req, |r| {
        r.into_services().map(|x| (x.services, x.query_meta))
    })
    .await
}

/// The request for one service's instances (`?tag` repeatable, `?node-meta`).
pub(super) fn service_request(
    ctx: &Ctx,
    name: String,
) -> Result<ServiceSpecificRequest, HttpError> {
    if name.is_empty() {
        return Err(HttpError::bad_request("Missing service name"));
    }
    let query_options = ctx.query_options()?;
    let tags = ctx.params.all("tag");
    Ok(ServiceSpecificRequest {
        datacenter: ctx.datacenter.clone(),
        node_meta_filters: ctx.node_meta(),
        service_name: name,
        tag_filter: !tags.is_empty(),
        service_tags: tags,
        passing_only: ctx.params.flag("passing"),
        query_options,
    })
}

/// GET /v1/catalog/service/<name>
pub async fn service(ctx: Ctx, name: String) -> HttpResult {
    let req = RpcRequest::Catalog(CatalogRpc::ServiceNodes(service_request(&ctx, name)?));
    ctx.read(req, |r| {
        r.into_service_nodes()
            .map(|x| (x.service_nodes, x.query_meta))
    })
    .await
}

/// The request for one node.
pub(super) fn node_request(ctx: &Ctx, name: String) -> Result<NodeSpecificRequest, HttpError> {
    if name.is_empty() {
        return Err(HttpError::bad_request("Missing node name"));
    }
    Ok(NodeSpecificRequest {
        datacenter: ctx.datacenter.clone(),
        query_options: ctx.query_options()?,
        node: name,
    })
}

/// GET /v1/catalog/node/<node>
pub async fn node(ctx: Ctx, name: String) -> HttpResult {
    let req = RpcRequest::Catalog(CatalogRpc::NodeServices(node_request(&ctx, name)?));
    ctx.read(req, |r| {
        r.into_node_services()
            .map(|x| (x.node_services, x.query_meta))
    })
    .await
}

/// GET /v1/catalog/node-services/<node>: the node and its services as a
/// list (`{"Node": …, "Services": […]}`; both `null` for an unknown node).
pub async fn node_service_list(ctx: Ctx, name: String) -> HttpResult {
    if name.is_empty() {
        return Err(HttpError::bad_request("Missing node name"));
    }
    let req = RpcRequest::Catalog(CatalogRpc::NodeServices(node_request(&ctx, name)?));
    ctx.read(req, |r| {
        r.into_node_services().map(|x| {
            let list = x.node_services.map(|ns| NodeServiceList {
                node: Some(ns.node),
                services: Some(ns.services.into_values().collect()),
            });
            (list.unwrap_or_default(), x.query_meta)
        })
    })
    .await
}

/// `structs.NodeServiceList`.
#[derive(serde::Serialize, Default)]
#[serde(rename_all = "PascalCase")]
struct NodeServiceList {
    node: Option<consul_types::catalog::Node>,
    services: Option<Vec<consul_types::catalog::NodeService>>,
}
