//! KV operations: the inner writes (set, cas, delete, delete-cas,
//! delete-tree) and the reads (get, list, keys), with Consul's index rules.

use std::sync::Arc;

use consul_types::kv::{DirEntry, KvOp, KvRequest};

use crate::error::StateError;
use crate::table::Table;
use crate::tables::prefix_range;
use crate::tombstone::graveyard_max;
use crate::txn::{ReadTxn, WriteTxn};
use crate::watch::WatchSet;

/// Above this many keys a delete-tree is recorded as one prefix change.
const MAX_TRACKED_KEYS: usize = 256;

/// Equal ignoring the Raft indexes (Consul's `DirEntry.Equal`).
fn same_entry(a: &DirEntry, b: &DirEntry) -> bool {
    a.key == b.key
        && a.flags == b.flags
        && a.value_len() == b.value_len()
        && a.value.as_deref().unwrap_or_default() == b.value.as_deref().unwrap_or_default()
        && a.session == b.session
        && a.lock_index == b.lock_index
}

impl WriteTxn<'_> {
    /// Store `entry` unconditionally. An existing key keeps its CreateIndex,
    /// LockIndex and Session; rewriting an identical entry changes nothing.
    pub fn kv_set(&mut self, entry: DirEntry) -> Result<(), StateError> {
        self.kv_set_inner(entry, false);
        Ok(())
    }

    pub(crate) fn kv_set_inner(&mut self, mut entry: DirEntry, update_session: bool) {
        let existing = self.t.kvs.get(entry.key.as_str()).cloned();
        match &existing {
            Some(e) => {
                entry.create_index = e.create_index;
                if !update_session {
                    entry.session = e.session.clone();
                    entry.lock_index = e.lock_index;
                }
                if same_entry(e, &entry) {
                    return;
                }
            }
            None => {
                entry.create_index = self.index;
                if !update_session {
                    entry.session.clear();
                    entry.lock_index = 0;
                }
            }
        }
        entry.modify_index = self.index;
        self.changes.kv_keys.insert(entry.key.clone());
        self.t
            .kvs
            .insert(Arc::from(entry.key.as_str()), Arc::new(entry));
        self.touch(Table::Kvs);
    }

    /// Check-and-set: with `ModifyIndex` 0 only if the key is absent,
    /// otherwise only if the key's `ModifyIndex` equals it.
    pub fn kv_set_cas(&mut self, entry: DirEntry) -> Result<bool, StateError> {
        let existing = self.t.kvs.get(entry.key.as_str());
        let ok = match (entry.modify_index, existing) {
            (0, None) => true,
            (0, Some(_)) | (_, None) => false,
            (cidx, Some(e)) => e.modify_index == cidx,
        };
        if ok {
            self.kv_set_inner(entry, false);
        }
        Ok(ok)
    }

    /// Delete one key, leaving a tombstone. A missing key is a no-op.
    pub fn kv_delete(&mut self, key: &str) -> Result<(), StateError> {
        if self.t.kvs.remove(key).is_some() {
            self.tombstone_insert(key);
            self.changes.kv_keys.insert(key.to_string());
            self.touch(Table::Kvs);
        }
        Ok(())
    }

    /// Delete `key` only if its `ModifyIndex` equals `cidx`. A missing key
    /// answers `true` (nothing to delete), a mismatch `false`.
    pub fn kv_delete_cas(&mut self, key: &str, cidx: u64) -> Result<bool, StateError> {
        match self.t.kvs.get(key) {
            None => Ok(true),
            Some(e) if e.modify_index != cidx => Ok(false),
            Some(_) => {
                self.kv_delete(key)?;
                Ok(true)
            }
        }
    }

    /// Delete every key under `prefix`, leaving one tombstone for the prefix
    /// (none for the empty prefix). Nothing under it: no change at all.
    pub fn kv_delete_tree(&mut self, prefix: &str) -> Result<(), StateError> {
        let keys: Vec<Arc<str>> = prefix_range(&self.t.kvs, prefix)
            .map(|(k, _)| k.clone())
            .collect();
        if keys.is_empty() {
            return Ok(());
        }
        for k in &keys {
            self.t.kvs.remove(k);
        }
        if keys.len() > MAX_TRACKED_KEYS {
            self.changes.kv_prefixes.push(prefix.to_string());
        } else {
            self.changes
                .kv_keys
                .extend(keys.iter().map(|k| k.to_string()));
        }
        if !prefix.is_empty() {
            self.tombstone_insert(prefix);
        }
        self.touch(Table::Kvs);
        Ok(())
    }

    /// Apply one KV request; the boolean is what Consul answers the client.
    /// Lock and unlock are in `session.rs`.
    pub fn kv_apply(&mut self, req: &KvRequest) -> Result<bool, StateError> {
        let e = &req.dir_ent;
        match req.op {
            KvOp::Set => self.kv_set(e.clone()).map(|()| true),
            KvOp::Cas => self.kv_set_cas(e.clone()),
            KvOp::Delete => self.kv_delete(&e.key).map(|()| true),
            KvOp::DeleteCas => self.kv_delete_cas(&e.key, e.modify_index),
            KvOp::DeleteTree => self.kv_delete_tree(&e.key).map(|()| true),
            KvOp::Lock => self.kv_lock(e.clone()),
            KvOp::Unlock => self.kv_unlock(e.clone()),
        }
    }
}

