//! Whole-state snapshots for Raft: every row with its indexes plus the index
//! table, as msgpack; restore rebuilds the tables and fires every watch.

use std::sync::Arc;

use consul_types::catalog::{HealthCheck, Node, NodeService};
use consul_types::kv::DirEntry;
use serde::{Deserialize, Serialize};

use crate::error::StateError;
use crate::index::Table;
use crate::store::Store;
use crate::tables::Tables;
use crate::txn::WriteTxn;

/// Format version of [`Snapshot`].
const SNAPSHOT_V1: u8 = 1;

#[derive(Debug, Default, Serialize, Deserialize)]
struct Snapshot {
    version: u8,
    kvs: Vec<DirEntry>,
    tombstones: Vec<(String, u64)>,
    nodes: Vec<Node>,
    /// `(node, service)`.
    services: Vec<(String, NodeService)>,
    checks: Vec<HealthCheck>,
    /// `(table name, index)`.
    table_indexes: Vec<(String, u64)>,
    service_indexes: Vec<(String, u64)>,
    service_extinction: u64,
}

fn dump(t: &Tables) -> Snapshot {
    Snapshot {
        version: SNAPSHOT_V1,
        kvs: t.kvs.values().map(|e| DirEntry::clone(e)).collect(),
        tombstones: t.tombstones.iter().map(|(k, v)| (k.clone(), *v)).collect(),
        nodes: t.nodes.values().map(|n| Node::clone(n)).collect(),
        services: t
            .services
            .iter()
            .map(|(k, s)| (k.0.clone(), NodeService::clone(s)))
            .collect(),
        checks: t.checks.values().map(|c| HealthCheck::clone(c)).collect(),
        table_indexes: Table::ALL
            .iter()
            .map(|tb| (tb.name().to_string(), t.indexes.get(*tb)))
            .collect(),
        service_indexes: t
            .indexes
            .services
            .iter()
            .map(|(k, v)| (k.clone(), *v))
            .collect(),
        service_extinction: t.indexes.service_extinction,
    }
}

impl Store {
    /// The whole state as msgpack, for a Raft snapshot.
    pub fn persist(&self) -> Vec<u8> {
        let snap = dump(&self.snapshot().t);
        // Plain data with string map keys always serializes into a Vec.
        rmp_serde::to_vec_named(&snap).expect("state snapshot encodes")
    }

    /// Replace the whole state with a [`Store::persist`] image; every
    /// waiter wakes. On error the state is left unchanged.
    pub fn restore(&self, bytes: &[u8]) -> Result<(), StateError> {
        let snap: Snapshot =
            rmp_serde::from_slice(bytes).map_err(|e| StateError::Corrupt(e.to_string()))?;
        if snap.version != SNAPSHOT_V1 {
            return Err(StateError::Corrupt(format!(
                "unknown snapshot version {}",
                snap.version
            )));
        }
        let mut tx = self.write(0);
        tx.t = Tables {
            seq: tx.t.seq,
            ..Tables::default()
        };
        tx.restore_rows(snap)?;
        tx.changes.all = true;
        tx.commit();
        Ok(())
    }
}

impl WriteTxn<'_> {
    /// Insert snapshot rows as they are (indexes preserved).
    fn restore_rows(&mut self, snap: Snapshot) -> Result<(), StateError> {
        for e in snap.kvs {
            self.t.kvs.insert(Arc::from(e.key.as_str()), Arc::new(e));
        }
        for (k, idx) in snap.tombstones {
            self.t.tombstones.insert(k, idx);
        }
        for n in snap.nodes {
            self.t.nodes.insert(n.node.clone(), Arc::new(n));
        }
        for (node, s) in snap.services {
            if !self.t.nodes.contains_key(&node) {
                return Err(StateError::Corrupt(format!(
                    "service {:?} on unknown node {node:?}",
                    s.id
                )));
            }
            let key = (node, s.id.clone());
            let mut set = self
                .t
                .services_by_name
                .get(&s.service)
                .cloned()
                .unwrap_or_default();
            set.insert(key.clone());
            self.t.services_by_name.insert(s.service.clone(), set);
            self.t.services.insert(key, Arc::new(s));
        }
        for c in snap.checks {
            if !self.t.nodes.contains_key(&c.node) {
                return Err(StateError::Corrupt(format!(
                    "check {:?} on unknown node {:?}",
                    c.check_id, c.node
                )));
            }
            self.t
                .checks
                .insert((c.node.clone(), c.check_id.clone()), Arc::new(c));
        }
        for (name, idx) in snap.table_indexes {
            let table = Table::from_name(&name)
                .ok_or_else(|| StateError::Corrupt(format!("unknown table {name:?}")))?;
            self.t.indexes.set(table, idx);
        }
        for (name, idx) in snap.service_indexes {
            if self.t.services_by_name.contains_key(&name) {
                self.t.indexes.services.insert(name, idx);
            }
        }
        self.t.indexes.service_extinction = snap.service_extinction;
        Ok(())
    }
}
