//! Transactions (`/v1/txn`, Consul's `state/txn.go`): a list of KV, node,
//! service and check operations run in one write transaction through the
//! same inner functions the single-object endpoints use (`kv.rs`,
//! `catalog.rs`, `catalog_txn.rs`). Every operation runs, collecting each
//! failure with its position; any failure means the caller must not commit
//! ([`crate::Store::txn_apply`] drops the transaction, so nothing applies).
//! Reads and checks see the writes of earlier operations.
//!
//! KV `lock` and `unlock` go through [`WriteTxn::kv_apply`], the sessions
//! area's lock rules. `check-session` only compares the key's `Session`, as
//! Consul's does.

use consul_types::command::{TxnOpError, TxnOpResult, TxnResult};
use consul_types::kv::{DirEntry, KvOp, KvRequest};
use consul_types::txn::{CatalogVerb, KvVerb, TxnCheckOp, TxnKvOp, TxnNodeOp, TxnOp, TxnServiceOp};

use crate::error::StateError;
use crate::table::Table;
use crate::txn::{ReadTxn, WriteTxn};
use crate::watch::WatchSet;

/// What one operation answers: its results (zero, one, or a tree's entries).
type OpOutcome = Result<Vec<TxnOpResult>, String>;

fn state_err(e: StateError) -> String {
    e.to_string()
}

/// A KV entry as a write's result: everything but the value.
fn without_value(mut e: DirEntry) -> TxnOpResult {
    e.value = None;
    TxnOpResult::Kv(e)
}

/// Collect every operation's outcome into Consul's response: all results,
/// or (when any failed) only the errors.
fn collect(outcomes: impl Iterator<Item = OpOutcome>) -> TxnResult {
    let mut out = TxnResult::default();
    for (op_index, outcome) in outcomes.enumerate() {
        match outcome {
            Ok(results) => out.results.extend(results),
            Err(what) => out.errors.push(TxnOpError { op_index, what }),
        }
    }
    if !out.errors.is_empty() {
        out.results.clear();
    }
    out
}

