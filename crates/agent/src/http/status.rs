//! `/v1/status/leader` and `/v1/status/peers`: answered by a server (this
//! agent's own, or one the client agent reaches over RPC).

use consul_server::endpoints::status::StatusRpc;
use consul_server::rpc::RpcRequest;

use super::respond::{json, rpc_err, HttpResult};
use super::Ctx;

/// GET /v1/status/leader
pub async fn leader(ctx: Ctx) -> HttpResult {
    let req = ctx.dc_request(ctx.query_options()?);
    let leader = ctx
        .rpc(RpcRequest::Status(StatusRpc::Leader(req)))
        .await?
        .into_string()
        .map_err(rpc_err)?;
    Ok(json(&leader, ctx.pretty))
}

/// GET /v1/status/peers
pub async fn peers(ctx: Ctx) -> HttpResult {
    let req = ctx.dc_request(ctx.query_options()?);
    let peers = ctx
        .rpc(RpcRequest::Status(StatusRpc::Peers(req)))
        .await?
        .into_strings()
        .map_err(rpc_err)?;
    Ok(json(&peers, ctx.pretty))
}
