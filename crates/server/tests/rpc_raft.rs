//! Three in-process Raft nodes talking over the RPC port's Raft transport on 127.0.0.x:
//! election, replication, leader loss, snapshot install, and throughput figures.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use consul_raft::{RaftConfig, RaftNode, StateMachine};
use consul_server::rpc::*;
use consul_server::RpcError;

/// Records every applied command; the snapshot is the list itself.
#[derive(Default)]
struct Recorder {
    log: Mutex<Vec<(u64, Vec<u8>)>>,
    restored_at: Mutex<Option<u64>>,
}

impl Recorder {
    fn len(&self) -> usize {
        self.log.lock().unwrap().len()
    }
}

impl StateMachine for Recorder {
    fn apply(&self, index: u64, command: &[u8]) -> Result<Vec<u8>, consul_raft::ApplyError> {
        self.log.lock().unwrap().push((index, command.to_vec()));
        Ok(command.to_vec())
    }
    fn snapshot(&self) -> Vec<u8> {
        serde_json::to_vec(&*self.log.lock().unwrap()).unwrap()
    }
    fn restore(&self, index: u64, data: &[u8]) -> Result<(), String> {
        let v: Vec<(u64, Vec<u8>)> = serde_json::from_slice(data).map_err(|e| e.to_string())?;
        *self.log.lock().unwrap() = v;
        *self.restored_at.lock().unwrap() = Some(index);
        Ok(())
    }
}

struct Server {
    id: u64,
    addr: String,
    node: RaftNode,
    listener: RpcListener,
    sm: Arc<Recorder>,
}

fn no_rpc() -> Arc<dyn RpcHandler> {
    Arc::new(|_req: RpcRequest| async { Err(RpcError::BadRequest("raft only".into())) })
}

async fn start_server(id: u64, channel: RaftChannel, tweak: impl Fn(&mut RaftConfig)) -> Server {
    start_server_with(id, channel, None, tweak).await
}

async fn start_server_with(
    id: u64,
    channel: RaftChannel,
    direct: Option<Direct>,
    tweak: impl Fn(&mut RaftConfig),
) -> Server {
    let bind = format!("127.0.0.{id}:0").parse().unwrap();
    let listener = RpcListener::bind(bind, no_rpc(), ListenerConfig::default())
        .await
        .unwrap();
    let addr = listener.local_addr().to_string();
    let transport = RpcTransport::new(
        ConnPool::new(PoolConfig::default()),
        RaftTransportConfig {
            rpc_timeout: Duration::from_millis(500),
            channel,
            ..Default::default()
        },
    );
    let mut cfg = RaftConfig::consul_defaults(id, addr.clone(), None, 1);
    cfg.heartbeat_interval = Duration::from_millis(50);
    cfg.election_timeout_min = Duration::from_millis(300);
    cfg.election_timeout_max = Duration::from_millis(600);
    tweak(&mut cfg);
    let sm = Arc::new(Recorder::default());
    let transport: Arc<dyn consul_raft::Transport> = match &direct {
        Some(d) => Arc::new(d.clone()),
        None => Arc::new(transport),
    };
    let node = RaftNode::start(cfg, sm.clone(), transport).await.unwrap();
    listener.raft_slot().set(node.clone());
    if let Some(d) = direct {
        d.0.lock().unwrap().insert(id, node.clone());
    }
    Server {
        id,
        addr,
        node,
        listener,
        sm,
    }
}

async fn start_cluster(channel: RaftChannel) -> Vec<Server> {
    start_cluster_with(channel, None).await
}

async fn start_cluster_with(channel: RaftChannel, direct: Option<Direct>) -> Vec<Server> {
    let mut servers = Vec::new();
    for id in 1..=3 {
        servers.push(start_server_with(id, channel, direct.clone(), |_| {}).await);
    }
    let members: BTreeMap<u64, String> = servers.iter().map(|s| (s.id, s.addr.clone())).collect();
    servers[0].node.bootstrap(members).await.unwrap();
    servers
}

