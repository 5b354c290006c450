//! What the snapshot area accepts (Consul's `structs.SnapshotRequest`, its
//! `Op` split into two calls).

use bytes::Bytes;
use serde::{Deserialize, Serialize};

use crate::rpc::args::DcSpecificRequest;
use crate::rpc::{RequestInfo, Token, WireQueryOptions};

/// `Snapshot.*` calls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SnapshotRpc {
    /// Save: the whole state as an archive (answers `Snapshot`); from the
    /// leader unless `AllowStale`.
    Save(DcSpecificRequest),
    /// Restore an archive on the leader, and through Raft on every server
    /// (answers `Empty`).
    Restore(SnapshotRestoreRequest),
}

/// Restore a snapshot archive.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct SnapshotRestoreRequest {
    /// Target datacenter.
    pub datacenter: String,
    /// ACL token.
    pub token: Token,
    /// The archive as the client sent it (verified by the leader).
    pub archive: Bytes,
}

impl std::fmt::Debug for SnapshotRestoreRequest {
    /// Without the archive's bytes (requests are traced whole).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SnapshotRestoreRequest")
            .field("datacenter", &self.datacenter)
            .field("token", &self.token)
            .field("archive_len", &self.archive.len())
            .finish()
    }
}

impl RequestInfo for SnapshotRestoreRequest {
    fn datacenter(&self) -> &str {
        &self.datacenter
    }

    fn token(&self) -> &Token {
        &self.token
    }
}

impl RequestInfo for SnapshotRpc {
    fn datacenter(&self) -> &str {
        match self {
            SnapshotRpc::Save(r) => r.datacenter(),
            SnapshotRpc::Restore(r) => r.datacenter(),
        }
    }

    fn token(&self) -> &Token {
        match self {
            SnapshotRpc::Save(r) => r.token(),
            SnapshotRpc::Restore(r) => r.token(),
        }
    }

    fn query_options(&self) -> Option<&WireQueryOptions> {
        match self {
            SnapshotRpc::Save(r) => r.query_options(),
            SnapshotRpc::Restore(_) => None,
        }
    }
}
