//! The Raft log's command: one variant per area operation, encoded with a
//! format-version byte so the log can evolve without breaking old entries.

use serde::{Deserialize, Serialize};

use crate::catalog::{DeregisterRequest, RegisterRequest};
use crate::kv::KvRequest;

/// Version byte written before every encoded command.
pub const COMMAND_FORMAT_V1: u8 = 1;

/// A state change replicated through Raft and applied by the FSM at its log index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Command {
    /// Catalog registration (Consul message type 0).
    Register(RegisterRequest),
    /// Catalog deregistration (type 1).
    Deregister(DeregisterRequest),
    /// KV write (type 2).
    Kv(KvRequest),
    /// Drop KV tombstones at or below an index (type 5).
    TombstoneReap {
        /// Reap tombstones whose index is ≤ this.
        index: u64,
    },
}

/// What applying a command answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CommandResult {
    /// Nothing to report.
    Ok,
    /// A boolean outcome (KV set/CAS/lock answers `true`/`false`).
    Bool(bool),
    /// The command was rejected; the message is shown to the client.
    Error(String),
}

/// Why a log entry could not be decoded.
#[derive(Debug, thiserror::Error)]
pub enum CommandDecodeError {
    /// The entry is empty.
    #[error("empty command")]
    Empty,
    /// The version byte is unknown.
    #[error("unknown command format version {0}")]
    UnknownVersion(u8),
    /// The body does not decode.
    #[error("malformed command: {0}")]
    Malformed(String),
}

impl Command {
    /// Encode as version byte + msgpack (named fields).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = vec![COMMAND_FORMAT_V1];
        // Serializing plain data into a Vec cannot fail.
        rmp_serde::encode::write_named(&mut out, self).expect("command encodes");
        out
    }

    /// Decode an entry written by [`Command::encode`].
    pub fn decode(bytes: &[u8]) -> Result<Self, CommandDecodeError> {
        match bytes.split_first() {
            None => Err(CommandDecodeError::Empty),
            Some((&COMMAND_FORMAT_V1, body)) => rmp_serde::from_slice(body)
                .map_err(|e| CommandDecodeError::Malformed(e.to_string())),
            Some((&v, _)) => Err(CommandDecodeError::UnknownVersion(v)),
        }
    }
}

impl CommandResult {
    /// Encode for the Raft response channel.
    pub fn encode(&self) -> Vec<u8> {
        rmp_serde::to_vec(self).expect("result encodes")
    }

    /// Decode a response; a malformed one is reported as an error result.
    pub fn decode(bytes: &[u8]) -> Self {
        rmp_serde::from_slice(bytes).unwrap_or_else(|e| CommandResult::Error(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kv::{DirEntry, KvOp};

    #[test]
    fn command_round_trips_with_binary_value() {
        let cmd = Command::Kv(KvRequest {
            op: KvOp::Cas,
            dir_ent: DirEntry {
                key: "a/b".into(),
                value: Some(bytes::Bytes::from_static(b"\x00\xffhi")),
                modify_index: 7,
                ..Default::default()
            },
        });
        let enc = cmd.encode();
        assert_eq!(enc[0], COMMAND_FORMAT_V1);
        assert_eq!(Command::decode(&enc).unwrap(), cmd);
    }

    #[test]
    fn unknown_version_is_rejected() {
        assert!(matches!(
            Command::decode(&[9, 1, 2]),
            Err(CommandDecodeError::UnknownVersion(9))
        ));
        assert!(matches!(
            Command::decode(&[]),
            Err(CommandDecodeError::Empty)
        ));
    }

    #[test]
    fn dir_entry_json_matches_consul() {
        let e = DirEntry {
            key: "k".into(),
            value: Some(bytes::Bytes::from_static(b"bar")),
            create_index: 5,
            modify_index: 6,
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"LockIndex":0,"Key":"k","Flags":0,"Value":"YmFy","CreateIndex":5,"ModifyIndex":6}"#
        );
        let empty = DirEntry {
            key: "k".into(),
            ..Default::default()
        };
        assert!(serde_json::to_string(&empty)
            .unwrap()
            .contains(r#""Value":null"#));
        let back: DirEntry =
            serde_json::from_str(r#"{"Key":"k","Value":"YmFy","Flags":3}"#).unwrap();
        assert_eq!(back.value.as_deref(), Some(&b"bar"[..]));
        assert_eq!(back.flags, 3);
    }
}
