//! `consul_raft::Transport` over the server port: Raft requests travel on dedicated
//! `RPCRaft` connections from a [`ConnPool`] (or, optionally, as [`RpcRequest::Raft`] on the
//! multiplexed connection).

use std::net::SocketAddr;
use std::time::Duration;

use consul_raft::{
    AppendEntriesRequest, AppendEntriesResponse, BoxFuture, InstallSnapshotRequestFull, NodeId,
    SnapshotResponse, Transport, TransportError, VoteRequest, VoteResponse,
};

use super::error::CallError;
use super::pool::ConnPool;
use super::raft::{RaftReply, RaftRpc};
use super::request::RpcRequest;

/// Which connections Raft traffic uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RaftChannel {
    /// Dedicated `RPCRaft` connections, as Consul (no head-of-line blocking behind RPCs).
    #[default]
    Dedicated,
    /// Streams of the multiplexed RPC connection.
    Multiplexed,
}

/// Timeouts of the Raft transport.
#[derive(Debug, Clone)]
pub struct RaftTransportConfig {
    /// AppendEntries and RequestVote timeout (keep it near the election timeout).
    pub rpc_timeout: Duration,
    /// Whole-snapshot timeout.
    pub snapshot_timeout: Duration,
    /// Which connections to use.
    pub channel: RaftChannel,
}

impl Default for RaftTransportConfig {
    fn default() -> Self {
        RaftTransportConfig {
            rpc_timeout: Duration::from_secs(2),
            snapshot_timeout: Duration::from_secs(60),
            channel: RaftChannel::Dedicated,
        }
    }
}

/// The Raft transport of a server. Cheap to clone.
#[derive(Clone)]
pub struct RpcTransport {
    pool: ConnPool,
    cfg: RaftTransportConfig,
}

impl RpcTransport {
    /// A transport sending through `pool`.
    pub fn new(pool: ConnPool, cfg: RaftTransportConfig) -> RpcTransport {
        RpcTransport { pool, cfg }
    }

    fn send(
        &self,
        target: NodeId,
        addr: &str,
        req: RaftRpc,
        timeout: Duration,
    ) -> BoxFuture<Result<RaftReply, TransportError>> {
        let pool = self.pool.clone();
        let channel = self.cfg.channel;
        let addr = addr.parse::<SocketAddr>();
        Box::pin(async move {
            let addr = addr.map_err(|e| {
                TransportError::Unreachable(format!("bad address of server {target}: {e}"))
            })?;
            let reply = match channel {
                RaftChannel::Dedicated => pool.raft_call(addr, &req, timeout).await,
                RaftChannel::Multiplexed => pool
                    .call(addr, &RpcRequest::Raft(req), timeout)
                    .await
                    .and_then(|r| r.into_raft()),
            };
            reply.map_err(|e| match e {
                CallError::Remote(e) => TransportError::Remote(e.to_string()),
                other => TransportError::Unreachable(other.to_string()),
            })
        })
    }
}

fn unexpected<T>(what: &str, got: RaftReply) -> Result<T, TransportError> {
    Err(TransportError::Remote(format!(
        "expected {what} reply, got {got:?}"
    )))
}

impl Transport for RpcTransport {
    fn append_entries(
        &self,
        target: NodeId,
        addr: &str,
        req: AppendEntriesRequest,
    ) -> BoxFuture<Result<AppendEntriesResponse, TransportError>> {
        let f = self.send(
            target,
            addr,
            RaftRpc::AppendEntries(req),
            self.cfg.rpc_timeout,
        );
        Box::pin(async move {
            match f.await? {
                RaftReply::AppendEntries(r) => Ok(r),
                other => unexpected("AppendEntries", other),
            }
        })
    }

    fn vote(
        &self,
        target: NodeId,
        addr: &str,
        req: VoteRequest,
    ) -> BoxFuture<Result<VoteResponse, TransportError>> {
        let f = self.send(target, addr, RaftRpc::Vote(req), self.cfg.rpc_timeout);
        Box::pin(async move {
            match f.await? {
                RaftReply::Vote(r) => Ok(r),
                other => unexpected("Vote", other),
            }
        })
    }

    fn install_snapshot(
        &self,
        target: NodeId,
        addr: &str,
        req: InstallSnapshotRequestFull,
    ) -> BoxFuture<Result<SnapshotResponse, TransportError>> {
        let f = self.send(
            target,
            addr,
            RaftRpc::InstallSnapshot(req),
            self.cfg.snapshot_timeout,
        );
        Box::pin(async move {
            match f.await? {
                RaftReply::InstallSnapshot(r) => Ok(r),
                other => unexpected("InstallSnapshot", other),
            }
        })
    }

    fn timeout_now(&self, target: NodeId, addr: &str) -> BoxFuture<Result<(), TransportError>> {
        let f = self.send(target, addr, RaftRpc::TimeoutNow, self.cfg.rpc_timeout);
        Box::pin(async move {
            match f.await? {
                RaftReply::TimeoutNow => Ok(()),
                other => unexpected("TimeoutNow", other),
            }
        })
    }
}
