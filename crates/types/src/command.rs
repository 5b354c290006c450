//! The Raft log's command: one variant per area operation, encoded behind a
//! header byte so the log can evolve without breaking old entries.
//!
//! The header's low seven bits are the format version; its top bit
//! ([`IGNORABLE_FLAG`], Consul's `IgnoreUnknownTypeFlag`) marks a command an
//! older server may skip when it cannot decode it. Without the flag, a server
//! that cannot decode a command must stop applying: skipping it would make it
//! diverge from the servers that did apply it.

use serde::{Deserialize, Serialize};

use crate::acl::AclRequest;
use crate::catalog::{DeregisterRequest, RegisterRequest};
use crate::kv::KvRequest;
use crate::session::SessionRequest;
use crate::txn::TxnRequest;

pub use crate::command_result::{CommandError, CommandResult, TxnOpError, TxnOpResult, TxnResult};

/// Version byte written before every encoded command.
pub const COMMAND_FORMAT_V1: u8 = 1;

/// Header bit: a server that cannot decode this command may skip it.
pub const IGNORABLE_FLAG: u8 = 0x80;

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
    /// A no-op a new leader commits before any other write (Consul's Raft
    /// barrier): it changes no state, only takes an index.
    Barrier,
    /// Session create or destroy (type 3).
    Session(SessionRequest),
    /// A transaction: all its operations apply, or none (type 8).
    Txn(TxnRequest),
    /// An ACL bootstrap, token, policy or role write (Consul types 9, 17–22).
    Acl(AclRequest),
    /// The autopilot configuration (Consul type 10); answers whether it was
    /// stored (`false`: a `cas` that did not match).
    Autopilot(crate::autopilot::AutopilotSetRequest),
    /// Replace the whole state with a snapshot archive's image
    /// (`PUT /v1/snapshot`): every server applies it at the same index, so
    /// the cluster switches atomically. Consul installs it through Raft's own
    /// snapshot restore instead; one log entry is the same switch for us.
    SnapshotRestore {
        /// The state store image (`state.bin`), already verified by the leader.
        image: bytes::Bytes,
    },
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
    /// Whether servers that do not know this command may skip it (the
    /// header's [`IGNORABLE_FLAG`]). Only for a command whose loss cannot
    /// make servers disagree about state they serve; none so far.
    pub fn ignorable(&self) -> bool {
        match self {
            Command::Register(_)
            | Command::Deregister(_)
            | Command::Kv(_)
            | Command::TombstoneReap { .. }
            | Command::Txn(_) => false,
            // It changes no state: a server that does not know it loses nothing.
            Command::Barrier => true,
            Command::Session(_) | Command::Acl(_) | Command::Autopilot(_) => false,
            // A server that skipped it would serve the old state.
            Command::SnapshotRestore { .. } => false,
        }
    }

    /// Encode as header byte (version, plus [`IGNORABLE_FLAG`] when
    /// [`Command::ignorable`]) + msgpack (named fields).
    pub fn encode(&self) -> Vec<u8> {
        let flag = if self.ignorable() { IGNORABLE_FLAG } else { 0 };
        let mut out = vec![COMMAND_FORMAT_V1 | flag];
        // Serializing plain data into a Vec cannot fail.
        rmp_serde::encode::write_named(&mut out, self).expect("command encodes");
        out
    }

    /// Decode an entry written by [`Command::encode`] (the header's
    /// [`IGNORABLE_FLAG`] does not change how it decodes).
    pub fn decode(bytes: &[u8]) -> Result<Self, CommandDecodeError> {
        match bytes.split_first() {
            None => Err(CommandDecodeError::Empty),
            Some((&h, body)) if h & !IGNORABLE_FLAG == COMMAND_FORMAT_V1 => {
                rmp_serde::from_slice(body)
                    .map_err(|e| CommandDecodeError::Malformed(e.to_string()))
            }
            Some((&h, _)) => Err(CommandDecodeError::UnknownVersion(h & !IGNORABLE_FLAG)),
        }
    }

    /// Whether an encoded command's header marks it ignorable, whatever its
    /// version or body (for a command this server cannot decode).
    pub fn marked_ignorable(bytes: &[u8]) -> bool {
        bytes.first().is_some_and(|h| h & IGNORABLE_FLAG != 0)
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
    fn a_transaction_round_trips_in_one_entry() {
        use crate::txn::{CatalogVerb, KvVerb, TxnKvOp, TxnNodeOp, TxnOp};
        let cmd = Command::Txn(TxnRequest {
            ops: vec![
                TxnOp::Kv(TxnKvOp {
                    verb: KvVerb::DeleteCas,
                    dir_ent: DirEntry {
                        key: "k".into(),
                        value: Some(bytes::Bytes::from_static(b"\x00v")),
                        modify_index: 4,
                        ..Default::default()
                    },
                }),
                TxnOp::Node(TxnNodeOp {
                    verb: CatalogVerb::Set,
                    node: crate::catalog::Node {
                        node: "n1".into(),
                        ..Default::default()
                    },
                }),
            ],
        });
        assert!(!cmd.ignorable(), "every server must apply a transaction");
        assert_eq!(Command::decode(&cmd.encode()).unwrap(), cmd);
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
    fn the_ignorable_flag_is_read_from_the_header_only() {
        let cmd = Command::TombstoneReap { index: 4 };
        let enc = cmd.encode();
        // No command so far may be skipped by a server that cannot decode it.
        assert!(!cmd.ignorable());
        assert!(!Command::marked_ignorable(&enc));
        // A future command, flagged by its (newer) writer.
        let mut flagged = enc.clone();
        flagged[0] |= IGNORABLE_FLAG;
        assert!(Command::marked_ignorable(&flagged));
        assert_eq!(Command::decode(&flagged).unwrap(), cmd);
        let unknown_body = [
            COMMAND_FORMAT_V1 | IGNORABLE_FLAG,
            0x81,
            0xa3,
            b'N',
            b'e',
            b'w',
            0xc0,
        ];
        assert!(Command::marked_ignorable(&unknown_body));
        assert!(matches!(
            Command::decode(&unknown_body),
            Err(CommandDecodeError::Malformed(_))
        ));
        assert!(matches!(
            Command::decode(&[9 | IGNORABLE_FLAG]),
            Err(CommandDecodeError::UnknownVersion(9))
        ));
        assert!(!Command::marked_ignorable(&[]));
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