async fn wait_until(what: &str, timeout: Duration, mut ok: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !ok() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn leader_of(servers: &[&Server]) -> usize {
    let mut found = None;
    wait_until("a leader", Duration::from_secs(10), || {
        found = servers.iter().position(|s| s.node.is_leader());
        found.is_some()
    })
    .await;
    found.unwrap()
}

async fn shutdown(s: &Server) {
    s.listener.shutdown();
    s.node.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_nodes_elect_replicate_and_survive_leader_loss() {
    let servers = start_cluster(RaftChannel::Dedicated).await;
    let all: Vec<&Server> = servers.iter().collect();
    let li = leader_of(&all).await;
    let leader = &servers[li];
    for i in 0..100u32 {
        let (index, resp) = leader.node.write(i.to_be_bytes().to_vec()).await.unwrap();
        assert_eq!(index, u64::from(i) + 1);
        assert_eq!(resp, i.to_be_bytes().to_vec());
    }
    wait_until("replication to all", Duration::from_secs(5), || {
        servers.iter().all(|s| s.sm.len() == 100)
    })
    .await;
    // Every follower agrees on the leader.
    for s in &servers {
        assert_eq!(s.node.leader().map(|l| l.0), Some(leader.id));
    }

    // Kill the leader: the other two elect a new one and keep taking writes.
    let started = Instant::now();
    shutdown(leader).await;
    let rest: Vec<&Server> = servers.iter().filter(|s| s.id != leader.id).collect();
    let ni = leader_of(&rest).await;
    let new_leader = rest[ni];
    new_leader.node.write(b"after".to_vec()).await.unwrap();
    println!(
        "failover (leader shutdown -> first write on the new leader): {:?}",
        started.elapsed()
    );
    for i in 0..49u32 {
        new_leader
            .node
            .write(i.to_le_bytes().to_vec())
            .await
            .unwrap();
    }
    wait_until(
        "replication to the survivors",
        Duration::from_secs(5),
        || rest.iter().all(|s| s.sm.len() == 150),
    )
    .await;
    let a = rest[0].sm.log.lock().unwrap().clone();
    let b = rest[1].sm.log.lock().unwrap().clone();
    assert_eq!(a, b);
    for s in &rest {
        shutdown(s).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lagging_server_catches_up_by_snapshot_over_the_transport() {
    let tweak = |c: &mut RaftConfig| {
        c.snapshot_threshold = 50;
        c.trailing_logs = 0;
    };
    let s1 = start_server(1, RaftChannel::Dedicated, tweak).await;
    let s2 = start_server(2, RaftChannel::Dedicated, tweak).await;
    let s3 = start_server(3, RaftChannel::Dedicated, tweak).await;
    s1.node
        .bootstrap(BTreeMap::from([(1, s1.addr.clone()), (2, s2.addr.clone())]))
        .await
        .unwrap();
    let pair = [&s1, &s2];
    let leader = pair[leader_of(&pair).await];
    for i in 0..300u32 {
        leader.node.write(i.to_be_bytes().to_vec()).await.unwrap();
    }
    // A snapshot started by the threshold may still be building (it ignores the trigger and
    // covers fewer entries), so trigger again until one covers every write.
    let deadline = Instant::now() + Duration::from_secs(20);
    while leader.node.stats().snapshot_index < 300 {
        assert!(
            Instant::now() < deadline,
            "timed out waiting for a snapshot"
        );
        leader.node.trigger_snapshot().await.unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The log before the snapshot is gone: s3 can only catch up through InstallSnapshot.
    leader
        .node
        .add_learner(3, s3.addr.clone(), true)
        .await
        .unwrap();
    wait_until("s3 to catch up", Duration::from_secs(10), || {
        s3.sm.len() == 300
    })
    .await;
    assert!(s3.sm.restored_at.lock().unwrap().is_some());
    assert_eq!(*s3.sm.log.lock().unwrap(), *leader.sm.log.lock().unwrap());
    for s in [&s1, &s2, &s3] {
        shutdown(s).await;
    }
}

async fn throughput(channel: RaftChannel, direct: Option<Direct>) {
    let label = if direct.is_some() {
        "in-process calls (baseline)".to_string()
    } else {
        format!("{channel:?} RPC")
    };
    let servers = start_cluster_with(channel, direct).await;
    let all: Vec<&Server> = servers.iter().collect();
    let leader = servers[leader_of(&all).await].node.clone();
    // Sequential: one write at a time (commit latency).
    let n_seq = 300;
    let t = Instant::now();
    for i in 0..n_seq {
        leader.write(format!("s{i}").into_bytes()).await.unwrap();
    }
    let seq = t.elapsed();
    // Concurrent: 64 writers (group-committed into batches).
    let writers = 64;
    let per = 100;
    let t = Instant::now();
    let tasks: Vec<_> = (0..writers)
        .map(|w| {
            let leader = leader.clone();
            tokio::spawn(async move {
                for i in 0..per {
                    leader
                        .write(format!("w{w}-{i}-{}", "x".repeat(64)).into_bytes())
                        .await
                        .unwrap();
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let conc = t.elapsed();
    let total = n_seq + writers * per;
    wait_until("replication to all", Duration::from_secs(10), || {
        servers.iter().all(|s| s.sm.len() == total)
    })
    .await;
    println!(
        "raft over {label} (in-memory logs, 3 nodes): sequential write {:?}/op; \
         64 writers: {:.0} writes/s",
        seq / n_seq as u32,
        (writers * per) as f64 / conc.as_secs_f64()
    );
    for s in &servers {
        shutdown(s).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn raft_throughput_dedicated_connections() {
    throughput(RaftChannel::Dedicated, None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn raft_throughput_multiplexed_streams() {
    throughput(RaftChannel::Multiplexed, None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn raft_throughput_in_process_baseline() {
    throughput(RaftChannel::Dedicated, Some(Direct::default())).await;
}

/// A transport that calls the target node directly (no network): the baseline.
#[derive(Clone, Default)]
struct Direct(Arc<Mutex<std::collections::HashMap<u64, RaftNode>>>);

impl Direct {
    fn get(&self, id: u64) -> Result<RaftNode, consul_raft::TransportError> {
        self.0
            .lock()
            .unwrap()
            .get(&id)
            .cloned()
            .ok_or_else(|| consul_raft::TransportError::Unreachable(format!("{id} unknown")))
    }
}

fn remote(e: consul_raft::RaftError) -> consul_raft::TransportError {
    consul_raft::TransportError::Remote(e.to_string())
}

impl consul_raft::Transport for Direct {
    fn append_entries(
        &self,
        target: u64,
        _: &str,
        req: consul_raft::AppendEntriesRequest,
    ) -> consul_raft::BoxFuture<
        Result<consul_raft::AppendEntriesResponse, consul_raft::TransportError>,
    > {
        let n = self.get(target);
        Box::pin(async move { n?.handle_append_entries(req).await.map_err(remote) })
    }
    fn vote(
        &self,
        target: u64,
        _: &str,
        req: consul_raft::VoteRequest,
    ) -> consul_raft::BoxFuture<Result<consul_raft::VoteResponse, consul_raft::TransportError>>
    {
        let n = self.get(target);
        Box::pin(async move { n?.handle_vote(req).await.map_err(remote) })
    }
    fn install_snapshot(
        &self,
        target: u64,
        _: &str,
        req: consul_raft::InstallSnapshotRequestFull,
    ) -> consul_raft::BoxFuture<Result<consul_raft::SnapshotResponse, consul_raft::TransportError>>
    {
        let n = self.get(target);
        Box::pin(async move { n?.handle_install_snapshot(req).await.map_err(remote) })
    }
}
