//! Persist → restore reproduces the state exactly, indexes included.

mod common;

use common::*;
use consul_state::{StateError, Store, Table, WatchSet};
use consul_types::kv::KvOp;

fn populated() -> Store {
    let s = Store::new();
    s.kv_apply(1, &kv(KvOp::Set, "a/1", "one", 0)).unwrap();
    s.kv_apply(2, &kv(KvOp::Set, "a/2", "", 0)).unwrap();
    let mut bin = entry("bin", "");
    bin.value = Some(bytes::Bytes::from_static(b"\x00\xff\x10"));
    bin.flags = 42;
    s.kv_apply(
        3,
        &consul_types::kv::KvRequest {
            op: KvOp::Set,
            dir_ent: bin,
        },
    )
    .unwrap();
    s.kv_apply(4, &kv(KvOp::Delete, "a/1", "", 0)).unwrap();
    let mut r = svc_req("n1", "web1", "web", &["t"]);
    r.node_meta.insert("k".into(), "v".into());
    r.checks = vec![
        check("n1", "serfHealth", "", "passing"),
        check("n1", "http", "web1", "warning"),
    ];
    s.ensure_registration(5, &r).unwrap();
    s.ensure_registration(6, &svc_req("n2", "db", "db", &[]))
        .unwrap();
    s.ensure_registration(7, &svc_req("n2", "gone", "gone", &[]))
        .unwrap();
    s.deregister(
        8,
        &consul_types::catalog::DeregisterRequest {
            node: "n2".into(),
            service_id: "gone".into(),
            ..Default::default()
        },
    )
    .unwrap();
    s
}

/// Everything observable through the read API.
fn observe(s: &Store) -> String {
    let r = s.snapshot();
    let mut ws = WatchSet::new();
    let mut out = String::new();
    out += &format!("{:?}\n", r.kv_list(&mut ws, ""));
    out += &format!("{:?}\n", r.kv_list(&mut ws, "a/"));
    out += &format!("{:?}\n", r.kv_keys(&mut ws, "", "/"));
    out += &format!("{:?}\n", r.nodes(&mut ws, &[]));
    out += &format!("{:?}\n", r.services(&mut ws, &[]));
    for svc in ["web", "db", "gone"] {
        out += &format!("{:?}\n", r.service_nodes(&mut ws, svc, &[], &[]));
        out += &format!(
            "{:?}\n",
            r.check_service_nodes(&mut ws, svc, &[], &[], false)
        );
    }
    out += &format!("{:?}\n", r.node_services(&mut ws, "n1"));
    out += &format!("{:?}\n", r.checks_in_state(&mut ws, "any", &[]));
    for t in Table::ALL {
        out += &format!("{t:?}={}\n", r.table_index(t));
    }
    out
}

#[test]
fn round_trip_is_identical() {
    let s = populated();
    let image = s.persist();
    let t = Store::new();
    t.restore(&image).unwrap();
    assert_eq!(observe(&s), observe(&t));
    assert_eq!(t.persist(), image);
    let e = t.snapshot().kv_get(&mut WatchSet::new(), "bin").1.unwrap();
    assert_eq!(e.value.as_deref(), Some(&b"\x00\xff\x10"[..]));
    assert_eq!((e.flags, e.create_index, e.modify_index), (42, 3, 3));
    // Writes continue normally after a restore.
    t.kv_apply(9, &kv(KvOp::Set, "a/3", "x", 0)).unwrap();
    assert_eq!(t.snapshot().kv_list(&mut WatchSet::new(), "a/").0, 9);
}

#[test]
fn restore_replaces_existing_state() {
    let s = populated();
    let image = Store::new().persist();
    s.restore(&image).unwrap();
    assert_eq!(observe(&s), observe(&Store::new()));
    assert!(s.snapshot().seq() > 0);
}

#[test]
fn garbage_is_rejected_and_leaves_state_alone() {
    let s = populated();
    let before = observe(&s);
    assert!(matches!(
        s.restore(b"\x01\x02garbage"),
        Err(StateError::Corrupt(_))
    ));
    assert!(matches!(s.restore(&[]), Err(StateError::Corrupt(_))));
    assert_eq!(observe(&s), before);
}
