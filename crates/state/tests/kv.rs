//! KV semantics: set, CAS, deletes, tombstones, list/keys indexes.

mod common;

use common::*;
use consul_state::{StateError, Store, Table, WatchSet};
use consul_types::kv::KvOp;

fn get(s: &Store, key: &str) -> (u64, Option<consul_types::kv::DirEntry>) {
    s.snapshot().kv_get(&mut WatchSet::new(), key)
}

#[test]
fn set_keeps_create_index_and_bumps_modify_index() {
    let s = Store::new();
    assert!(s.kv_apply(3, &kv(KvOp::Set, "a", "1", 0)).unwrap());
    assert!(s.kv_apply(5, &kv(KvOp::Set, "a", "2", 0)).unwrap());
    let (idx, e) = get(&s, "a");
    let e = e.unwrap();
    assert_eq!((idx, e.create_index, e.modify_index), (5, 3, 5));
    assert_eq!(e.value.as_deref(), Some(&b"2"[..]));
}

#[test]
fn identical_set_is_a_no_op() {
    let s = Store::new();
    s.kv_apply(3, &kv(KvOp::Set, "a", "1", 0)).unwrap();
    let seq = s.snapshot().seq();
    assert!(s.kv_apply(4, &kv(KvOp::Set, "a", "1", 0)).unwrap());
    let snap = s.snapshot();
    assert_eq!(snap.seq(), seq);
    assert_eq!(snap.table_index(Table::Kvs), 3);
    assert_eq!(get(&s, "a").1.unwrap().modify_index, 3);
}

#[test]
fn set_ignores_session_and_lock_index_of_the_request() {
    let s = Store::new();
    let mut req = kv(KvOp::Set, "a", "1", 0);
    req.dir_ent.session = "sess".into();
    req.dir_ent.lock_index = 7;
    s.kv_apply(2, &req).unwrap();
    let e = get(&s, "a").1.unwrap();
    assert_eq!((e.session.as_str(), e.lock_index), ("", 0));
}

#[test]
fn cas_zero_means_only_if_absent() {
    let s = Store::new();
    assert!(s.kv_apply(2, &kv(KvOp::Cas, "a", "1", 0)).unwrap());
    assert!(!s.kv_apply(3, &kv(KvOp::Cas, "a", "2", 0)).unwrap());
    let e = get(&s, "a").1.unwrap();
    assert_eq!(e.value.as_deref(), Some(&b"1"[..]));
    assert_eq!(s.snapshot().table_index(Table::Kvs), 2);
}

#[test]
fn cas_with_index_must_match() {
    let s = Store::new();
    s.kv_apply(2, &kv(KvOp::Set, "a", "1", 0)).unwrap();
    assert!(!s.kv_apply(3, &kv(KvOp::Cas, "a", "x", 1)).unwrap());
    assert!(!s.kv_apply(3, &kv(KvOp::Cas, "missing", "x", 2)).unwrap());
    assert!(s.kv_apply(4, &kv(KvOp::Cas, "a", "y", 2)).unwrap());
    let e = get(&s, "a").1.unwrap();
    assert_eq!((e.create_index, e.modify_index), (2, 4));
    assert_eq!(e.value.as_deref(), Some(&b"y"[..]));
    assert!(get(&s, "missing").1.is_none());
}

#[test]
fn delete_cas() {
    let s = Store::new();
    assert!(s.kv_apply(2, &kv(KvOp::DeleteCas, "nope", "", 9)).unwrap());
    s.kv_apply(3, &kv(KvOp::Set, "a", "1", 0)).unwrap();
    assert!(!s.kv_apply(4, &kv(KvOp::DeleteCas, "a", "", 2)).unwrap());
    assert!(get(&s, "a").1.is_some());
    assert!(s.kv_apply(5, &kv(KvOp::DeleteCas, "a", "", 3)).unwrap());
    assert!(get(&s, "a").1.is_none());
    assert_eq!(s.snapshot().table_index(Table::Tombstones), 5);
}

