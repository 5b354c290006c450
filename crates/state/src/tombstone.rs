//! The KV graveyard: a tombstone per deleted key (or deleted tree prefix) so
//! that list indexes move forward on deletes, until reaped.

use crate::error::StateError;
use crate::table::Table;
use crate::tables::{prefix_range, Tables};
use crate::txn::WriteTxn;

impl WriteTxn<'_> {
    /// Bury `key` at this transaction's index.
    pub(crate) fn tombstone_insert(&mut self, key: &str) {
        self.t.tombstones.insert(key.to_string(), self.index);
        self.touch(Table::Tombstones);
    }

    /// Drop every tombstone whose index is ≤ `up_to`. Like Consul, this does
    /// not move any index.
    pub fn tombstone_reap(&mut self, up_to: u64) -> Result<(), StateError> {
        let dead: Vec<String> = self
            .t
            .tombstones
            .iter()
            .filter(|(_, idx)| **idx <= up_to)
            .map(|(k, _)| k.clone())
            .collect();
        if dead.is_empty() {
            return Ok(());
        }
        for k in dead {
            self.t.tombstones.remove(&k);
        }
        self.changes.table(Table::Tombstones);
        Ok(())
    }
}

/// Highest tombstone index under `prefix` (0 if none).
pub(crate) fn graveyard_max(t: &Tables, prefix: &str) -> u64 {
    prefix_range(&t.tombstones, prefix)
        .map(|(_, idx)| *idx)
        .max()
        .unwrap_or(0)
}

impl crate::txn::ReadTxn {
    /// How many tombstones the graveyard holds (the leader's tombstone GC
    /// arms its timer only when there are some).
    pub fn tombstone_count(&self) -> usize {
        self.t.tombstones.len()
    }
}
