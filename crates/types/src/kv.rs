//! Key/value store types: the `DirEntry` Consul serves from `/v1/kv/`, and the
//! KV write request carried through Raft.

use bytes::Bytes;
use serde::{Deserialize, Serialize};

/// One key/value entry, serialized exactly as Consul's `structs.DirEntry`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DirEntry {
    /// How many times a session has acquired the lock on this key.
    pub lock_index: u64,
    /// The full key path, without a leading slash.
    pub key: String,
    /// Opaque client flags.
    pub flags: u64,
    /// The value (base64 in JSON; `null` when empty).
    #[serde(with = "crate::bytes_b64")]
    pub value: Option<Bytes>,
    /// The session holding the lock, if any.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub session: String,
    /// Raft index at which the key was created.
    pub create_index: u64,
    /// Raft index of the last change to the key.
    pub modify_index: u64,
}

impl DirEntry {
    /// Length of the stored value in bytes.
    pub fn value_len(&self) -> usize {
        self.value.as_ref().map_or(0, |v| v.len())
    }
}

/// The kind of KV write, as Consul's `api.KVOp`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum KvOp {
    /// Unconditional set.
    #[serde(rename = "set")]
    Set,
    /// Delete one key.
    #[serde(rename = "delete")]
    Delete,
    /// Delete only if `ModifyIndex` matches.
    #[serde(rename = "delete-cas")]
    DeleteCas,
    /// Delete every key under a prefix.
    #[serde(rename = "delete-tree")]
    DeleteTree,
    /// Set only if `ModifyIndex` matches (0 = only if absent).
    #[serde(rename = "cas")]
    Cas,
    /// Acquire the key's lock for `Session`.
    #[serde(rename = "lock")]
    Lock,
    /// Release the key's lock held by `Session`.
    #[serde(rename = "unlock")]
    Unlock,
}

/// A KV write as replicated through Raft (Consul's `structs.KVSRequest`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct KvRequest {
    /// What to do.
    pub op: KvOp,
    /// The entry: key, value, flags, session, and for CAS the expected `ModifyIndex`.
    pub dir_ent: DirEntry,
}
