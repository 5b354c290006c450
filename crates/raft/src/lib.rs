//! consul-raft: our wrapper around openraft 0.9 (storage-v2).
//!
//! Commands and responses are opaque bytes; the application supplies a [`StateMachine`] and a
//! [`Transport`]. The log lives in append-only segment files (`<data_dir>/raft/wal/`, group-committed
//! `fdatasync`s) or in memory; snapshots are files under `<data_dir>/raft/snapshots/`.
//!
//! Concurrent [`RaftNode::write`]s are group-committed into one log entry (a [`Batch`]); each
//! command still gets its own *application index* (1, 2, 3, … identical on every server and
//! across restarts), which is what [`StateMachine::apply`] and `write` report.

mod batcher;
mod config;
mod error;
mod log_store;
mod network;
mod node;
mod snapshot_format;
mod snapshot_store;
mod state_machine;
mod telemetry;
mod transfer;
pub mod types;

pub use config::RaftConfig;
pub use error::{RaftError, TransportError};
pub use log_store::LogStore;
pub use network::{BoxFuture, InstallSnapshotRequestFull, NoTransport, Transport};
pub use node::{RaftNode, RaftStats};
pub use state_machine::{ApplyError, StateMachine, StateMachineStore};
pub use types::{
    AppendEntriesRequest, AppendEntriesResponse, Batch, BatchResponse, Metrics, NodeId,
    SnapshotResponse, TypeConfig, VoteRequest, VoteResponse,
};
