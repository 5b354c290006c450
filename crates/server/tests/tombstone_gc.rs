//! The leader's tombstone GC on in-process servers: deleted keys' tombstones
//! are reaped once their TTL has passed, list indexes for the deleted
//! prefix never go backwards, and a new leader re-arms what its predecessor
//! had pending.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use consul_server::endpoints::kv;
use consul_server::{QueryOptions, Server, ServerConfig, TombstoneGcConfig};
use consul_types::kv::{DirEntry, KvOp, KvRequest};

const TTL: Duration = Duration::from_millis(500);

async fn start(ip: std::net::Ipv4Addr, n: usize, bootstrap: bool, ttl: Duration) -> Server {
    Server::start(ServerConfig {
        node_name: format!("s{n}"),
        node_id: format!("{n:08x}-0000-4000-8000-{:012x}", u32::from(ip)),
        datacenter: "dc1".into(),
        data_dir: None,
        rpc_addr: SocketAddr::new(ip.into(), 8300),
        raft_multiplier: 1,
        bootstrap,
        rpc_bind: None,
        node_meta: Default::default(),
        tombstone_gc: TombstoneGcConfig {
            ttl,
            granularity: Duration::from_millis(100),
        },
        acl: Default::default(),
    })
    .await
    .expect("server starts")
}

fn req(op: KvOp, key: &str) -> KvRequest {
    KvRequest {
        op,
        dir_ent: DirEntry {
            key: key.into(),
            value: Some(bytes::Bytes::from_static(b"v")),
            ..Default::default()
        },
    }
}

fn tombstones(s: &Server) -> usize {
    s.store().snapshot().tombstone_count()
}

async fn wait_for(what: &str, timeout: Duration, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn list_index(s: &Server, prefix: &str) -> u64 {
    kv::list(s, &QueryOptions::default(), prefix)
        .await
        .unwrap()
        .0
        .index
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_leader_reaps_tombstones_after_their_ttl_keeping_indexes_monotonic() {
    let lease = consul_testkit::reserve_ip();
    let s = start(lease.ip(), 0, true, TTL).await;
    wait_for("leadership", Duration::from_secs(10), || s.is_leader()).await;
    kv::apply(&s, req(KvOp::Set, "a/1")).await.unwrap();
    kv::apply(&s, req(KvOp::Set, "a/2")).await.unwrap();
    kv::apply(&s, req(KvOp::Set, "b")).await.unwrap();
    let deleted_at = Instant::now();
    kv::apply(&s, req(KvOp::DeleteTree, "a/")).await.unwrap();
    kv::apply(&s, req(KvOp::Delete, "b")).await.unwrap();
    let before_a = list_index(&s, "a/").await;
    let before_b = list_index(&s, "b").await;
    let buried = tombstones(&s);
    if deleted_at.elapsed() < TTL {
        assert_eq!(buried, 2, "reaped before the TTL");
    }

    wait_for("the reap", Duration::from_secs(20), || tombstones(&s) == 0).await;
    assert!(deleted_at.elapsed() >= TTL, "reaped before the TTL");
    // No entries and no tombstones left: the KV tables' index, never lower.
    assert!(list_index(&s, "a/").await >= before_a);
    assert!(list_index(&s, "b").await >= before_b);
    let (meta, entry) = kv::get(&s, &QueryOptions::default(), "b").await.unwrap();
    assert!(entry.is_none());
    assert!(meta.index >= before_b);

    // Later deletes are reaped too.
    kv::apply(&s, req(KvOp::Set, "c")).await.unwrap();
    kv::apply(&s, req(KvOp::Delete, "c")).await.unwrap();
    wait_for("the second reap", Duration::from_secs(20), || {
        tombstones(&s) == 0
    })
    .await;
    s.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_leader_reaps_what_the_old_one_left_pending() {
    let leases: Vec<_> = (0..3).map(|_| consul_testkit::reserve_ip()).collect();
    let mut servers = Vec::new();
    for (n, l) in leases.iter().enumerate() {
        // Long enough that the first leader cannot reap before it stops.
        servers.push(start(l.ip(), n, false, Duration::from_secs(3)).await);
    }
    let voters: BTreeMap<u64, String> = servers
        .iter()
        .map(|s| {
            (
                Server::raft_id_of(&s.config().node_id),
                s.config().rpc_addr.to_string(),
            )
        })
        .collect();
    servers[0].bootstrap_with(voters).await.unwrap();
    wait_for("a leader", Duration::from_secs(20), || {
        servers.iter().any(|s| s.is_leader())
    })
    .await;
    let old = servers.iter().position(|s| s.is_leader()).unwrap();
    kv::apply(&servers[old], req(KvOp::Set, "k")).await.unwrap();
    kv::apply(&servers[old], req(KvOp::Delete, "k"))
        .await
        .unwrap();
    // The leader stops before the tombstone's TTL has passed.
    servers[old].shutdown().await;
    let rest: Vec<&Server> = servers
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != old)
        .map(|(_, s)| s)
        .collect();
    wait_for(
        "the tombstone to replicate",
        Duration::from_secs(10),
        || rest.iter().all(|s| tombstones(s) == 1),
    )
    .await;
    wait_for("a new leader's reap", Duration::from_secs(30), || {
        rest.iter().all(|s| tombstones(s) == 0)
    })
    .await;
    assert!(rest.iter().any(|s| s.is_leader()));
    for s in rest {
        s.shutdown().await;
    }
}