impl ReadTxn {
    fn kvs_max_index(&self) -> u64 {
        self.max_index(&[Table::Kvs, Table::Tombstones])
    }

    /// Consul's list/keys index: the highest ModifyIndex under the prefix or
    /// of its tombstones; the table index for "" or when that is 0.
    fn kv_prefix_index(&self, prefix: &str, entries_max: u64) -> u64 {
        let idx = self.kvs_max_index();
        let lindex = if prefix.is_empty() {
            idx
        } else {
            entries_max.max(graveyard_max(&self.t, prefix))
        };
        if lindex != 0 {
            lindex
        } else {
            idx
        }
    }

    /// One key; the index is the KV tables' max index.
    pub fn kv_get(&self, ws: &mut WatchSet, key: &str) -> (u64, Option<DirEntry>) {
        ws.add_kv_key(key);
        let e = self.t.kvs.get(key).map(|e| DirEntry::clone(e));
        (self.kvs_max_index(), e)
    }

    /// Every entry under `prefix`, in key order.
    pub fn kv_list(&self, ws: &mut WatchSet, prefix: &str) -> (u64, Vec<DirEntry>) {
        ws.add_kv_prefix(prefix);
        let entries: Vec<DirEntry> = prefix_range(&self.t.kvs, prefix)
            .map(|(_, e)| DirEntry::clone(e))
            .collect();
        let max = entries.iter().map(|e| e.modify_index).max().unwrap_or(0);
        (self.kv_prefix_index(prefix, max), entries)
    }

    /// Key names under `prefix`; with a separator, everything below the next
    /// separator after the prefix rolls up into one `prefix…sep` entry.
    pub fn kv_keys(&self, ws: &mut WatchSet, prefix: &str, separator: &str) -> (u64, Vec<String>) {
        ws.add_kv_prefix(prefix);
        let mut keys: Vec<String> = Vec::new();
        let mut max = 0;
        for (k, e) in prefix_range(&self.t.kvs, prefix) {
            max = max.max(e.modify_index);
            if separator.is_empty() {
                keys.push(k.to_string());
                continue;
            }
            let after = &k[prefix.len()..];
            match after.find(separator) {
                Some(i) => {
                    let rolled = &k[..prefix.len() + i + separator.len()];
                    if keys.last().map(String::as_str) != Some(rolled) {
                        keys.push(rolled.to_string());
                    }
                }
                None => keys.push(k.to_string()),
            }
        }
        (self.kv_prefix_index(prefix, max), keys)
    }
}
