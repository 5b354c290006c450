//! The openraft type configuration: what one log entry carries and what applying it returns.

use std::fmt;
use std::io::Cursor;

use serde::{Deserialize, Serialize};
use serde_bytes::ByteBuf;

/// Raft node id (Consul servers map their node id onto this).
pub type NodeId = u64;

/// Node description stored in the membership config: just the RPC address.
pub type Node = openraft::BasicNode;

/// A group-committed batch of opaque application commands: one Raft log entry.
///
/// Each command gets its own application index when applied (see [`crate::StateMachine`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Batch {
    /// The commands, applied in order.
    pub commands: Vec<ByteBuf>,
}

impl fmt::Display for Batch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Batch({} commands)", self.commands.len())
    }
}

/// What applying one log entry returned: `(application index, response)` per command.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchResponse {
    /// One element per command of the entry, in order.
    pub results: Vec<(u64, ByteBuf)>,
}

openraft::declare_raft_types!(
    /// Type configuration of our Raft group.
    pub TypeConfig:
        D = Batch,
        R = BatchResponse,
        NodeId = NodeId,
        Node = Node,
        Entry = openraft::Entry<TypeConfig>,
        SnapshotData = Cursor<Vec<u8>>,
        AsyncRuntime = openraft::TokioRuntime,
);

/// A Raft log entry.
pub type Entry = openraft::Entry<TypeConfig>;
/// A Raft log id (term, leader, index).
pub type LogId = openraft::LogId<NodeId>;
/// A persisted vote.
pub type Vote = openraft::Vote<NodeId>;
/// Storage error as openraft expects it.
pub type StorageError = openraft::StorageError<NodeId>;
/// Membership as recorded by the state machine.
pub type StoredMembership = openraft::StoredMembership<NodeId, Node>;
/// Snapshot metadata.
pub type SnapshotMeta = openraft::SnapshotMeta<NodeId, Node>;
/// AppendEntries request carried by a [`crate::Transport`].
pub type AppendEntriesRequest = openraft::raft::AppendEntriesRequest<TypeConfig>;
/// AppendEntries response.
pub type AppendEntriesResponse = openraft::raft::AppendEntriesResponse<NodeId>;
/// RequestVote request.
pub type VoteRequest = openraft::raft::VoteRequest<NodeId>;
/// RequestVote response.
pub type VoteResponse = openraft::raft::VoteResponse<NodeId>;
/// Response to a full-snapshot install.
pub type SnapshotResponse = openraft::raft::SnapshotResponse<NodeId>;
/// Raft metrics as openraft publishes them.
pub type Metrics = openraft::RaftMetrics<NodeId, Node>;
/// The underlying openraft handle.
pub type Raft = openraft::Raft<TypeConfig>;
