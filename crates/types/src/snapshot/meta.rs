//! `meta.json` of a snapshot archive: the fields of hashicorp/raft's
//! `SnapshotMeta` that Consul's tools read (`consul snapshot inspect`).

use serde::{Deserialize, Serialize};

/// The `Version` every archive's `meta.json` carries (hashicorp/raft's
/// snapshot version 1). The version of the state image inside `state.bin`
/// is separate: the state store reads and checks it.
pub const META_VERSION: u64 = 1;

/// What `meta.json` says about the snapshot.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct SnapshotMeta {
    /// Snapshot metadata version ([`META_VERSION`]).
    pub version: u64,
    /// `<term>-<index>-<unix ms>`, as hashicorp/raft names snapshots.
    #[serde(rename = "ID")]
    pub id: String,
    /// The index of the last write the snapshot includes (the index clients
    /// see in `X-Consul-Index`).
    pub index: u64,
    /// The Raft term it was taken in.
    pub term: u64,
    /// Length of `state.bin` in bytes.
    pub size: u64,
}

impl SnapshotMeta {
    /// The metadata of a snapshot of `size` bytes taken at `index` in `term`
    /// at `unix_ms`.
    pub fn new(index: u64, term: u64, size: u64, unix_ms: u128) -> SnapshotMeta {
        SnapshotMeta {
            version: META_VERSION,
            id: format!("{term}-{index}-{unix_ms}"),
            index,
            term,
            size,
        }
    }
}
