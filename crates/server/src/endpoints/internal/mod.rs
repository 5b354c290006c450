//! Internal endpoint (Consul's `internal_endpoint.go`): for now `Internal.EventFire`, which
//! hands a user event to the LAN pool of this server's agent. The server crate knows no
//! gossip: the agent installs a [`UserEventSink`] with [`Server::set_user_event_sink`].

mod acl;
mod request;

pub use request::{EventFireRequest, InternalRpc};

use std::sync::Arc;

use crate::dispatch::RequestCtx;
use crate::rpc::{BoxFuture, RpcResponse};
use crate::{RpcError, Server};

/// The serf user-event name prefix Consul puts before every user event's name.
pub const USER_EVENT_PREFIX: &str = "consul:event:";

/// Where a server sends the user events it fires: the agent's LAN pool.
pub trait UserEventSink: Send + Sync {
    /// Broadcast serf user event `name` with `payload` (never coalesced); the error is the
    /// text Consul answers (e.g. serf's size limit).
    fn send(&self, name: String, payload: Vec<u8>) -> BoxFuture<Result<(), String>>;
}

/// The installed sink, shared by clones of a [`Server`].
pub type SharedSink = Arc<dyn UserEventSink>;

/// Serve one `Internal.*` call (routed here by the dispatcher).
pub(crate) async fn serve(
    server: &Server,
    _ctx: &RequestCtx,
    req: InternalRpc,
) -> Result<RpcResponse, RpcError> {
    match req {
        InternalRpc::EventFire(r) => {
            event_fire(server, r).await?;
            Ok(RpcResponse::Empty)
        }
    }
}

/// Fire `req` on the LAN pool as `consul:event:<name>`.
pub async fn event_fire(server: &Server, req: EventFireRequest) -> Result<(), RpcError> {
    let sink = server
        .user_event_sink()
        .ok_or_else(|| RpcError::Internal("LAN pool is not running".into()))?;
    let name = format!("{USER_EVENT_PREFIX}{}", req.name);
    sink.send(name, req.payload)
        .await
        .map_err(RpcError::Internal)
}
