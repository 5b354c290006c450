//! The store: the published root, the single-writer lock, the notifier, and
//! the outer write wrappers (open a transaction, run the inner fn, commit).

use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;
use consul_types::catalog::{DeregisterRequest, RegisterRequest};
use consul_types::command::TxnResult;
use consul_types::kv::{DirEntry, KvRequest};
use consul_types::txn::TxnOp;

use crate::error::StateError;
use crate::tables::Tables;
use crate::txn::{ReadTxn, WriteTxn};
use crate::watch::Notifier;

/// Consul's state store: MVCC tables with one writer and lock-free readers.
pub struct Store {
    root: ArcSwap<Tables>,
    writer: Mutex<()>,
    notifier: Notifier,
    /// Lock-delays armed by committed writes, until the caller takes them.
    armed_lock_delays: Mutex<crate::ArmedLockDelays>,
}

impl Default for Store {
    fn default() -> Self {
        Store::new()
    }
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("seq", &self.root.load().seq)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// An empty store.
    pub fn new() -> Store {
        Store {
            root: ArcSwap::from_pointee(Tables::default()),
            writer: Mutex::new(()),
            notifier: Notifier::default(),
            armed_lock_delays: Mutex::new(Vec::new()),
        }
    }

    /// A consistent read snapshot of the current state (O(1); never blocks).
    pub fn snapshot(&self) -> ReadTxn {
        ReadTxn::new(self.root.load_full())
    }

    /// Open the single write transaction at Raft index `index`; blocks while
    /// another write transaction is open.
    pub fn write(&self, index: u64) -> WriteTxn<'_> {
        let guard = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        let tables = Tables::clone(&self.root.load());
        WriteTxn::new(self, guard, index, tables)
    }

    /// Set one KV entry unconditionally at `index` (outer form of
    /// [`WriteTxn::kv_set`]).
    pub fn kv_set(&self, index: u64, entry: DirEntry) -> Result<(), StateError> {
        let mut tx = self.write(index);
        tx.kv_set(entry)?;
        tx.commit();
        Ok(())
    }

    /// Apply a KV request at `index` (set, cas, delete, delete-cas, delete-tree).
    pub fn kv_apply(&self, index: u64, req: &KvRequest) -> Result<bool, StateError> {
        let mut tx = self.write(index);
        let ok = tx.kv_apply(req)?;
        tx.commit();
        Ok(ok)
    }

    /// Register a node and optionally a service and checks at `index`.
    pub fn ensure_registration(&self, index: u64, req: &RegisterRequest) -> Result<(), StateError> {
        let mut tx = self.write(index);
        tx.ensure_registration(req)?;
        tx.commit();
        Ok(())
    }

    /// Deregister a node, a service or a check at `index`.
    pub fn deregister(&self, index: u64, req: &DeregisterRequest) -> Result<(), StateError> {
        let mut tx = self.write(index);
        tx.deregister(req)?;
        tx.commit();
        Ok(())
    }

    /// Drop KV tombstones whose index is ≤ `up_to` (a write at `index`).
    pub fn tombstone_reap(&self, index: u64, up_to: u64) -> Result<(), StateError> {
        let mut tx = self.write(index);
        tx.tombstone_reap(up_to)?;
        tx.commit();
        Ok(())
    }

    /// Create or destroy a session at `index` (destroy invalidates it: its
    /// locks are released or deleted, arming their lock-delays).
    pub fn session_apply(
        &self,
        index: u64,
        req: &consul_types::session::SessionRequest,
    ) -> Result<(), StateError> {
        let mut tx = self.write(index);
        tx.session_apply(req)?;
        tx.commit();
        Ok(())
    }

    /// The lock-delays armed by writes committed since the last call:
    /// `(key, delay)` for the caller to time (the store has no clock).
    pub fn take_lock_delays(&self) -> crate::ArmedLockDelays {
        std::mem::take(
            &mut *self
                .armed_lock_delays
                .lock()
                .unwrap_or_else(|e| e.into_inner()),
        )
    }

    pub(crate) fn arm_lock_delays(&self, mut armed: crate::ArmedLockDelays) {
        if !armed.is_empty() {
            let mut q = self
                .armed_lock_delays
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            q.append(&mut armed);
        }
    }

    /// Run a transaction's operations at `index`, all or nothing: when any
    /// fails, the answer carries the errors and nothing is applied.
    pub fn txn_apply(&self, index: u64, ops: &[TxnOp]) -> TxnResult {
        let mut tx = self.write(index);
        let result = tx.txn_apply(ops);
        if result.errors.is_empty() {
            tx.commit();
        }
        result
    }

    /// Number of blocking waiters currently registered.
    pub fn waiter_count(&self) -> usize {
        self.notifier.waiters()
    }

    pub(crate) fn notifier(&self) -> &Notifier {
        &self.notifier
    }

    /// Publish a new root (caller holds the writer lock).
    pub(crate) fn publish(&self, tables: Arc<Tables>) {
        self.root.store(tables);
    }
}
