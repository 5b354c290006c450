//! Three in-process servers talking over the real server port: a follower
//! forwards writes and default reads to the leader, serves stale reads
//! itself, and the cluster keeps working after the leader stops.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

use consul_server::endpoints::kv::{KeyRequest, KvRpc, KvsRequest};
use consul_server::rpc::{RpcRequest, RpcResponse, WireQueryOptions};
use consul_server::{Server, ServerConfig};
use consul_types::kv::{DirEntry, KvOp};

async fn start(ip: std::net::Ipv4Addr, n: usize) -> Server {
    let node_id = format!("{n:08x}-0000-4000-8000-{:012x}", u32::from(ip));
    Server::start(ServerConfig {
        node_name: format!("s{n}"),
        node_id,
        datacenter: "dc1".into(),
        data_dir: None,
        rpc_addr: SocketAddr::new(ip.into(), 8300),
        raft_multiplier: 1,
        bootstrap: false,
        rpc_bind: None,
        node_meta: Default::default(),
        tombstone_gc: Default::default(),
        acl: Default::default(),
    })
    .await
    .expect("server starts")
}

fn put(key: &str, value: &str) -> RpcRequest {
    RpcRequest::Kv(KvRpc::Apply(KvsRequest {
        datacenter: String::new(),
        op: KvOp::Set,
        dir_ent: DirEntry {
            key: key.into(),
            value: Some(value.as_bytes().to_vec().into()),
            ..Default::default()
        },
        token: Default::default(),
    }))
}

fn get(key: &str, stale: bool) -> RpcRequest {
    RpcRequest::Kv(KvRpc::Get(KeyRequest {
        key: key.into(),
        query_options: WireQueryOptions {
            allow_stale: stale,
            ..Default::default()
        },
        ..Default::default()
    }))
}

fn value_of(resp: RpcResponse) -> Option<String> {
    match resp {
        RpcResponse::DirEntries(d) => d
            .entries
            .first()
            .and_then(|e| e.value.as_ref())
            .map(|v| String::from_utf8_lossy(v).into_owned()),
        other => panic!("unexpected {other:?}"),
    }
}

async fn wait_leader(servers: &[&Server]) -> usize {
    for _ in 0..400 {
        if let Some(i) = servers.iter().position(|s| s.is_leader()) {
            if servers.iter().all(|s| s.leader_addr().is_some()) {
                return i;
            }
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("no leader");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn followers_forward_to_the_leader_and_survive_its_loss() {
    let leases: Vec<_> = (0..3).map(|_| consul_testkit::reserve_ip()).collect();
    let mut servers = Vec::new();
    for (n, l) in leases.iter().enumerate() {
        servers.push(start(l.ip(), n).await);
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
    for s in &servers {
        s.bootstrap_with(voters.clone()).await.unwrap();
    }
    let refs: Vec<&Server> = servers.iter().collect();
    let leader = wait_leader(&refs).await;
    let follower = (leader + 1) % 3;

    // A write on a follower is forwarded and acknowledged.
    assert!(matches!(
        servers[follower].handle(put("k", "v1")).await.unwrap(),
        RpcResponse::Bool(true)
    ));
    // A default read on a follower is answered by the leader: it sees the write.
    assert_eq!(
        value_of(servers[follower].handle(get("k", false)).await.unwrap()).as_deref(),
        Some("v1")
    );
    // A stale read is served locally and catches up.
    let other = (leader + 2) % 3;
    let mut seen = None;
    for _ in 0..200 {
        seen = value_of(servers[other].handle(get("k", true)).await.unwrap());
        if seen.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(seen.as_deref(), Some("v1"));

    // The leader goes away; the other two elect a new one and keep serving.
    servers[leader].shutdown().await;
    let rest: Vec<&Server> = servers
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != leader)
        .map(|(_, s)| s)
        .collect();
    let mut ok = false;
    for _ in 0..400 {
        if rest.iter().any(|s| s.is_leader()) {
            if let Ok(RpcResponse::Bool(true)) = rest[0].handle(put("k", "v2")).await {
                ok = true;
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(ok, "writes did not resume after the leader stopped");
    assert_eq!(
        value_of(rest[1].handle(get("k", false)).await.unwrap()).as_deref(),
        Some("v2")
    );
    for s in rest {
        s.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_isolated_leader_refuses_default_reads_once_its_lease_is_gone() {
    let leases: Vec<_> = (0..3).map(|_| consul_testkit::reserve_ip()).collect();
    let mut servers = Vec::new();
    for (n, l) in leases.iter().enumerate() {
        servers.push(start(l.ip(), n).await);
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
    for s in &servers {
        s.bootstrap_with(voters.clone()).await.unwrap();
    }
    let refs: Vec<&Server> = servers.iter().collect();
    let leader = wait_leader(&refs).await;
    assert!(matches!(
        servers[leader].handle(put("k", "v1")).await.unwrap(),
        RpcResponse::Bool(true)
    ));
    assert_eq!(
        value_of(servers[leader].handle(get("k", false)).await.unwrap()).as_deref(),
        Some("v1")
    );
    // Both followers vanish: the leader can no longer prove it leads.
    for (i, s) in servers.iter().enumerate() {
        if i != leader {
            s.shutdown().await;
        }
    }
    tokio::time::sleep(Duration::from_secs(2)).await; // past the lease (0.8 s at multiplier 1)
    let started = std::time::Instant::now();
    let r = servers[leader].handle(get("k", false)).await;
    assert!(
        r.is_err(),
        "an isolated leader answered a default read: {r:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(15));
    // Stale reads still answer from local state, as Consul's do.
    assert_eq!(
        value_of(servers[leader].handle(get("k", true)).await.unwrap()).as_deref(),
        Some("v1")
    );
    servers[leader].shutdown().await;
}
