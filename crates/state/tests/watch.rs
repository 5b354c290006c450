//! Watch sets wake only for what the read touched, with no lost wake-ups.

mod common;

use common::*;
use consul_state::{Store, WatchSet};
use consul_types::catalog::DeregisterRequest;
use consul_types::kv::KvOp;

/// Read with `read`, start waiting, then apply `write`; answer whether the
/// waiter woke.
fn wakes(
    s: &Store,
    read: impl Fn(&consul_state::ReadTxn, &mut WatchSet),
    write: impl FnOnce(&Store),
) -> bool {
    let snap = s.snapshot();
    let mut ws = WatchSet::new();
    read(&snap, &mut ws);
    let mut w = Polled::new(ws.wait(s, snap.seq()));
    assert!(!w.ready(), "nothing happened yet");
    write(s);
    let woke = w.woken();
    assert_eq!(woke, w.ready(), "woken exactly when ready");
    woke
}

fn set(key: &'static str, idx: u64) -> impl FnOnce(&Store) {
    move |s| {
        s.kv_apply(idx, &kv(KvOp::Set, key, &idx.to_string(), 0))
            .unwrap();
    }
}

#[test]
fn kv_get_wakes_only_for_its_key() {
    let s = Store::new();
    s.kv_apply(1, &kv(KvOp::Set, "a", "1", 0)).unwrap();
    let get_a = |r: &consul_state::ReadTxn, ws: &mut WatchSet| {
        r.kv_get(ws, "a");
    };
    assert!(!wakes(&s, get_a, set("b", 2)));
    assert!(!wakes(&s, get_a, set("ab", 3)));
    assert!(wakes(&s, get_a, set("a", 4)));
    assert!(wakes(&s, get_a, |s| {
        s.kv_apply(5, &kv(KvOp::Delete, "a", "", 0)).unwrap();
    }));
    // Created later: a get of a missing key wakes on its creation.
    assert!(wakes(&s, get_a, set("a", 6)));
    // An identical rewrite is not a change.
    assert!(!wakes(&s, get_a, set("a", 6)));
}

#[test]
fn kv_list_wakes_for_sets_and_deletes_under_its_prefix() {
    let s = Store::new();
    s.kv_apply(1, &kv(KvOp::Set, "a/1", "1", 0)).unwrap();
    s.kv_apply(2, &kv(KvOp::Set, "a/b/1", "1", 0)).unwrap();
    let list_a = |r: &consul_state::ReadTxn, ws: &mut WatchSet| {
        r.kv_list(ws, "a/");
    };
    assert!(!wakes(&s, list_a, set("b", 3)));
    assert!(!wakes(&s, list_a, set("a", 4)));
    assert!(wakes(&s, list_a, set("a/2", 5)));
    assert!(wakes(&s, list_a, |s| {
        s.kv_apply(6, &kv(KvOp::Delete, "a/2", "", 0)).unwrap();
    }));
    // A delete-tree wakes prefixes above and below it, not beside it.
    let keys_ab = |r: &consul_state::ReadTxn, ws: &mut WatchSet| {
        r.kv_keys(ws, "a/b/", "/");
    };
    let list_c = |r: &consul_state::ReadTxn, ws: &mut WatchSet| {
        r.kv_list(ws, "c/");
    };
    s.kv_apply(7, &kv(KvOp::Set, "c/1", "1", 0)).unwrap();
    assert!(!wakes(&s, list_c, |s| {
        s.kv_apply(8, &kv(KvOp::DeleteTree, "a/", "", 0)).unwrap();
    }));
    s.kv_apply(9, &kv(KvOp::Set, "a/b/2", "1", 0)).unwrap();
    assert!(wakes(&s, keys_ab, |s| {
        s.kv_apply(10, &kv(KvOp::DeleteTree, "a/", "", 0)).unwrap();
    }));
    // Tombstone reaping changes no data: list waiters stay asleep.
    assert!(!wakes(&s, list_a, |s| s.tombstone_reap(11, 10).unwrap()));
}

#[test]
fn large_delete_tree_still_wakes_precisely_enough() {
    let s = Store::new();
    let mut tx = s.write(1);
    for i in 0..600 {
        tx.kv_set(entry(&format!("big/{i:04}"), "v")).unwrap();
    }
    tx.kv_set(entry("other", "v")).unwrap();
    tx.commit();
    let get_one = |r: &consul_state::ReadTxn, ws: &mut WatchSet| {
        r.kv_get(ws, "big/0300");
    };
    let get_other = |r: &consul_state::ReadTxn, ws: &mut WatchSet| {
        r.kv_get(ws, "other");
    };
    assert!(!wakes(&s, get_other, |s| {
        s.kv_apply(2, &kv(KvOp::DeleteTree, "big/", "", 0)).unwrap();
    }));
    s.kv_apply(3, &kv(KvOp::Set, "big/0300", "v", 0)).unwrap();
    let mut tx = s.write(4);
    for i in 0..600 {
        tx.kv_set(entry(&format!("big/{i:04}"), "w")).unwrap();
    }
    tx.commit();
    assert!(wakes(&s, get_one, |s| {
        s.kv_apply(5, &kv(KvOp::DeleteTree, "big/", "", 0)).unwrap();
    }));
}

