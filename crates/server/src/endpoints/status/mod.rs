//! Status endpoint: the Raft leader and peers, as `host:port` strings.

mod acl;
mod request;

pub use request::StatusRpc;

use super::operator;
use crate::dispatch::RequestCtx;
use crate::rpc::RpcResponse;
use crate::{RpcError, Server};

/// Serve one `Status.*` call (routed here by the dispatcher).
pub(crate) async fn serve(
    server: &Server,
    _ctx: &RequestCtx,
    req: StatusRpc,
) -> Result<RpcResponse, RpcError> {
    Ok(match req {
        StatusRpc::Ping => RpcResponse::Empty,
        StatusRpc::Leader(_) => RpcResponse::String(leader(server)),
        StatusRpc::Peers(_) => RpcResponse::Strings(peers(server)),
        StatusRpc::RaftStats => RpcResponse::RaftStats(operator::raft_stats(server)),
    })
}

/// The leader's RPC address, or "" when none is known (Consul answers `""`).
pub fn leader(server: &Server) -> String {
    server.leader_addr().unwrap_or_default()
}

/// RPC addresses of the Raft voters.
pub fn peers(server: &Server) -> Vec<String> {
    server.peers()
}
