//! The server port: accepts connections, reads the first byte to pick the protocol
//! ([`RpcType`]), and serves multiplexed RPC streams and dedicated Raft connections.
//! Unknown or unsupported bytes close the connection.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

use super::error::{FrameError, WireError};
use super::frame::{self, DEFAULT_MAX_FRAME, MAX_RAFT_FRAME};
use super::handler::RpcHandler;
use super::mux::{self, MuxStream};
use super::protocol::RpcType;
use super::raft::{RaftReply, RaftRpc, RaftSlot};
use super::request::RpcRequest;
use super::response::RpcResponse;

/// Limits of the server port.
#[derive(Debug, Clone)]
pub struct ListenerConfig {
    /// Largest request frame on a multiplexed stream.
    pub max_frame: usize,
    /// Largest frame on a Raft connection.
    pub max_raft_frame: usize,
    /// How long a new connection may take to send its first byte.
    pub handshake_timeout: Duration,
}

impl Default for ListenerConfig {
    fn default() -> Self {
        ListenerConfig {
            max_frame: DEFAULT_MAX_FRAME,
            max_raft_frame: MAX_RAFT_FRAME,
            handshake_timeout: Duration::from_secs(10),
        }
    }
}

struct Ctx {
    handler: Arc<dyn RpcHandler>,
    raft: RaftSlot,
    cfg: ListenerConfig,
    cancel: CancellationToken,
}

/// A running server port. Dropping it (or [`RpcListener::shutdown`]) stops accepting and
/// closes every connection it accepted.
pub struct RpcListener {
    local_addr: SocketAddr,
    raft: RaftSlot,
    cancel: CancellationToken,
}

impl RpcListener {
    /// Binds `addr` and starts serving: non-Raft requests go to `handler`, Raft requests to
    /// [`RpcListener::raft_slot`] once a node is set there.
    pub async fn bind(
        addr: SocketAddr,
        handler: Arc<dyn RpcHandler>,
        cfg: ListenerConfig,
    ) -> std::io::Result<RpcListener> {
        let listener = TcpListener::bind(addr).await?;
        let local_addr = listener.local_addr()?;
        let cancel = CancellationToken::new();
        let raft = RaftSlot::default();
        let ctx = Arc::new(Ctx {
            handler,
            raft: raft.clone(),
            cfg,
            cancel: cancel.clone(),
        });
        tokio::spawn(accept_loop(listener, ctx));
        Ok(RpcListener {
            local_addr,
            raft,
            cancel,
        })
    }

    /// The bound address (useful after binding port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Where incoming Raft requests go; set the server's `RaftNode` here once started.
    pub fn raft_slot(&self) -> &RaftSlot {
        &self.raft
    }

    /// Stops accepting and closes every open connection.
    pub fn shutdown(&self) {
        self.cancel.cancel();
    }
}

impl Drop for RpcListener {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

async fn accept_loop(listener: TcpListener, ctx: Arc<Ctx>) {
    loop {
        let accepted = tokio::select! {
            _ = ctx.cancel.cancelled() => return,
            a = listener.accept() => a,
        };
        match accepted {
            Ok((sock, peer)) => {
                let ctx = ctx.clone();
                tokio::spawn(async move {
                    let cancel = ctx.cancel.clone();
                    tokio::select! {
                        _ = cancel.cancelled() => {}
                        _ = handle_conn(sock, peer, ctx) => {}
                    }
                });
            }
            Err(e) => {
                // Out of file descriptors and the like: back off instead of spinning.
                tracing::warn!("rpc: accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
}

async fn handle_conn(mut sock: TcpStream, peer: SocketAddr, ctx: Arc<Ctx>) {
    let _ = sock.set_nodelay(true);
    let mut first = [0u8; 1];
    match tokio::time::timeout(ctx.cfg.handshake_timeout, sock.read_exact(&mut first)).await {
        Ok(Ok(_)) => {}
        _ => return,
    }
    match RpcType::from_byte(first[0]) {
        Some(RpcType::MultiplexV2) => {
            let ctx2 = ctx.clone();
            mux::serve(sock, move |stream| {
                let ctx = ctx2.clone();
                tokio::spawn(async move {
                    let cancel = ctx.cancel.clone();
                    tokio::select! {
                        _ = cancel.cancelled() => {}
                        _ = serve_stream(stream, ctx) => {}
                    }
                });
            })
            .await
        }
        Some(RpcType::Raft) => serve_raft(sock, &ctx).await,
        other => {
            tracing::debug!(
                "rpc: closing connection from {peer}: unsupported first byte {} ({other:?})",
                first[0]
            );
        }
    }
}

fn bad_request(e: &FrameError) -> WireError {
    WireError {
        kind: "BadRequest".into(),
        message: e.to_string(),
    }
}

/// One call per stream: a request frame in, a response frame out, then close.
async fn serve_stream(mut stream: MuxStream, ctx: Arc<Ctx>) {
    // Acknowledge the stream now (an empty data frame carrying ACK), as Go's yamux does on
    // accept: the client may only have 256 unacknowledged streams, and a blocking query can
    // park for minutes before its first byte of answer.
    if stream.write(&[]).await.is_err() {
        return;
    }
    let reply: Result<RpcResponse, WireError> =
        match frame::read_frame::<_, RpcRequest>(&mut stream, ctx.cfg.max_frame).await {
            Ok(RpcRequest::Raft(r)) => ctx.raft.dispatch(r).await.map(RpcResponse::Raft),
            Ok(req) => {
                consul_telemetry::incr_counter(&["rpc", "request"], 1.0);
                ctx.handler
                    .handle(req)
                    .await
                    .map_err(|e| WireError::from(&e))
            }
            Err(e @ FrameError::Decode(_)) => Err(bad_request(&e)),
            Err(e) => {
                tracing::debug!("rpc: dropping stream: {e}");
                return;
            }
        };
    if let Err(e) = frame::write_frame(&mut stream, &reply).await {
        tracing::debug!("rpc: cannot answer: {e}");
        return;
    }
    let _ = stream.shutdown().await;
}

/// A dedicated Raft connection: request and response frames in turn until it closes.
async fn serve_raft(mut sock: TcpStream, ctx: &Ctx) {
    loop {
        let reply: Result<RaftReply, WireError> =
            match frame::read_frame::<_, RaftRpc>(&mut sock, ctx.cfg.max_raft_frame).await {
                Ok(req) => ctx.raft.dispatch(req).await,
                Err(e @ FrameError::Decode(_)) => Err(bad_request(&e)),
                Err(FrameError::Closed) => return,
                Err(e) => {
                    tracing::debug!("rpc: closing raft connection: {e}");
                    return;
                }
            };
        if frame::write_frame(&mut sock, &reply).await.is_err() {
            return;
        }
    }
}