impl WriteTxn<'_> {
    /// Run every operation at this transaction's index. Non-empty `errors`
    /// in the answer mean the transaction must be dropped, not committed.
    pub fn txn_apply(&mut self, ops: &[TxnOp]) -> TxnResult {
        let outcomes: Vec<OpOutcome> = ops.iter().map(|op| self.txn_op(op)).collect();
        collect(outcomes.into_iter())
    }

    fn txn_op(&mut self, op: &TxnOp) -> OpOutcome {
        match op {
            TxnOp::Kv(op) => self.txn_kv(op),
            TxnOp::Node(op) => self.txn_node(op),
            TxnOp::Service(op) => self.txn_service(op),
            TxnOp::Check(op) => self.txn_check(op),
        }
    }

    /// The entry now stored under `key`, as a write's result.
    fn kv_written(&self, key: &str) -> Vec<TxnOpResult> {
        self.t
            .kvs
            .get(key)
            .map(|e| without_value(DirEntry::clone(e)))
            .into_iter()
            .collect()
    }

    fn txn_kv(&mut self, op: &TxnKvOp) -> OpOutcome {
        let e = &op.dir_ent;
        let key = e.key.as_str();
        let refused = |ok: bool, why: String| if ok { Ok(()) } else { Err(why) };
        match op.verb {
            KvVerb::Set => self.kv_set(e.clone()).map_err(state_err)?,
            KvVerb::Cas => refused(
                self.kv_set_cas(e.clone()).map_err(state_err)?,
                format!("failed to set key {key:?}, index is stale"),
            )?,
            KvVerb::Lock | KvVerb::Unlock => {
                let (kv_op, why) = if op.verb == KvVerb::Lock {
                    (
                        KvOp::Lock,
                        format!("failed to lock key {key:?}, lock is already held"),
                    )
                } else {
                    (
                        KvOp::Unlock,
                        format!(
                            "failed to unlock key {key:?}, lock isn't held, or is held by \
                             another session"
                        ),
                    )
                };
                let req = KvRequest {
                    op: kv_op,
                    dir_ent: e.clone(),
                };
                refused(self.kv_apply(&req).map_err(state_err)?, why)?
            }
            KvVerb::Delete => {
                self.kv_delete(key).map_err(state_err)?;
                return Ok(Vec::new());
            }
            KvVerb::DeleteCas => {
                refused(
                    self.kv_delete_cas(key, e.modify_index).map_err(state_err)?,
                    format!("failed to delete key {key:?}, index is stale"),
                )?;
                return Ok(Vec::new());
            }
            KvVerb::DeleteTree => {
                self.kv_delete_tree(key).map_err(state_err)?;
                return Ok(Vec::new());
            }
            KvVerb::Get
            | KvVerb::GetTree
            | KvVerb::CheckIndex
            | KvVerb::CheckSession
            | KvVerb::CheckNotExists => return self.read().txn_kv_read(op),
        }
        Ok(self.kv_written(key))
    }

    fn node_written(&self, name: &str) -> Vec<TxnOpResult> {
        let mut ws = WatchSet::new();
        self.read()
            .node(&mut ws, name)
            .1
            .map(TxnOpResult::Node)
            .into_iter()
            .collect()
    }

    fn txn_node(&mut self, op: &TxnNodeOp) -> OpOutcome {
        let name = op.node.node.as_str();
        match op.verb {
            CatalogVerb::Set => {
                self.ensure_node(op.node.clone()).map_err(state_err)?;
                Ok(self.node_written(name))
            }
            CatalogVerb::Cas => {
                if !self.ensure_node_cas(op.node.clone()).map_err(state_err)? {
                    return Err(format!("failed to set node {name:?}, index is stale"));
                }
                Ok(self.node_written(name))
            }
            CatalogVerb::Delete => {
                self.delete_node(name).map_err(state_err)?;
                Ok(Vec::new())
            }
            CatalogVerb::DeleteCas => {
                if !self
                    .delete_node_cas(name, op.node.modify_index)
                    .map_err(state_err)?
                {
                    return Err(format!("failed to delete node {name:?}, index is stale"));
                }
                Ok(Vec::new())
            }
            CatalogVerb::Get => self.read().txn_node_read(op),
        }
    }

    fn txn_service(&mut self, op: &TxnServiceOp) -> OpOutcome {
        let (node, id) = (op.node.as_str(), op.service.id.as_str());
        let written = |tx: &Self| -> Vec<TxnOpResult> {
            tx.read()
                .node_service(node, id)
                .map(TxnOpResult::Service)
                .into_iter()
                .collect()
        };
        match op.verb {
            CatalogVerb::Set => {
                self.ensure_service(node, op.service.clone())
                    .map_err(state_err)?;
                Ok(written(self))
            }
            CatalogVerb::Cas => {
                if !self
                    .ensure_service_cas(node, op.service.clone())
                    .map_err(state_err)?
                {
                    return Err(format!(
                        "failed to set service {id:?} on node {node:?}, index is stale"
                    ));
                }
                Ok(written(self))
            }
            CatalogVerb::Delete => {
                self.delete_service(node, id).map_err(state_err)?;
                Ok(Vec::new())
            }
            CatalogVerb::DeleteCas => {
                if !self
                    .delete_service_cas(node, id, op.service.modify_index)
                    .map_err(state_err)?
                {
                    return Err(format!(
                        "failed to delete service {id:?} on node {node:?}, index is stale"
                    ));
                }
                Ok(Vec::new())
            }
            CatalogVerb::Get => self.read().txn_service_read(op),
        }
    }

    fn txn_check(&mut self, op: &TxnCheckOp) -> OpOutcome {
        let (node, id) = (op.check.node.as_str(), op.check.check_id.as_str());
        let written = |tx: &Self| -> Vec<TxnOpResult> {
            tx.read()
                .node_check(node, id)
                .map(TxnOpResult::Check)
                .into_iter()
                .collect()
        };
        match op.verb {
            CatalogVerb::Set => {
                self.ensure_check(op.check.clone()).map_err(state_err)?;
                Ok(written(self))
            }
            CatalogVerb::Cas => {
                if !self.ensure_check_cas(op.check.clone()).map_err(state_err)? {
                    return Err(format!(
                        "failed to set check {id:?} on node {node:?}, index is stale"
                    ));
                }
                Ok(written(self))
            }
            CatalogVerb::Delete => {
                self.delete_check(node, id).map_err(state_err)?;
                Ok(Vec::new())
            }
            CatalogVerb::DeleteCas => {
                if !self
                    .delete_check_cas(node, id, op.check.modify_index)
                    .map_err(state_err)?
                {
                    return Err(format!(
                        "failed to delete check {id:?} on node {node:?}, index is stale"
                    ));
                }
                Ok(Vec::new())
            }
            CatalogVerb::Get => self.read().txn_check_read(op),
        }
    }
}

