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

/// A v2 image as a test sees it, to drop or add sections.
#[derive(serde::Serialize, serde::Deserialize)]
struct Image {
    version: u8,
    sections: Vec<Section>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Section {
    table: String,
    ignorable: bool,
    index: u64,
    #[serde(with = "serde_bytes")]
    rows: Vec<u8>,
}

fn open(image: &[u8]) -> Image {
    rmp_serde::from_slice(image).unwrap()
}

fn close(image: &Image) -> Vec<u8> {
    rmp_serde::to_vec_named(image).unwrap()
}

/// An image written by the first release (format v1, before snapshots had
/// sections), of exactly the state `populated()` builds.
const V1_IMAGE: &[u8] = include_bytes!("fixtures/snapshot-v1.msgpack");

#[test]
fn a_v1_snapshot_still_restores() {
    let t = Store::new();
    let restored = t.restore_reporting(V1_IMAGE).unwrap();
    assert_eq!(restored.version, 1);
    assert_eq!(observe(&t), observe(&populated()));
    // Persisting again writes the current format, identical to a fresh one.
    assert_eq!(open(&t.persist()).version, consul_state::SNAPSHOT_FORMAT);
    assert_eq!(t.persist(), populated().persist());
}

#[test]
fn the_current_format_has_one_section_per_table() {
    let img = open(&populated().persist());
    assert_eq!(img.version, 2);
    let names: Vec<&str> = img.sections.iter().map(|s| s.table.as_str()).collect();
    let all: Vec<&str> = Table::ALL.iter().map(|t| t.name()).collect();
    assert_eq!(names, all);
}

#[test]
fn an_absent_table_restores_empty() {
    let s = populated();
    let mut img = open(&s.persist());
    img.sections
        .retain(|sec| sec.table != "kvs" && sec.table != "tombstones");
    let t = Store::new();
    t.restore(&close(&img)).unwrap();
    let r = t.snapshot();
    assert!(r.kv_list(&mut WatchSet::new(), "").1.is_empty());
    assert_eq!(r.table_index(Table::Kvs), 0);
    assert_eq!(r.table_index(Table::Tombstones), 0);
    // The tables that were there are intact.
    let ws = &mut WatchSet::new();
    assert_eq!(r.nodes(ws, &[]), s.snapshot().nodes(ws, &[]));
    assert_eq!(r.table_index(Table::Services), 8);
}

#[test]
fn a_newer_format_is_refused_with_a_clear_message() {
    let s = populated();
    let before = observe(&s);
    let mut img = open(&s.persist());
    img.version = consul_state::SNAPSHOT_FORMAT + 1;
    let err = s.restore(&close(&img)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "snapshot format v3 is newer than this server supports (v2); \
         upgrade this server to restore it"
    );
    assert_eq!(observe(&s), before);
}

#[test]
fn an_unknown_table_is_refused_unless_marked_ignorable() {
    let s = populated();
    let before = observe(&s);
    let future_table = |ignorable| Section {
        table: "prepared-queries".into(),
        ignorable,
        index: 99,
        rows: rmp_serde::to_vec(&vec![("id", "n1")]).unwrap(),
    };
    let mut img = open(&s.persist());
    img.sections.push(future_table(false));
    let err = s.restore(&close(&img)).unwrap_err();
    assert_eq!(err, StateError::UnknownTable("prepared-queries".into()));
    assert!(err.to_string().contains("upgrade this server"), "{err}");
    assert_eq!(observe(&s), before);

    let mut img = open(&s.persist());
    img.sections.insert(0, future_table(true));
    let t = Store::new();
    let restored = t.restore_reporting(&close(&img)).unwrap();
    assert_eq!(restored.skipped, vec!["prepared-queries".to_string()]);
    assert_eq!(observe(&t), before);
}

#[test]
fn a_table_twice_is_corrupt() {
    let s = populated();
    let mut img = open(&s.persist());
    let dup = Section {
        table: "kvs".into(),
        ignorable: false,
        index: 0,
        rows: img.sections[3].rows.clone(),
    };
    img.sections.push(dup);
    assert!(matches!(
        s.restore(&close(&img)),
        Err(StateError::Corrupt(_))
    ));
}
