//! Transaction operations (`PUT /v1/txn`) as they travel through Raft
//! (Consul's `structs.TxnOp`): one KV, node, service or check operation each,
//! with its verb already checked. The HTTP body format (`api.TxnOp`) and its
//! parser are in [`body`].

pub mod body;

use serde::{Deserialize, Serialize};

use crate::catalog::{HealthCheck, Node, NodeService};
use crate::kv::DirEntry;

/// A KV verb (Consul's `api.KVOp`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum KvVerb {
    /// `set`: store unconditionally.
    Set,
    /// `cas`: store if `Index` matches (0 = only if absent).
    Cas,
    /// `lock`: store and acquire the key for `Session`.
    Lock,
    /// `unlock`: store and release the key held by `Session`.
    Unlock,
    /// `get`: read one key (fails if missing).
    Get,
    /// `get-tree`: read every key under a prefix.
    GetTree,
    /// `check-index`: fail unless the key's `ModifyIndex` is `Index`.
    CheckIndex,
    /// `check-session`: fail unless `Session` holds the key.
    CheckSession,
    /// `check-not-exists`: fail if the key exists.
    CheckNotExists,
    /// `delete`: delete one key.
    Delete,
    /// `delete-tree`: delete every key under a prefix.
    DeleteTree,
    /// `delete-cas`: delete if `Index` matches.
    DeleteCas,
}

impl KvVerb {
    /// Every verb with its wire name.
    pub const ALL: [(KvVerb, &'static str); 12] = [
        (KvVerb::Set, "set"),
        (KvVerb::Cas, "cas"),
        (KvVerb::Lock, "lock"),
        (KvVerb::Unlock, "unlock"),
        (KvVerb::Get, "get"),
        (KvVerb::GetTree, "get-tree"),
        (KvVerb::CheckIndex, "check-index"),
        (KvVerb::CheckSession, "check-session"),
        (KvVerb::CheckNotExists, "check-not-exists"),
        (KvVerb::Delete, "delete"),
        (KvVerb::DeleteTree, "delete-tree"),
        (KvVerb::DeleteCas, "delete-cas"),
    ];

    /// The verb named `name` (exactly, as Consul compares).
    pub fn parse(name: &str) -> Option<KvVerb> {
        Self::ALL.iter().find(|(_, n)| *n == name).map(|(v, _)| *v)
    }

    /// Whether the verb changes the state store (Consul's `isWrite`).
    pub fn is_write(self) -> bool {
        matches!(
            self,
            KvVerb::Set
                | KvVerb::Cas
                | KvVerb::Lock
                | KvVerb::Unlock
                | KvVerb::Delete
                | KvVerb::DeleteTree
                | KvVerb::DeleteCas
        )
    }
}

/// A node, service or check verb (Consul's `api.NodeOp`, `ServiceOp`, `CheckOp`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CatalogVerb {
    /// `get`: read it (fails if missing).
    Get,
    /// `set`: register or update it.
    Set,
    /// `cas`: register or update it if `ModifyIndex` matches (0 = only if absent).
    Cas,
    /// `delete`: remove it.
    Delete,
    /// `delete-cas`: remove it if `ModifyIndex` matches.
    DeleteCas,
}

impl CatalogVerb {
    /// Every verb with its wire name.
    pub const ALL: [(CatalogVerb, &'static str); 5] = [
        (CatalogVerb::Get, "get"),
        (CatalogVerb::Set, "set"),
        (CatalogVerb::Cas, "cas"),
        (CatalogVerb::Delete, "delete"),
        (CatalogVerb::DeleteCas, "delete-cas"),
    ];

    /// The verb named `name` (exactly).
    pub fn parse(name: &str) -> Option<CatalogVerb> {
        Self::ALL.iter().find(|(_, n)| *n == name).map(|(v, _)| *v)
    }

    /// Whether the verb changes the state store.
    pub fn is_write(self) -> bool {
        self != CatalogVerb::Get
    }
}

/// A KV operation: the verb and the entry it names (`Index` travels as the
/// entry's `ModifyIndex`, as in Consul's `TxnKVOp`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TxnKvOp {
    /// What to do.
    pub verb: KvVerb,
    /// Key, value, flags, session, and the expected `ModifyIndex`.
    pub dir_ent: DirEntry,
}

/// A node operation (`structs.TxnNodeOp`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TxnNodeOp {
    /// What to do.
    pub verb: CatalogVerb,
    /// The node (its `ModifyIndex` is the CAS index).
    pub node: Node,
}

/// A service operation (`structs.TxnServiceOp`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TxnServiceOp {
    /// What to do.
    pub verb: CatalogVerb,
    /// The node the service is on.
    pub node: String,
    /// The service (its `ModifyIndex` is the CAS index).
    pub service: NodeService,
}

/// A check operation (`structs.TxnCheckOp`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TxnCheckOp {
    /// What to do.
    pub verb: CatalogVerb,
    /// The check (its `Node` says where; its `ModifyIndex` is the CAS index).
    pub check: HealthCheck,
}

/// One operation of a transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TxnOp {
    /// A KV operation.
    Kv(TxnKvOp),
    /// A catalog node operation.
    Node(TxnNodeOp),
    /// A catalog service operation.
    Service(TxnServiceOp),
    /// A catalog check operation.
    Check(TxnCheckOp),
}

impl TxnOp {
    /// Whether the operation changes the state store.
    pub fn is_write(&self) -> bool {
        match self {
            TxnOp::Kv(op) => op.verb.is_write(),
            TxnOp::Node(op) => op.verb.is_write(),
            TxnOp::Service(op) => op.verb.is_write(),
            TxnOp::Check(op) => op.verb.is_write(),
        }
    }
}

/// A transaction as replicated through Raft: every operation applies, or
/// none does (Consul's `structs.TxnRequest` without its token).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TxnRequest {
    /// The operations, in order.
    pub ops: Vec<TxnOp>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbs_parse_by_their_exact_wire_names() {
        for (v, name) in KvVerb::ALL {
            assert_eq!(KvVerb::parse(name), Some(v));
        }
        for (v, name) in CatalogVerb::ALL {
            assert_eq!(CatalogVerb::parse(name), Some(v));
        }
        assert_eq!(KvVerb::parse("SET"), None);
        assert_eq!(CatalogVerb::parse("get-tree"), None);
    }

    #[test]
    fn reads_and_checks_are_not_writes() {
        let writes: Vec<&str> = KvVerb::ALL
            .iter()
            .filter(|(v, _)| v.is_write())
            .map(|(_, n)| *n)
            .collect();
        assert_eq!(
            writes,
            [
                "set",
                "cas",
                "lock",
                "unlock",
                "delete",
                "delete-tree",
                "delete-cas"
            ]
        );
        assert!(!CatalogVerb::Get.is_write());
        assert!(CatalogVerb::DeleteCas.is_write());
    }
}
