//! Raft messages between servers and the server-side slot that routes them to the local
//! [`RaftNode`].

use std::sync::{Arc, RwLock};

use consul_raft::{
    AppendEntriesRequest, AppendEntriesResponse, InstallSnapshotRequestFull, RaftNode,
    SnapshotResponse, VoteRequest, VoteResponse,
};
use serde::{Deserialize, Serialize};

use super::error::WireError;

/// A Raft request (the frame body on an `RPCRaft` connection, or inside
/// [`super::RpcRequest::Raft`] on a multiplexed stream).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum RaftRpc {
    /// AppendEntries (also heartbeats).
    AppendEntries(AppendEntriesRequest),
    /// RequestVote.
    Vote(VoteRequest),
    /// A whole snapshot.
    InstallSnapshot(InstallSnapshotRequestFull),
    /// Campaign now: the last step of a leadership transfer (hashicorp/raft's TimeoutNow).
    TimeoutNow,
}

/// Raft traffic names no datacenter and no token, and is never forwarded to the leader.
impl super::RequestInfo for RaftRpc {
    fn datacenter(&self) -> &str {
        ""
    }

    fn token(&self) -> &super::Token {
        super::Token::none()
    }

    fn needs_leader(&self) -> bool {
        false
    }
}

/// The answer to a [`RaftRpc`].
#[derive(Debug, Serialize, Deserialize)]
pub enum RaftReply {
    /// Answer to AppendEntries.
    AppendEntries(AppendEntriesResponse),
    /// Answer to RequestVote.
    Vote(VoteResponse),
    /// Answer to InstallSnapshot.
    InstallSnapshot(SnapshotResponse),
    /// The election was started.
    TimeoutNow,
}

/// Where incoming Raft requests go: empty until the server's [`RaftNode`] is started
/// (the listener must exist first, so that the node knows its address). Cheap to clone.
#[derive(Clone, Default)]
pub struct RaftSlot {
    node: Arc<RwLock<Option<RaftNode>>>,
}

impl RaftSlot {
    /// Routes Raft requests to `node` from now on.
    pub fn set(&self, node: RaftNode) {
        *self.node.write().unwrap_or_else(|e| e.into_inner()) = Some(node);
    }

    /// Stops routing Raft requests (they are answered with an error).
    pub fn clear(&self) {
        *self.node.write().unwrap_or_else(|e| e.into_inner()) = None;
    }

    fn get(&self) -> Option<RaftNode> {
        self.node.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Hands `req` to the local Raft node.
    pub async fn dispatch(&self, req: RaftRpc) -> Result<RaftReply, WireError> {
        let Some(node) = self.get() else {
            return Err(WireError {
                kind: "Internal".into(),
                message: "raft is not running on this server".into(),
            });
        };
        let internal = |e: consul_raft::RaftError| WireError {
            kind: "Internal".into(),
            message: e.to_string(),
        };
        match req {
            RaftRpc::AppendEntries(r) => node
                .handle_append_entries(r)
                .await
                .map(RaftReply::AppendEntries)
                .map_err(internal),
            RaftRpc::Vote(r) => node
                .handle_vote(r)
                .await
                .map(RaftReply::Vote)
                .map_err(internal),
            RaftRpc::InstallSnapshot(r) => node
                .handle_install_snapshot(r)
                .await
                .map(RaftReply::InstallSnapshot)
                .map_err(internal),
            RaftRpc::TimeoutNow => node
                .handle_timeout_now()
                .await
                .map(|()| RaftReply::TimeoutNow)
                .map_err(internal),
        }
    }
}
