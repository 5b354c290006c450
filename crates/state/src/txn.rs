//! Read and write transactions. The table-specific operations live in
//! `kv.rs`, `catalog.rs`, `health.rs` and `tombstone.rs` as further `impl`
//! blocks on these types.

use std::sync::{Arc, MutexGuard};

use crate::store::Store;
use crate::table::Table;
use crate::tables::Tables;
use crate::watch::ChangeSet;

/// A read-only, immutable view of one committed version of the state.
#[derive(Debug, Clone)]
pub struct ReadTxn {
    pub(crate) t: Arc<Tables>,
}

impl ReadTxn {
    pub(crate) fn new(t: Arc<Tables>) -> Self {
        ReadTxn { t }
    }

    /// Commit sequence number of this snapshot; pass it to
    /// [`crate::WatchSet::wait`].
    pub fn seq(&self) -> u64 {
        self.t.seq
    }

    /// Max index of one table (Consul's index table).
    pub fn table_index(&self, table: Table) -> u64 {
        self.t.indexes.get(table)
    }

    /// Max index over several tables.
    pub fn max_index(&self, tables: &[Table]) -> u64 {
        self.t.indexes.max(tables)
    }

    /// Highest index of any table.
    pub fn latest_index(&self) -> u64 {
        self.t.indexes.max(&Table::ALL)
    }
}

/// The single open write transaction. Inner operations mutate a private copy
/// of the tables; [`WriteTxn::commit`] publishes it and fires the watches of
/// everything touched. Dropping it without committing discards every change.
pub struct WriteTxn<'a> {
    pub(crate) store: &'a Store,
    _guard: MutexGuard<'a, ()>,
    pub(crate) index: u64,
    pub(crate) t: Tables,
    pub(crate) changes: ChangeSet,
    /// Lock-delays armed by session invalidations in this transaction.
    pub(crate) lock_delays: crate::ArmedLockDelays,
}

impl<'a> WriteTxn<'a> {
    pub(crate) fn new(store: &'a Store, guard: MutexGuard<'a, ()>, index: u64, t: Tables) -> Self {
        WriteTxn {
            store,
            _guard: guard,
            index,
            t,
            changes: ChangeSet::default(),
            lock_delays: Vec::new(),
        }
    }

    /// The Raft index this transaction writes at.
    pub fn index(&self) -> u64 {
        self.index
    }

    /// A read view of this transaction's uncommitted state (for the txn
    /// endpoint's reads and checks).
    pub fn read(&self) -> ReadTxn {
        ReadTxn::new(Arc::new(self.t.clone()))
    }

    /// Publish the changes and wake the watchers of what they touched. A
    /// transaction that changed nothing publishes nothing.
    pub fn commit(self) {
        let WriteTxn {
            store,
            _guard,
            mut t,
            changes,
            lock_delays,
            ..
        } = self;
        store.arm_lock_delays(lock_delays);
        if changes.is_empty() {
            return;
        }
        t.seq += 1;
        let seq = t.seq;
        store.publish(Arc::new(t));
        store.notifier().publish(seq, changes);
        drop(_guard);
    }

    /// Raise a table's index to this transaction's index and record the change.
    pub(crate) fn touch(&mut self, table: Table) {
        self.t.indexes.bump(table, self.index);
        self.changes.table(table);
    }

    /// Raise a service name's index and record the change.
    pub(crate) fn touch_service(&mut self, name: &str) {
        self.t.indexes.bump_service(name, self.index);
        self.changes.service(name);
    }
}
