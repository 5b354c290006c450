//! Errors of the Raft layer.

use crate::types::NodeId;

/// An error from a [`crate::RaftNode`] operation.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum RaftError {
    /// This server is not the leader; `leader` is the known leader (id, address) if any.
    #[error("not the leader (leader: {leader:?})")]
    NotLeader {
        /// The current leader as (id, address), if known.
        leader: Option<(NodeId, String)>,
    },
    /// No leader is known (election in progress or no quorum).
    #[error("no cluster leader")]
    NoLeader,
    /// The log store, snapshot store or state machine failed.
    #[error("raft storage: {0}")]
    Storage(String),
    /// The node is shut down.
    #[error("raft is shut down")]
    Shutdown,
    /// A membership change was rejected.
    #[error("membership change: {0}")]
    Membership(String),
    /// The operation did not finish in time.
    #[error("timed out: {0}")]
    Timeout(String),
    /// Bad configuration or arguments.
    #[error("invalid: {0}")]
    Invalid(String),
    /// Any other openraft failure.
    #[error("raft: {0}")]
    Other(String),
}

/// An error from a [`crate::Transport`] call.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum TransportError {
    /// The target could not be reached (connection refused, timeout): openraft backs off.
    #[error("unreachable: {0}")]
    Unreachable(String),
    /// The target answered with an error.
    #[error("remote error: {0}")]
    Remote(String),
}

impl RaftError {
    /// Maps an openraft fatal error.
    pub(crate) fn from_fatal(f: &openraft::error::Fatal<NodeId>) -> Self {
        match f {
            openraft::error::Fatal::Stopped => RaftError::Shutdown,
            other => RaftError::Storage(other.to_string()),
        }
    }
}