#[test]
fn delete_leaves_tombstone_so_index_moves_forward() {
    let s = Store::new();
    s.kv_apply(2, &kv(KvOp::Set, "a/1", "1", 0)).unwrap();
    s.kv_apply(3, &kv(KvOp::Set, "a/2", "2", 0)).unwrap();
    s.kv_apply(4, &kv(KvOp::Set, "b", "3", 0)).unwrap();
    let snap = s.snapshot();
    assert_eq!(snap.kv_list(&mut WatchSet::new(), "a/").0, 3);
    s.kv_apply(6, &kv(KvOp::Delete, "a/2", "", 0)).unwrap();
    let (idx, list) = s.snapshot().kv_list(&mut WatchSet::new(), "a/");
    assert_eq!(idx, 6);
    assert_eq!(list.len(), 1);
    // Get answers the KV tables' max index even for a missing key.
    assert_eq!(get(&s, "a/2"), (6, None));
    // A delete of a missing key changes nothing.
    s.kv_apply(7, &kv(KvOp::Delete, "zzz", "", 0)).unwrap();
    assert_eq!(s.snapshot().table_index(Table::Kvs), 6);
    // Reaping drops the tombstone; the list index falls back to entries.
    s.tombstone_reap(8, 6).unwrap();
    assert_eq!(s.snapshot().kv_list(&mut WatchSet::new(), "a/").0, 2);
}

#[test]
fn delete_tree_removes_prefix_only_and_is_no_op_when_empty() {
    let s = Store::new();
    for (i, k) in ["a", "a/b", "a/c/d", "ab", "b"].iter().enumerate() {
        s.kv_apply(10 + i as u64, &kv(KvOp::Set, k, "v", 0))
            .unwrap();
    }
    s.kv_apply(20, &kv(KvOp::DeleteTree, "a/", "", 0)).unwrap();
    let (idx, keys) = s.snapshot().kv_keys(&mut WatchSet::new(), "", "");
    assert_eq!(keys, vec!["a", "ab", "b"]);
    assert_eq!(idx, 20);
    // The prefix index moved with the tombstone even with no entries left.
    assert_eq!(s.snapshot().kv_list(&mut WatchSet::new(), "a/").0, 20);
    assert_eq!(s.snapshot().kv_list(&mut WatchSet::new(), "a/c").0, 20);
    // Nothing under the prefix: no index bump, no publish.
    let seq = s.snapshot().seq();
    s.kv_apply(21, &kv(KvOp::DeleteTree, "nothing/", "", 0))
        .unwrap();
    assert_eq!(s.snapshot().seq(), seq);
    assert_eq!(s.snapshot().table_index(Table::Kvs), 20);
    // Deleting everything leaves no tombstone for "".
    s.kv_apply(22, &kv(KvOp::DeleteTree, "", "", 0)).unwrap();
    let snap = s.snapshot();
    assert_eq!(snap.kv_list(&mut WatchSet::new(), "").1.len(), 0);
    assert_eq!(snap.kv_list(&mut WatchSet::new(), "").0, 22);
    assert_eq!(snap.table_index(Table::Tombstones), 20);
}

#[test]
fn list_index_rules() {
    let s = Store::new();
    s.kv_apply(2, &kv(KvOp::Set, "x/1", "1", 0)).unwrap();
    s.kv_apply(5, &kv(KvOp::Set, "y", "1", 0)).unwrap();
    let snap = s.snapshot();
    let mut ws = WatchSet::new();
    assert_eq!(snap.kv_list(&mut ws, "x/").0, 2);
    // No matches and no tombstones: the table index.
    assert_eq!(snap.kv_list(&mut ws, "nope/").0, 5);
    assert_eq!(snap.kv_list(&mut ws, "").0, 5);
    assert_eq!(snap.kv_keys(&mut ws, "x/", "/").0, 2);
}