impl ReadTxn {
    /// Run a transaction of reads and checks against this snapshot (Consul's
    /// `TxnRO`). A write operation fails: such a transaction goes through
    /// Raft instead.
    pub fn txn_read(&self, ops: &[TxnOp]) -> TxnResult {
        collect(ops.iter().map(|op| self.txn_read_op(op)))
    }

    /// The index a read-only transaction reports: the highest index of the
    /// tables its operations read (the latest index when it has none).
    pub fn txn_read_index(&self, ops: &[TxnOp]) -> u64 {
        let mut tables: Vec<Table> = Vec::new();
        for op in ops {
            tables.extend_from_slice(match op {
                TxnOp::Kv(_) => &[Table::Kvs, Table::Tombstones][..],
                TxnOp::Node(_) => &[Table::Nodes][..],
                TxnOp::Service(_) => &[Table::Services][..],
                TxnOp::Check(_) => &[Table::Checks][..],
            });
        }
        if tables.is_empty() {
            self.latest_index()
        } else {
            self.max_index(&tables)
        }
    }

    /// One read or check operation.
    fn txn_read_op(&self, op: &TxnOp) -> OpOutcome {
        if op.is_write() {
            return Err("write operation in a read-only transaction".into());
        }
        match op {
            TxnOp::Kv(op) => self.txn_kv_read(op),
            TxnOp::Node(op) => self.txn_node_read(op),
            TxnOp::Service(op) => self.txn_service_read(op),
            TxnOp::Check(op) => self.txn_check_read(op),
        }
    }

    /// Node `get`: by UUID when one is given, else by name.
    fn txn_node_read(&self, op: &TxnNodeOp) -> OpOutcome {
        let n = &op.node;
        let found = if n.id.is_empty() {
            self.node(&mut WatchSet::new(), &n.node).1
        } else {
            self.node_by_id(&n.id)
        };
        found
            .map(|n| vec![TxnOpResult::Node(n)])
            .ok_or_else(|| format!("node {:?} doesn't exist", n.node))
    }

    /// Service `get`.
    fn txn_service_read(&self, op: &TxnServiceOp) -> OpOutcome {
        self.node_service(&op.node, &op.service.id)
            .map(|s| vec![TxnOpResult::Service(s)])
            .ok_or_else(|| {
                format!(
                    "service {:?} on node {:?} doesn't exist",
                    op.service.id, op.node
                )
            })
    }

    /// Check `get`.
    fn txn_check_read(&self, op: &TxnCheckOp) -> OpOutcome {
        let c = &op.check;
        self.node_check(&c.node, &c.check_id)
            .map(|c| vec![TxnOpResult::Check(c)])
            .ok_or_else(|| format!("check {:?} on node {:?} doesn't exist", c.check_id, c.node))
    }