#[test]
fn catalog_watches_by_service_and_node() {
    let s = Store::new();
    s.ensure_registration(1, &svc_req("n1", "web1", "web", &[]))
        .unwrap();
    s.ensure_registration(2, &svc_req("n2", "db1", "db", &[]))
        .unwrap();
    let web = |r: &consul_state::ReadTxn, ws: &mut WatchSet| {
        r.check_service_nodes(ws, "web", &[], &[], false);
    };
    let n1 = |r: &consul_state::ReadTxn, ws: &mut WatchSet| {
        r.node_services(ws, "n1");
    };
    let all_nodes = |r: &consul_state::ReadTxn, ws: &mut WatchSet| {
        r.nodes(ws, &[]);
    };
    // Another service's instance: web stays asleep.
    assert!(!wakes(&s, web, |s| {
        s.ensure_registration(3, &svc_req("n2", "db2", "db", &["x"]))
            .unwrap()
    }));
    // A check on web's instance wakes web.
    assert!(wakes(&s, web, |s| {
        s.ensure_registration(4, &check_req("n1", check("n1", "c", "web1", "passing")))
            .unwrap()
    }));
    // A node-level check on n2 (no web there) does not; on n1 it does.
    assert!(!wakes(&s, web, |s| {
        s.ensure_registration(5, &check_req("n2", check("n2", "serf", "", "passing")))
            .unwrap()
    }));
    assert!(wakes(&s, web, |s| {
        s.ensure_registration(6, &check_req("n1", check("n1", "serf", "", "passing")))
            .unwrap()
    }));
    // Node reads follow their node.
    assert!(!wakes(&s, n1, |s| {
        s.ensure_registration(7, &node_req("n3", "10.0.0.3"))
            .unwrap()
    }));
    assert!(wakes(&s, all_nodes, |s| {
        s.ensure_registration(8, &node_req("n4", "10.0.0.4"))
            .unwrap()
    }));
    // A node address change wakes the services on it.
    assert!(wakes(&s, web, |s| {
        s.ensure_registration(9, &node_req("n1", "10.9.9.9"))
            .unwrap()
    }));
    // Deregistering the node wakes its node and service readers.
    let dereg = |s: &Store| {
        s.deregister(
            10,
            &DeregisterRequest {
                node: "n1".into(),
                ..Default::default()
            },
        )
        .unwrap()
    };
    let snap = s.snapshot();
    let (mut a, mut b) = (WatchSet::new(), WatchSet::new());
    web(&snap, &mut a);
    n1(&snap, &mut b);
    let mut wa = Polled::new(a.wait(&s, snap.seq()));
    let mut wb = Polled::new(b.wait(&s, snap.seq()));
    assert!(!wa.ready() && !wb.ready());
    dereg(&s);
    assert!(wa.ready() && wb.ready());
}

#[test]
fn commit_between_snapshot_and_wait_is_not_lost() {
    let s = Store::new();
    let snap = s.snapshot();
    let mut ws = WatchSet::new();
    snap.kv_get(&mut ws, "k");
    // The write lands before the waiter registers.
    s.kv_apply(1, &kv(KvOp::Set, "k", "v", 0)).unwrap();
    let mut w = Polled::new(ws.wait(&s, snap.seq()));
    assert!(w.ready());

    // An unrelated write in between does not wake it.
    let snap = s.snapshot();
    let mut ws = WatchSet::new();
    snap.kv_get(&mut ws, "k");
    s.kv_apply(2, &kv(KvOp::Set, "other", "v", 0)).unwrap();
    let mut w = Polled::new(ws.wait(&s, snap.seq()));
    assert!(!w.ready());
    s.kv_apply(3, &kv(KvOp::Set, "k", "w", 0)).unwrap();
    assert!(w.woken() && w.ready());
}

#[test]
fn history_overflow_wakes_immediately() {
    let s = Store::new();
    let snap = s.snapshot();
    let mut ws = WatchSet::new();
    snap.kv_get(&mut ws, "never-written");
    for i in 1..=1100 {
        s.kv_apply(i, &kv(KvOp::Set, "busy", &i.to_string(), 0))
            .unwrap();
    }
    let mut w = Polled::new(ws.wait(&s, snap.seq()));
    assert!(w.ready());
}

#[test]
fn dropping_the_future_unregisters() {
    let s = Store::new();
    let snap = s.snapshot();
    let mut ws = WatchSet::new();
    snap.kv_list(&mut ws, "p/");
    let mut w = Polled::new(ws.wait(&s, snap.seq()));
    assert!(!w.ready());
    assert_eq!(s.waiter_count(), 1);
    drop(w);
    assert_eq!(s.waiter_count(), 0);
    // A fired, completed waiter is gone too.
    let mut ws = WatchSet::new();
    s.snapshot().kv_list(&mut ws, "p/");
    let mut w = Polled::new(ws.wait(&s, s.snapshot().seq()));
    assert!(!w.ready());
    s.kv_apply(1, &kv(KvOp::Set, "p/x", "v", 0)).unwrap();
    assert!(w.ready());
    assert_eq!(s.waiter_count(), 0);
}

#[test]
fn restore_wakes_everyone() {
    let s = Store::new();
    s.kv_apply(1, &kv(KvOp::Set, "a", "1", 0)).unwrap();
    let image = s.persist();
    let get_zzz = |r: &consul_state::ReadTxn, ws: &mut WatchSet| {
        r.kv_get(ws, "zzz");
    };
    assert!(wakes(&s, get_zzz, |s| s.restore(&image).unwrap()));
}

#[test]
fn wait_future_is_send() {
    fn assert_send<T: Send>(_: &T) {}
    let s = Store::new();
    let f = WatchSet::new().wait(&s, 0);
    assert_send(&f);
}
