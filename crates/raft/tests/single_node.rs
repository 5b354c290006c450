//! Single-server behaviour: startup speed, durability across restarts, snapshots.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::Recorder;
use consul_raft::{NoTransport, RaftConfig, RaftError, RaftNode};

const ADDR: &str = "127.0.0.1:8300";

fn config(dir: Option<&Path>) -> RaftConfig {
    RaftConfig::consul_defaults(1, ADDR, dir.map(Path::to_path_buf), 1)
}

async fn start(cfg: RaftConfig, sm: Arc<Recorder>) -> RaftNode {
    RaftNode::start(cfg, sm, Arc::new(NoTransport))
        .await
        .expect("start")
}

fn me() -> BTreeMap<u64, String> {
    BTreeMap::from([(1, ADDR.to_string())])
}

#[tokio::test]
async fn in_memory_node_is_leader_within_tens_of_ms() {
    let t0 = Instant::now();
    let sm = Arc::new(Recorder::default());
    let node = start(config(None), sm.clone()).await;
    node.bootstrap(me()).await.unwrap();
    let leader = node.wait_for_leader(Duration::from_secs(2)).await.unwrap();
    let took = t0.elapsed();
    println!("in-memory start+bootstrap -> leader in {took:?}");
    assert_eq!(leader, (1, ADDR.to_string()));
    assert!(node.is_leader());
    assert_eq!(node.last_contact(), Some(Duration::ZERO));
    assert_eq!(node.members(), vec![(1, ADDR.to_string(), true)]);

    let (idx, resp) = node.write(b"a".to_vec()).await.unwrap();
    assert_eq!((idx, resp), (1, b"ok:a".to_vec()));
    node.ensure_linearizable().await.unwrap();
    // Bootstrapping again is a no-op.
    node.bootstrap(me()).await.unwrap();
    let (idx, _) = node.write(b"b".to_vec()).await.unwrap();
    assert_eq!(idx, 2);
    assert_eq!(sm.entries(), vec![(1, b"a".to_vec()), (2, b"b".to_vec())]);
    node.shutdown().await;
    assert_eq!(node.write(b"c".to_vec()).await, Err(RaftError::Shutdown));
}

#[tokio::test]
async fn restart_from_disk_replays_same_commands_without_bootstrap() {
    let dir = tempfile::tempdir().unwrap();
    let sm = Arc::new(Recorder::default());
    let node = start(config(Some(dir.path())), sm.clone()).await;
    node.bootstrap(me()).await.unwrap();
    node.wait_for_leader(Duration::from_secs(2)).await.unwrap();
    for i in 0..100u32 {
        let (idx, _) = node.write(format!("cmd-{i}").into_bytes()).await.unwrap();
        assert_eq!(idx, u64::from(i) + 1);
    }
    let before = sm.entries();
    assert_eq!(before.len(), 100);
    node.shutdown().await;
    drop(node);

    let t0 = Instant::now();
    let sm2 = Arc::new(Recorder::default());
    let node = start(config(Some(dir.path())), sm2.clone()).await;
    node.wait_for_leader(Duration::from_secs(3)).await.unwrap();
    println!("restart from disk -> leader in {:?}", t0.elapsed());
    node.ensure_linearizable().await.unwrap();
    assert_eq!(sm2.entries(), before);
    // A restarted server's bootstrap is a no-op that keeps the existing log.
    node.bootstrap(me()).await.unwrap();
    let (idx, _) = node.write(b"after".to_vec()).await.unwrap();
    assert_eq!(idx, 101);
    node.shutdown().await;
}

#[tokio::test]
async fn restart_restores_snapshot_then_replays_tail() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(Some(dir.path()));
    cfg.snapshot_threshold = 20;
    cfg.trailing_logs = 5;
    let sm = Arc::new(Recorder::default());
    let node = start(cfg.clone(), sm.clone()).await;
    node.bootstrap(me()).await.unwrap();
    node.wait_for_leader(Duration::from_secs(2)).await.unwrap();
    for i in 0..50u32 {
        node.write(format!("c{i}").into_bytes()).await.unwrap();
    }
    // Wait for the automatic snapshot policy to have fired and the log to be purged.
    let mut m = node.metrics();
    let snap = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            let s = m.borrow().snapshot;
            let p = m.borrow().purged;
            if let (Some(s), Some(_)) = (s, p) {
                if s.index >= 20 {
                    return s.index;
                }
            }
            m.changed().await.unwrap();
        }
    })
    .await
    .expect("snapshot taken");
    let before = sm.entries();
    node.shutdown().await;
    drop(node);
    let snaps: Vec<_> = std::fs::read_dir(dir.path().join("raft/snapshots"))
        .unwrap()
        .collect();
    assert!(
        !snaps.is_empty() && snaps.len() <= 2,
        "{} snapshot files",
        snaps.len()
    );

    let sm2 = Arc::new(Recorder::default());
    let node = start(cfg, sm2.clone()).await;
    let restored = sm2
        .restored_at
        .lock()
        .unwrap()
        .expect("restored from snapshot");
    assert!(
        (19..=50).contains(&restored),
        "restored at {restored} (snapshot log index {snap})"
    );
    node.wait_for_leader(Duration::from_secs(3)).await.unwrap();
    node.ensure_linearizable().await.unwrap();
    assert_eq!(sm2.entries(), before);
    let (idx, _) = node.write(b"tail".to_vec()).await.unwrap();
    assert_eq!(idx, 51);
    node.shutdown().await;
}

#[tokio::test]
async fn concurrent_writes_are_group_committed() {
    let dir = tempfile::tempdir().unwrap();
    let sm = Arc::new(Recorder::default());
    let node = start(config(Some(dir.path())), sm.clone()).await;
    node.bootstrap(me()).await.unwrap();
    node.wait_for_leader(Duration::from_secs(2)).await.unwrap();
    let f0 = node.log_fsyncs();
    let mut tasks = Vec::new();
    for w in 0..16 {
        let n = node.clone();
        tasks.push(tokio::spawn(async move {
            let mut idx = Vec::new();
            for i in 0..20 {
                idx.push(n.write(format!("{w}-{i}").into_bytes()).await.unwrap().0);
            }
            idx
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    all.sort();
    assert_eq!(all, (1..=320).collect::<Vec<u64>>());
    let fsyncs = node.log_fsyncs() - f0;
    assert!(fsyncs < 320, "{fsyncs} fsyncs for 320 writes");
    node.shutdown().await;
}

#[tokio::test]
async fn a_command_the_state_machine_cannot_apply_stops_raft() {
    let sm = Arc::new(Recorder::default());
    let node = start(config(None), sm.clone()).await;
    node.bootstrap(me()).await.unwrap();
    node.wait_for_leader(Duration::from_secs(2)).await.unwrap();
    node.write(b"a".to_vec()).await.unwrap();
    assert_eq!(node.fatal_error(), None);

    assert!(node.write(common::POISON.to_vec()).await.is_err());
    let reason = tokio::time::timeout(Duration::from_secs(5), node.failed())
        .await
        .expect("raft stops");
    assert!(reason.contains("poisoned command"), "{reason}");
    assert_eq!(node.fatal_error(), Some(reason));
    // Nothing after the refused command is applied.
    assert!(node.write(b"b".to_vec()).await.is_err());
    assert_eq!(sm.entries(), vec![(1, b"a".to_vec())]);
    node.shutdown().await;
}