#[test]
fn keys_with_separator_roll_up() {
    let s = Store::new();
    let keys = [
        "a",
        "a/b",
        "a/c/d",
        "a/c/e",
        "a/f",
        "b/",
        "b/x/y",
        "c",
        "foo/bar/baz",
        "foo/zip",
    ];
    for (i, k) in keys.iter().enumerate() {
        s.kv_apply(1 + i as u64, &kv(KvOp::Set, k, "v", 0)).unwrap();
    }
    let snap = s.snapshot();
    let mut ws = WatchSet::new();
    assert_eq!(
        snap.kv_keys(&mut ws, "", "/").1,
        vec!["a", "a/", "b/", "c", "foo/"]
    );
    assert_eq!(
        snap.kv_keys(&mut ws, "a/", "/").1,
        vec!["a/b", "a/c/", "a/f"]
    );
    assert_eq!(
        snap.kv_keys(&mut ws, "foo/", "/").1,
        vec!["foo/bar/", "foo/zip"]
    );
    assert_eq!(snap.kv_keys(&mut ws, "b/", "/").1, vec!["b/", "b/x/"]);
    assert_eq!(snap.kv_keys(&mut ws, "a/c", "").1, vec!["a/c/d", "a/c/e"]);
    assert_eq!(snap.kv_keys(&mut ws, "", "").1.len(), keys.len());
    // Multi-character separator.
    assert_eq!(
        snap.kv_keys(&mut ws, "a", "/c").1,
        vec!["a", "a/b", "a/c", "a/f"]
    );
}

#[test]
fn lock_and_unlock_without_a_session_are_refused_and_write_nothing() {
    let s = Store::new();
    for op in [KvOp::Lock, KvOp::Unlock] {
        assert_eq!(
            s.kv_apply(1, &kv(op, "a", "", 0)),
            Err(StateError::InvalidRequest("missing session".into()))
        );
    }
    assert_eq!(s.snapshot().seq(), 0);
}

#[test]
fn write_txn_is_atomic_and_drop_aborts() {
    let s = Store::new();
    {
        let mut tx = s.write(3);
        tx.kv_set(entry("a", "1")).unwrap();
        tx.kv_set(entry("b", "2")).unwrap();
        // Reads inside the transaction see its own writes.
        assert!(tx.read().kv_get(&mut WatchSet::new(), "a").1.is_some());
        // Not committed: dropped.
    }
    assert!(get(&s, "a").1.is_none());
    let mut tx = s.write(4);
    tx.kv_set(entry("a", "1")).unwrap();
    tx.kv_set(entry("b", "2")).unwrap();
    tx.commit();
    let snap = s.snapshot();
    assert_eq!(snap.seq(), 1);
    assert_eq!(snap.kv_list(&mut WatchSet::new(), "").1.len(), 2);
}

#[test]
fn snapshots_are_isolated_from_later_writes() {
    let s = Store::new();
    s.kv_apply(1, &kv(KvOp::Set, "a", "1", 0)).unwrap();
    let old = s.snapshot();
    s.kv_apply(2, &kv(KvOp::Set, "a", "2", 0)).unwrap();
    s.kv_apply(3, &kv(KvOp::Set, "b", "2", 0)).unwrap();
    s.kv_apply(4, &kv(KvOp::DeleteTree, "", "", 0)).unwrap();
    let mut ws = WatchSet::new();
    let (idx, e) = old.kv_get(&mut ws, "a");
    assert_eq!(idx, 1);
    assert_eq!(e.unwrap().value.as_deref(), Some(&b"1"[..]));
    assert_eq!(old.kv_list(&mut ws, "").1.len(), 1);
    assert!(s.snapshot().kv_list(&mut ws, "").1.is_empty());
}

#[test]
fn tombstone_count_follows_deletes_and_reaps() {
    let s = Store::new();
    s.kv_apply(2, &kv(KvOp::Set, "a/1", "1", 0)).unwrap();
    s.kv_apply(3, &kv(KvOp::Set, "b", "2", 0)).unwrap();
    assert_eq!(s.snapshot().tombstone_count(), 0);
    s.kv_apply(4, &kv(KvOp::Delete, "b", "", 0)).unwrap();
    s.kv_apply(5, &kv(KvOp::DeleteTree, "a/", "", 0)).unwrap();
    assert_eq!(s.snapshot().tombstone_count(), 2);
    s.tombstone_reap(6, 4).unwrap();
    assert_eq!(s.snapshot().tombstone_count(), 1);
    s.tombstone_reap(7, 5).unwrap();
    assert_eq!(s.snapshot().tombstone_count(), 0);
    // With nothing left under it, the prefix answers the KV tables' index,
    // not lower than the delete's.
    assert_eq!(s.snapshot().kv_list(&mut WatchSet::new(), "a/").0, 5);
}
