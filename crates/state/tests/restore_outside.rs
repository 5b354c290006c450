//! Restoring an image from outside (`PUT /v1/snapshot`): the data is the
//! image's, and no index a client saw before goes backwards.

mod common;

use common::*;
use consul_state::{image_stats, Store, Table, WatchSet};
use consul_types::kv::KvOp;

fn image() -> Vec<u8> {
    let s = Store::new();
    s.kv_apply(1, &kv(KvOp::Set, "a/1", "one", 0)).unwrap();
    s.kv_apply(2, &kv(KvOp::Set, "a/2", "two", 0)).unwrap();
    s.ensure_registration(3, &svc_req("n1", "web1", "web", &[]))
        .unwrap();
    s.kv_apply(4, &kv(KvOp::Delete, "a/2", "", 0)).unwrap();
    s.persist()
}

#[test]
fn a_restore_into_an_older_cluster_raises_every_index_to_the_restore() {
    let s = Store::new();
    for i in 1..=50 {
        s.kv_apply(i, &kv(KvOp::Set, &format!("x/{i}"), "v", 0))
            .unwrap();
    }
    let (_, highest) = s.restore_above(&image(), 51).unwrap();
    assert_eq!(highest, 51);
    let r = s.snapshot();
    let mut ws = WatchSet::new();
    let (idx, entries) = r.kv_list(&mut ws, "");
    assert_eq!(entries.len(), 1, "only the image's keys");
    assert!(idx >= 51, "kv index {idx} went below what clients saw");
    let (idx, nodes) = r.service_nodes(&mut ws, "web", &[], &[]);
    assert_eq!(nodes.len(), 1);
    assert!(idx >= 51, "service index {idx}");
    assert!(s.max_index() >= 51);
}

#[test]
fn a_restore_into_a_younger_cluster_keeps_the_image_indexes() {
    let s = Store::new();
    s.kv_apply(1, &kv(KvOp::Set, "y", "v", 0)).unwrap();
    let (_, highest) = s.restore_above(&image(), 2).unwrap();
    assert_eq!(highest, 4, "the image's own highest index");
    let r = s.snapshot();
    let mut ws = WatchSet::new();
    let (_, e) = r.kv_get(&mut ws, "a/1");
    assert_eq!(e.map(|e| e.modify_index), Some(1));
}

#[test]
fn damage_changes_nothing() {
    let s = Store::new();
    s.kv_apply(1, &kv(KvOp::Set, "keep", "v", 0)).unwrap();
    let mut bad = image();
    bad.truncate(bad.len() / 2);
    assert!(s.restore_above(&bad, 2).is_err());
    assert!(image_stats(&bad).is_err());
    let mut ws = WatchSet::new();
    assert!(s.snapshot().kv_get(&mut ws, "keep").1.is_some());
}

#[test]
fn stats_count_every_table() {
    let st = image_stats(&image()).unwrap();
    assert_eq!(st.version, consul_state::SNAPSHOT_FORMAT);
    let get = |t: Table| st.tables.iter().find(|x| x.name == t.name()).unwrap();
    assert_eq!(get(Table::Kvs).count, 1);
    assert_eq!(get(Table::Tombstones).count, 1);
    assert_eq!(get(Table::Nodes).count, 1);
    assert_eq!(get(Table::Services).count, 1);
    assert_eq!(get(Table::Sessions).count, 0);
    assert_eq!(get(Table::Kvs).index, 4);
    assert_eq!(st.kvs.len(), 1);
    assert_eq!(st.kvs[0].0, "a/1");
    assert!(st.kvs[0].1 > 3);
}