    /// KV `get`, `get-tree` and the three checks.
    fn txn_kv_read(&self, op: &TxnKvOp) -> OpOutcome {
        let ws = &mut WatchSet::new();
        let e = &op.dir_ent;
        let key = e.key.as_str();
        match op.verb {
            KvVerb::Get => match self.kv_get(ws, key).1 {
                Some(found) => Ok(vec![TxnOpResult::Kv(found)]),
                None => Err(format!("key {key:?} doesn't exist")),
            },
            KvVerb::GetTree => Ok(self
                .kv_list(ws, key)
                .1
                .into_iter()
                .map(TxnOpResult::Kv)
                .collect()),
            KvVerb::CheckIndex => match self.kv_get(ws, key).1 {
                None => Err(format!("failed to check index, key {key:?} doesn't exist")),
                Some(found) if found.modify_index != e.modify_index => Err(format!(
                    "failed index check for key {key:?}, current modify index {} != {}",
                    found.modify_index, e.modify_index
                )),
                Some(found) => Ok(vec![without_value(found)]),
            },
            KvVerb::CheckSession => match self.kv_get(ws, key).1 {
                None => Err(format!(
                    "failed to check session, key {key:?} doesn't exist"
                )),
                Some(found) if found.session != e.session => Err(format!(
                    "failed session check for key {key:?}, current session {:?} != {:?}",
                    found.session, e.session
                )),
                Some(found) => Ok(vec![without_value(found)]),
            },
            KvVerb::CheckNotExists => match self.kv_get(ws, key).1 {
                Some(_) => Err(format!("key {key:?} exists")),
                None => Ok(Vec::new()),
            },
            KvVerb::Set
            | KvVerb::Cas
            | KvVerb::Lock
            | KvVerb::Unlock
            | KvVerb::Delete
            | KvVerb::DeleteTree
            | KvVerb::DeleteCas => Err("write operation in a read-only transaction".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;
    use consul_types::catalog::{HealthCheck, Node, NodeService};

    use super::*;
    use crate::Store;

    fn kv(verb: KvVerb, key: &str, value: Option<&'static str>, index: u64) -> TxnOp {
        TxnOp::Kv(TxnKvOp {
            verb,
            dir_ent: DirEntry {
                key: key.into(),
                value: value.map(|v| Bytes::from_static(v.as_bytes())),
                modify_index: index,
                ..Default::default()
            },
        })
    }

    fn node_op(verb: CatalogVerb, name: &str) -> TxnOp {
        TxnOp::Node(TxnNodeOp {
            verb,
            node: Node {
                node: name.into(),
                address: "10.0.0.1".into(),
                ..Default::default()
            },
        })
    }

    #[test]
    fn mixed_operations_apply_together_and_answer_in_order() {
        let store = Store::new();
        let r = store.txn_apply(
            3,
            &[
                kv(KvVerb::Set, "a", Some("1"), 0),
                kv(KvVerb::Get, "a", None, 0),
                node_op(CatalogVerb::Set, "n1"),
                TxnOp::Service(TxnServiceOp {
                    verb: CatalogVerb::Set,
                    node: "n1".into(),
                    service: NodeService {
                        id: "web".into(),
                        service: "web".into(),
                        ..Default::default()
                    },
                }),
                TxnOp::Check(TxnCheckOp {
                    verb: CatalogVerb::Set,
                    check: HealthCheck {
                        node: "n1".into(),
                        check_id: "c".into(),
                        service_id: "web".into(),
                        ..Default::default()
                    },
                }),
                kv(KvVerb::CheckNotExists, "b", None, 0),
            ],
        );
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        assert_eq!(r.results.len(), 5);
        // A write answers the entry without its value; a get with it.
        let TxnOpResult::Kv(set) = &r.results[0] else {
            panic!()
        };
        assert_eq!((set.value.as_deref(), set.modify_index), (None, 3));
        let TxnOpResult::Kv(got) = &r.results[1] else {
            panic!()
        };
        assert_eq!(got.value.as_deref(), Some(&b"1"[..]));
        let TxnOpResult::Check(c) = &r.results[4] else {
            panic!()
        };
        assert_eq!(
            (c.service_name.as_str(), c.status.as_str()),
            ("web", "critical")
        );
        let snap = store.snapshot();
        assert!(snap.node_check("n1", "c").is_some());
        assert_eq!(snap.latest_index(), 3);
    }

    #[test]
    fn any_failure_applies_nothing_and_reports_every_failed_operation() {
        let store = Store::new();
        store
            .kv_set(
                1,
                DirEntry {
                    key: "held".into(),
                    ..Default::default()
                },
            )
            .unwrap();
        let r = store.txn_apply(
            2,
            &[
                kv(KvVerb::Set, "new", Some("x"), 0),
                kv(KvVerb::Cas, "held", Some("y"), 0),
                kv(KvVerb::Delete, "held", None, 0),
                kv(KvVerb::CheckIndex, "held", None, 9),
            ],
        );
        assert!(r.results.is_empty());
        assert_eq!(
            r.errors,
            vec![
                TxnOpError {
                    op_index: 1,
                    what: r#"failed to set key "held", index is stale"#.into()
                },
                TxnOpError {
                    op_index: 3,
                    what: r#"failed to check index, key "held" doesn't exist"#.into()
                },
            ]
        );
        let snap = store.snapshot();
        let mut ws = WatchSet::new();
        assert!(snap.kv_get(&mut ws, "new").1.is_none());
        assert!(snap.kv_get(&mut ws, "held").1.is_some());
        assert_eq!(snap.latest_index(), 1);
    }

    #[test]
    fn catalog_writes_need_their_node_and_cas_index() {
        let store = Store::new();
        let r = store.txn_apply(
            2,
            &[
                TxnOp::Service(TxnServiceOp {
                    verb: CatalogVerb::Set,
                    node: "nowhere".into(),
                    service: NodeService {
                        id: "web".into(),
                        service: "web".into(),
                        ..Default::default()
                    },
                }),
                node_op(CatalogVerb::DeleteCas, "n9"),
                node_op(CatalogVerb::Get, "n9"),
            ],
        );
        let whats: Vec<&str> = r.errors.iter().map(|e| e.what.as_str()).collect();
        assert_eq!(
            whats,
            [
                "Missing node registration",
                r#"failed to delete node "n9", index is stale"#,
                r#"node "n9" doesn't exist"#
            ]
        );
    }

    #[test]
    fn reads_answer_from_a_snapshot_and_refuse_writes() {
        let store = Store::new();
        store
            .kv_set(
                4,
                DirEntry {
                    key: "p/a".into(),
                    ..Default::default()
                },
            )
            .unwrap();
        store
            .kv_set(
                5,
                DirEntry {
                    key: "p/b".into(),
                    ..Default::default()
                },
            )
            .unwrap();
        let snap = store.snapshot();
        let r = snap.txn_read(&[
            kv(KvVerb::GetTree, "p/", None, 0),
            kv(KvVerb::CheckIndex, "p/b", None, 5),
        ]);
        assert_eq!((r.results.len(), r.errors.len()), (3, 0));
        let r = snap.txn_read(&[kv(KvVerb::Set, "p/c", None, 0)]);
        assert_eq!(r.errors[0].op_index, 0);
    }

    #[test]
    fn lock_verbs_go_through_the_kv_store_and_check_session_compares_holders() {
        let store = Store::new();
        store
            .kv_set(
                1,
                DirEntry {
                    key: "k".into(),
                    ..Default::default()
                },
            )
            .unwrap();
        let lock = TxnOp::Kv(TxnKvOp {
            verb: KvVerb::Lock,
            dir_ent: DirEntry {
                key: "k".into(),
                session: "s1".into(),
                ..Default::default()
            },
        });
        // A session that does not exist cannot lock.
        let r = store.txn_apply(2, std::slice::from_ref(&lock));
        assert_eq!(r.errors.len(), 1);
        let check = TxnOp::Kv(TxnKvOp {
            verb: KvVerb::CheckSession,
            dir_ent: DirEntry {
                key: "k".into(),
                session: "s1".into(),
                ..Default::default()
            },
        });
        let r = store.snapshot().txn_read(&[check]);
        assert_eq!(
            r.errors[0].what,
            r#"failed session check for key "k", current session "" != "s1""#
        );
    }
}
