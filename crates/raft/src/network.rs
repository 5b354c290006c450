//! The pluggable transport between servers, and its adapter to openraft's network traits.

use std::future::Future;
use std::io::Cursor;
use std::pin::Pin;
use std::sync::Arc;

use openraft::error::{
    Fatal, InstallSnapshotError, NetworkError, RPCError, RaftError as ORaftError,
    ReplicationClosed, StreamingError, Unreachable,
};
use openraft::network::{RPCOption, RaftNetwork, RaftNetworkFactory};
use openraft::raft::{InstallSnapshotRequest, InstallSnapshotResponse};
use openraft::Snapshot;
use serde::{Deserialize, Serialize};

use crate::types::{
    AppendEntriesRequest, AppendEntriesResponse, Node, NodeId, SnapshotMeta, SnapshotResponse,
    TypeConfig, Vote, VoteRequest, VoteResponse,
};
use crate::TransportError;

/// A boxed, sendable future (keeps [`Transport`] object-safe).
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// A whole snapshot sent in one message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstallSnapshotRequestFull {
    /// The leader's vote.
    pub vote: Vote,
    /// Snapshot metadata.
    pub meta: SnapshotMeta,
    /// Snapshot bytes (opaque; pass them to [`crate::RaftNode::handle_install_snapshot`]).
    #[serde(with = "serde_bytes")]
    pub data: Vec<u8>,
}

/// How a server reaches its peers. The receiving side hands each request to the matching
/// `RaftNode::handle_*` method and sends its result back. Requests and responses are serde
/// types; encode them however you like.
pub trait Transport: Send + Sync + 'static {
    /// Sends AppendEntries (also heartbeats) to `target` at `addr`.
    fn append_entries(
        &self,
        target: NodeId,
        addr: &str,
        req: AppendEntriesRequest,
    ) -> BoxFuture<Result<AppendEntriesResponse, TransportError>>;
    /// Sends RequestVote.
    fn vote(
        &self,
        target: NodeId,
        addr: &str,
        req: VoteRequest,
    ) -> BoxFuture<Result<VoteResponse, TransportError>>;
    /// Sends a whole snapshot.
    fn install_snapshot(
        &self,
        target: NodeId,
        addr: &str,
        req: InstallSnapshotRequestFull,
    ) -> BoxFuture<Result<SnapshotResponse, TransportError>>;
    /// Asks `target` to start an election at once (a leadership transfer's
    /// last step; the receiver calls [`crate::RaftNode::handle_timeout_now`]).
    /// A transport that cannot reach peers answers `Unreachable`.
    fn timeout_now(&self, target: NodeId, addr: &str) -> BoxFuture<Result<(), TransportError>> {
        let _ = addr;
        Box::pin(async move {
            Err(TransportError::Unreachable(format!(
                "no transport to {target}"
            )))
        })
    }
}

/// A transport that reaches nobody: for a single server (`-dev`).
#[derive(Debug, Default, Clone, Copy)]
pub struct NoTransport;

impl Transport for NoTransport {
    fn append_entries(
        &self,
        target: NodeId,
        _: &str,
        _: AppendEntriesRequest,
    ) -> BoxFuture<Result<AppendEntriesResponse, TransportError>> {
        Box::pin(async move {
            Err(TransportError::Unreachable(format!(
                "no transport to {target}"
            )))
        })
    }
    fn vote(
        &self,
        target: NodeId,
        _: &str,
        _: VoteRequest,
    ) -> BoxFuture<Result<VoteResponse, TransportError>> {
        Box::pin(async move {
            Err(TransportError::Unreachable(format!(
                "no transport to {target}"
            )))
        })
    }
    fn install_snapshot(
        &self,
        target: NodeId,
        _: &str,
        _: InstallSnapshotRequestFull,
    ) -> BoxFuture<Result<SnapshotResponse, TransportError>> {
        Box::pin(async move {
            Err(TransportError::Unreachable(format!(
                "no transport to {target}"
            )))
        })
    }
}

/// openraft's network factory over a [`Transport`].
pub(crate) struct NetworkFactory(pub(crate) Arc<dyn Transport>);

/// openraft's per-target client.
pub(crate) struct Network {
    transport: Arc<dyn Transport>,
    target: NodeId,
    addr: String,
}

impl RaftNetworkFactory<TypeConfig> for NetworkFactory {
    type Network = Network;

    async fn new_client(&mut self, target: NodeId, node: &Node) -> Self::Network {
        Network {
            transport: self.0.clone(),
            target,
            addr: node.addr.clone(),
        }
    }
}

fn rpc_err<E: std::error::Error>(e: TransportError) -> RPCError<NodeId, Node, E> {
    match e {
        TransportError::Unreachable(_) => RPCError::Unreachable(Unreachable::new(&e)),
        TransportError::Remote(_) => RPCError::Network(NetworkError::new(&e)),
    }
}

impl RaftNetwork<TypeConfig> for Network {
    async fn append_entries(
        &mut self,
        rpc: AppendEntriesRequest,
        _option: RPCOption,
    ) -> Result<AppendEntriesResponse, RPCError<NodeId, Node, ORaftError<NodeId>>> {
        self.transport
            .append_entries(self.target, &self.addr, rpc)
            .await
            .map_err(rpc_err)
    }

    async fn install_snapshot(
        &mut self,
        _rpc: InstallSnapshotRequest<TypeConfig>,
        _option: RPCOption,
    ) -> Result<
        InstallSnapshotResponse<NodeId>,
        RPCError<NodeId, Node, ORaftError<NodeId, InstallSnapshotError>>,
    > {
        // Snapshots always go whole through `full_snapshot`.
        Err(RPCError::Unreachable(Unreachable::new(
            &TransportError::Remote("chunked snapshots are not supported".into()),
        )))
    }

    async fn vote(
        &mut self,
        rpc: VoteRequest,
        _option: RPCOption,
    ) -> Result<VoteResponse, RPCError<NodeId, Node, ORaftError<NodeId>>> {
        self.transport
            .vote(self.target, &self.addr, rpc)
            .await
            .map_err(rpc_err)
    }

    async fn full_snapshot(
        &mut self,
        vote: Vote,
        snapshot: Snapshot<TypeConfig>,
        cancel: impl Future<Output = ReplicationClosed> + Send + 'static,
        _option: RPCOption,
    ) -> Result<SnapshotResponse, StreamingError<TypeConfig, Fatal<NodeId>>> {
        let req = InstallSnapshotRequestFull {
            vote,
            meta: snapshot.meta,
            data: Cursor::into_inner(*snapshot.snapshot),
        };
        let send = self
            .transport
            .install_snapshot(self.target, &self.addr, req);
        tokio::select! {
            closed = cancel => Err(StreamingError::Closed(closed)),
            res = send => res.map_err(|e| match e {
                TransportError::Unreachable(_) => StreamingError::Unreachable(Unreachable::new(&e)),
                TransportError::Remote(_) => StreamingError::Network(NetworkError::new(&e)),
            }),
        }
    }
}
