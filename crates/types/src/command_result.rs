//! What applying a Raft command answered: typed outcomes, so that endpoints
//! map each kind of refusal to its own error (and HTTP status) instead of
//! one string that always becomes a 500.

use serde::{Deserialize, Serialize};

use crate::catalog::{HealthCheck, Node, NodeService};
use crate::kv::DirEntry;

/// What applying a command answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CommandResult {
    /// Nothing to report.
    Ok,
    /// A boolean outcome (KV set/CAS/lock answer `true`/`false`; `false` is
    /// not an error).
    Bool(bool),
    /// A transaction's outcome: per-operation results, or the errors of the
    /// operations that failed (then nothing was applied).
    Txn(TxnResult),
    /// The state store refused the command.
    Rejected(CommandError),
}

/// Why the state store refused a command. Each kind maps to its own
/// endpoint error; the message is shown to the client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum CommandError {
    /// Something the command names does not exist (HTTP 404).
    #[error("{0}")]
    NotFound(String),
    /// The command conflicts with the current state (HTTP 409).
    #[error("{0}")]
    Conflict(String),
    /// The command itself is invalid (HTTP 400).
    #[error("{0}")]
    Invalid(String),
    /// This server does not implement the command (HTTP 500).
    #[error("{0}")]
    Unsupported(String),
    /// Any other refusal (HTTP 500, as Consul answers its state store's errors).
    #[error("{0}")]
    Failed(String),
}

/// Outcome of a transaction, as Consul's `TxnResponse`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TxnResult {
    /// One result per operation that answers something, in order.
    pub results: Vec<TxnOpResult>,
    /// The operations that failed; non-empty means nothing was applied.
    pub errors: Vec<TxnOpError>,
}

/// One operation's result in a transaction. In JSON each is an object with
/// one member named for its kind (`{"KV": {...}}`, `{"Node": ...}`,
/// `{"Service": ...}`, `{"Check": ...}`), as Consul's `TxnResult`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TxnOpResult {
    /// A KV operation's entry (its value blanked unless the verb was `get`
    /// or `get-tree`).
    #[serde(rename = "KV")]
    Kv(DirEntry),
    /// A node operation's node.
    Node(Node),
    /// A service operation's service.
    Service(NodeService),
    /// A check operation's check.
    Check(HealthCheck),
}

/// One failed operation of a transaction (Consul's `TxnError`; JSON
/// `{"OpIndex": …, "What": …}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TxnOpError {
    /// Position of the operation in the request.
    pub op_index: usize,
    /// Why it failed.
    pub what: String,
}

impl CommandResult {
    /// Encode for the Raft response channel (named fields: some rows skip
    /// empty fields).
    pub fn encode(&self) -> Vec<u8> {
        rmp_serde::to_vec_named(self).expect("result encodes")
    }

    /// Decode a response; a malformed one is reported as a failure.
    pub fn decode(bytes: &[u8]) -> Self {
        rmp_serde::from_slice(bytes).unwrap_or_else(|e| {
            CommandResult::Rejected(CommandError::Failed(format!(
                "malformed command result: {e}"
            )))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_round_trip() {
        let all = [
            CommandResult::Ok,
            CommandResult::Bool(false),
            CommandResult::Txn(TxnResult {
                results: vec![TxnOpResult::Kv(DirEntry {
                    key: "k".into(),
                    modify_index: 3,
                    ..Default::default()
                })],
                errors: vec![TxnOpError {
                    op_index: 1,
                    what: "failed index check".into(),
                }],
            }),
            CommandResult::Rejected(CommandError::Conflict("held".into())),
        ];
        for r in all {
            assert_eq!(CommandResult::decode(&r.encode()), r);
        }
    }

    #[test]
    fn txn_results_and_errors_have_consuls_json_names() {
        let r = TxnOpResult::Kv(DirEntry {
            key: "k".into(),
            ..Default::default()
        });
        assert!(serde_json::to_string(&r).unwrap().starts_with(r#"{"KV":{"#));
        let e = TxnOpError {
            op_index: 2,
            what: "no".into(),
        };
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"OpIndex":2,"What":"no"}"#
        );
    }

    #[test]
    fn a_malformed_result_is_a_failure_not_a_panic() {
        assert!(matches!(
            CommandResult::decode(b"\xc1"),
            CommandResult::Rejected(CommandError::Failed(_))
        ));
    }
}
