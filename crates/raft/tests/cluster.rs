//! An in-process three-server cluster over a channel transport.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{Recorder, Router};
use consul_raft::{RaftConfig, RaftError, RaftNode};

fn addr(id: u64) -> String {
    format!("127.0.0.1:{}", 8300 + id)
}

fn cfg(id: u64) -> RaftConfig {
    let mut c = RaftConfig::consul_defaults(id, addr(id), None, 1);
    // Fast timings keep the test short.
    c.heartbeat_interval = Duration::from_millis(30);
    c.election_timeout_min = Duration::from_millis(150);
    c.election_timeout_max = Duration::from_millis(300);
    c
}

async fn wait_until(what: &str, timeout: Duration, mut f: impl FnMut() -> bool) {
    let t0 = Instant::now();
    while !f() {
        assert!(t0.elapsed() < timeout, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Writes through whichever server is leader, following NotLeader hints.
async fn write_anywhere(nodes: &BTreeMap<u64, RaftNode>, cmd: &[u8]) -> (u64, Vec<u8>) {
    let t0 = Instant::now();
    loop {
        for n in nodes.values() {
            match n.write(cmd.to_vec()).await {
                Ok(r) => return r,
                Err(RaftError::NotLeader { .. } | RaftError::NoLeader) => {}
                Err(e) => panic!("write failed: {e}"),
            }
        }
        assert!(
            t0.elapsed() < Duration::from_secs(5),
            "no leader accepted the write"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_servers_elect_replicate_and_survive_leader_loss() {
    let router = Router::default();
    let mut nodes = BTreeMap::new();
    let mut sms = BTreeMap::new();
    for id in 1..=3 {
        let sm = Arc::new(Recorder::default());
        let n = RaftNode::start(cfg(id), sm.clone(), Arc::new(router.clone()))
            .await
            .unwrap();
        router.nodes.write().unwrap().insert(id, n.clone());
        nodes.insert(id, n);
        sms.insert(id, sm);
    }
    let members: BTreeMap<u64, String> = (1..=3).map(|i| (i, addr(i))).collect();
    nodes[&1].bootstrap(members).await.unwrap();

    let (leader, leader_addr) = nodes[&2]
        .wait_for_leader(Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(leader_addr, addr(leader));
    // A follower can hear from the leader before the leader's own metrics
    // say it leads; wait for them.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while !nodes[&leader].is_leader() && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(nodes.values().filter(|n| n.is_leader()).count(), 1);
    // Node 3 learns the membership from the leader's first append; wait for it.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while nodes[&3].members().len() != 3 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(nodes[&3].members().len(), 3);

    // A follower refuses writes and points at the leader.
    let follower = *nodes.keys().find(|id| **id != leader).unwrap();
    match nodes[&follower].write(b"x".to_vec()).await {
        Err(RaftError::NotLeader {
            leader: Some((id, a)),
        }) => assert_eq!((id, a), (leader, addr(leader))),
        other => panic!("expected NotLeader, got {other:?}"),
    }

    for i in 0..20 {
        let (idx, resp) = nodes[&leader]
            .write(format!("w{i}").into_bytes())
            .await
            .unwrap();
        assert_eq!(idx, i + 1);
        assert_eq!(resp, format!("ok:w{i}").into_bytes());
    }
    wait_until("replication to all", Duration::from_secs(5), || {
        sms.values().all(|s| s.entries().len() == 20)
    })
    .await;
    let expected = sms[&leader].entries();
    for s in sms.values() {
        assert_eq!(s.entries(), expected);
    }
    wait_until("follower contact", Duration::from_secs(2), || {
        nodes[&follower]
            .last_contact()
            .is_some_and(|d| d < Duration::from_secs(1))
    })
    .await;

    // Kill the leader: the other two elect a new one and writes resume.
    let t0 = Instant::now();
    router.nodes.write().unwrap().remove(&leader);
    nodes[&leader].shutdown().await;
    let old = nodes.remove(&leader).unwrap();
    sms.remove(&leader);
    wait_until("new leader", Duration::from_secs(10), || {
        nodes.values().any(|n| n.is_leader())
    })
    .await;
    println!("new leader after {:?}", t0.elapsed());
    let (idx, _) = write_anywhere(&nodes, b"after-failover").await;
    assert_eq!(idx, 21);
    wait_until("replication after failover", Duration::from_secs(5), || {
        sms.values().all(|s| s.entries().len() == 21)
    })
    .await;
    for n in nodes.values() {
        n.shutdown().await;
    }
    drop(old);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lagging_learner_catches_up_from_snapshot() {
    let router = Router::default();
    let mut c1 = cfg(1);
    c1.snapshot_threshold = 10;
    c1.trailing_logs = 0;
    let sm1 = Arc::new(Recorder::default());
    let n1 = RaftNode::start(c1, sm1.clone(), Arc::new(router.clone()))
        .await
        .unwrap();
    router.nodes.write().unwrap().insert(1, n1.clone());
    n1.bootstrap(BTreeMap::from([(1, addr(1))])).await.unwrap();
    n1.wait_for_leader(Duration::from_secs(2)).await.unwrap();
    for i in 0..30 {
        n1.write(format!("s{i}").into_bytes()).await.unwrap();
    }
    let mut m = n1.metrics();
    tokio::time::timeout(Duration::from_secs(5), async {
        while m.borrow().purged.is_none() {
            m.changed().await.unwrap();
        }
    })
    .await
    .expect("log purged after snapshot");

    let sm2 = Arc::new(Recorder::default());
    let n2 = RaftNode::start(cfg(2), sm2.clone(), Arc::new(router.clone()))
        .await
        .unwrap();
    router.nodes.write().unwrap().insert(2, n2.clone());
    n1.add_learner(2, addr(2), true).await.unwrap();
    n1.change_membership([1, 2].into(), false).await.unwrap();
    wait_until("learner caught up", Duration::from_secs(5), || {
        sm2.entries().len() == 30
    })
    .await;
    assert!(
        sm2.restored_at.lock().unwrap().is_some(),
        "follower should have installed a snapshot"
    );
    assert_eq!(sm2.entries(), sm1.entries());
    let (idx, _) = n1.write(b"more".to_vec()).await.unwrap();
    assert_eq!(idx, 31);
    wait_until("replicated", Duration::from_secs(5), || {
        sm2.entries().len() == 31
    })
    .await;
    n2.shutdown().await;
    n1.shutdown().await;
}

/// `transfer_leadership` hands the lead to the chosen voter (twice, so both
/// directions of a hand-off are exercised), keeps every acknowledged write,
/// and writes queued during the transfer fail as "not the leader" or succeed —
/// never vanish.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leadership_moves_to_the_chosen_voter() {
    let router = Router::default();
    let mut nodes = BTreeMap::new();
    let mut sms = BTreeMap::new();
    for id in 1..=3 {
        let sm = Arc::new(Recorder::default());
        let n = RaftNode::start(cfg(id), sm.clone(), Arc::new(router.clone()))
            .await
            .unwrap();
        router.nodes.write().unwrap().insert(id, n.clone());
        nodes.insert(id, n);
        sms.insert(id, sm);
    }
    let members: BTreeMap<u64, String> = (1..=3).map(|i| (i, addr(i))).collect();
    nodes[&1].bootstrap(members).await.unwrap();
    wait_until("a leader", Duration::from_secs(5), || {
        nodes.values().any(|n| n.is_leader())
    })
    .await;
    let mut acked = 0u64;
    for round in 0..2 {
        let leader = *nodes.keys().find(|id| nodes[*id].is_leader()).unwrap();
        for i in 0..10 {
            write_anywhere(&nodes, format!("r{round}-{i}").as_bytes()).await;
            acked += 1;
        }
        let target = *nodes.keys().find(|id| **id != leader).unwrap();
        // A write racing the transfer.
        let racer = {
            let n = nodes[&leader].clone();
            tokio::spawn(async move { n.write(b"racer".to_vec()).await })
        };
        nodes[&leader]
            .transfer_leadership(target, Duration::from_secs(5))
            .await
            .unwrap();
        wait_until("the target leads", Duration::from_secs(5), || {
            nodes[&target].is_leader()
        })
        .await;
        assert!(!nodes[&leader].is_leader());
        match racer.await.unwrap() {
            Ok(_) => acked += 1,
            Err(RaftError::NotLeader { .. } | RaftError::NoLeader) => {}
            Err(e) => panic!("racing write failed oddly: {e}"),
        }
        // Transferring from a follower is refused.
        assert!(matches!(
            nodes[&leader]
                .transfer_leadership(target, Duration::from_secs(1))
                .await,
            Err(RaftError::NotLeader { .. })
        ));
    }
    write_anywhere(&nodes, b"after").await;
    acked += 1;
    wait_until("replication to all", Duration::from_secs(5), || {
        sms.values()
            .all(|s| s.entries().len() as u64 >= acked && s.entries() == sms[&1].entries())
    })
    .await;
    for n in nodes.values() {
        n.shutdown().await;
    }
}
