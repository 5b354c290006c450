//! Three in-process servers over the real server port: the Raft
//! configuration and peer removal (`Operator.*`, forwarded from followers),
//! autopilot health and dead-server cleanup fed by a hand-made gossip view,
//! and a leader's graceful leave.

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use consul_server::autopilot;
use consul_server::endpoints::kv::{KvRpc, KvsRequest};
use consul_server::endpoints::operator::{
    AutopilotConfig, AutopilotSetConfigRequest, OperatorRpc, RaftConfigurationResponse,
    RaftRemovePeerRequest,
};
use consul_server::membership::{Member, MemberState};
use consul_server::rpc::{DcSpecificRequest, RpcRequest, RpcResponse, WireQueryOptions};
use consul_server::{LeaveOutcome, RpcError, Server, ServerConfig};
use consul_types::kv::{DirEntry, KvOp};

fn node_id(ip: Ipv4Addr, n: usize) -> String {
    format!("{n:08x}-0000-4000-8000-{:012x}", u32::from(ip))
}

async fn start(ip: Ipv4Addr, n: usize) -> Server {
    Server::start(ServerConfig {
        node_name: format!("s{n}"),
        node_id: node_id(ip, n),
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

async fn cluster(leases: &[consul_testkit::IpLease]) -> Vec<Server> {
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
    servers
}

fn member(s: &Server, state: MemberState) -> Member {
    Member {
        name: s.config().node_name.clone(),
        id: s.config().node_id.clone(),
        addr: s.config().rpc_addr.ip(),
        state,
        datacenter: "dc1".into(),
        server_port: Some(s.config().rpc_addr.port()),
        bootstrap: false,
    }
}

/// Index of the leader once every server knows one.
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

async fn wait_for(what: &str, mut cond: impl FnMut() -> bool) {
    for _ in 0..600 {
        if cond() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("timed out waiting for {what}");
}

fn get_conf(stale: bool) -> RpcRequest {
    RpcRequest::Operator(OperatorRpc::RaftGetConfiguration(DcSpecificRequest {
        query_options: WireQueryOptions {
            allow_stale: stale,
            ..Default::default()
        },
        ..Default::default()
    }))
}

async fn conf(s: &Server, stale: bool) -> RaftConfigurationResponse {
    s.handle(get_conf(stale))
        .await
        .unwrap()
        .into_raft_configuration()
        .unwrap()
}

fn remove_by_id(id: &str) -> RpcRequest {
    RpcRequest::Operator(OperatorRpc::RaftRemovePeerById(RaftRemovePeerRequest {
        id: id.into(),
        ..Default::default()
    }))
}

fn remove_by_address(addr: &str) -> RpcRequest {
    RpcRequest::Operator(OperatorRpc::RaftRemovePeerByAddress(
        RaftRemovePeerRequest {
            address: addr.into(),
            ..Default::default()
        },
    ))
}

fn put(key: &str) -> RpcRequest {
    RpcRequest::Kv(KvRpc::Apply(KvsRequest {
        datacenter: String::new(),
        op: KvOp::Set,
        dir_ent: DirEntry {
            key: key.into(),
            value: Some(b"v".to_vec().into()),
            ..Default::default()
        },
        token: Default::default(),
    }))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn raft_configuration_and_peer_removal() {
    let leases: Vec<_> = (0..3).map(|_| consul_testkit::reserve_ip()).collect();
    let servers = cluster(&leases).await;
    let refs: Vec<&Server> = servers.iter().collect();
    let leader = wait_leader(&refs).await;
    let (f1, f2) = ((leader + 1) % 3, (leader + 2) % 3);

    // Without catalog or gossip the members are listed by raft id.
    let c = conf(&servers[f1], false).await;
    assert_eq!(c.servers.len(), 3);
    assert!(c.index > 0);
    assert!(c.servers.iter().all(|s| s.node == "(unknown)" && s.voter));
    // Once gossip is known, names and UUIDs come from it.
    let all: Vec<Member> = servers
        .iter()
        .map(|s| member(s, MemberState::Alive))
        .collect();
    for s in &servers {
        autopilot::observe(s, &all);
    }
    let c = conf(&servers[f1], false).await;
    for (n, s) in servers.iter().enumerate() {
        let row = c
            .servers
            .iter()
            .find(|r| r.address == s.config().rpc_addr.to_string())
            .expect("listed");
        assert_eq!(row.id, s.config().node_id);
        assert_eq!(row.node, format!("s{n}"));
        assert_eq!(row.protocol_version, "3");
        assert_eq!(row.leader, n == leader);
    }
    // ?stale is answered by the follower itself.
    assert_eq!(conf(&servers[f2], true).await.servers.len(), 3);

    // Unknown peers are errors with Consul's wording.
    let e = servers[f1].handle(remove_by_id("nope")).await.unwrap_err();
    assert_eq!(
        e,
        RpcError::Internal("id \"nope\" was not found in the Raft configuration".into())
    );
    let e = servers[f1]
        .handle(remove_by_address("10.1.1.1:8300"))
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "address \"10.1.1.1:8300\" was not found in the Raft configuration"
    );

    // Removing a follower by ID through the other follower.
    let gone = servers[f2].config().node_id.clone();
    assert!(matches!(
        servers[f1].handle(remove_by_id(&gone)).await.unwrap(),
        RpcResponse::Empty
    ));
    let c = conf(&servers[leader], false).await;
    assert_eq!(c.servers.len(), 2);
    assert!(c.servers.iter().all(|s| s.id != gone));
    // And the cluster still takes writes.
    assert!(matches!(
        servers[f1].handle(put("k")).await.unwrap(),
        RpcResponse::Bool(true)
    ));
    for s in &servers {
        s.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn autopilot_health_and_dead_server_cleanup() {
    let leases: Vec<_> = (0..3).map(|_| consul_testkit::reserve_ip()).collect();
    let servers = cluster(&leases).await;
    let refs: Vec<&Server> = servers.iter().collect();
    let leader = wait_leader(&refs).await;
    let (f1, f2) = ((leader + 1) % 3, (leader + 2) % 3);
    let alive: Vec<Member> = servers
        .iter()
        .map(|s| member(s, MemberState::Alive))
        .collect();
    autopilot::observe(&servers[leader], &alive);

    let health = || async {
        servers[f1]
            .handle(RpcRequest::Operator(OperatorRpc::ServerHealth(
                DcSpecificRequest::default(),
            )))
            .await
            .unwrap()
            .into_operator_health()
            .unwrap()
    };
    let mut h = health().await;
    for _ in 0..100 {
        if h.healthy {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        h = health().await;
    }
    assert!(h.healthy, "{h:?}");
    assert_eq!(h.failure_tolerance, 1);
    assert_eq!(h.servers.len(), 3);
    assert!(h
        .servers
        .iter()
        .all(|s| s.serf_status == "alive" && s.voter));

    // Cleanup off: the failed server is reported, not removed.
    let set = |cleanup: bool| {
        RpcRequest::Operator(OperatorRpc::AutopilotSetConfiguration(
            AutopilotSetConfigRequest {
                config: AutopilotConfig {
                    cleanup_dead_servers: cleanup,
                    ..Default::default()
                },
                ..Default::default()
            },
        ))
    };
    assert!(matches!(
        servers[f1].handle(set(false)).await.unwrap(),
        RpcResponse::Bool(true)
    ));
    servers[f2].shutdown().await;
    let mut view = alive.clone();
    view[f2].state = MemberState::Failed;
    autopilot::observe(&servers[leader], &view);
    let h = health().await;
    assert!(!h.healthy);
    assert_eq!(h.failure_tolerance, 0);
    let dead = h
        .servers
        .iter()
        .find(|s| s.id == servers[f2].config().node_id)
        .expect("listed");
    assert_eq!(dead.serf_status, "failed");
    assert!(!dead.healthy);
    assert!(autopilot::prune_dead_servers(&servers[leader])
        .await
        .is_empty());
    assert_eq!(servers[leader].raft().members().len(), 3);

    // Cleanup on: it goes (by the loop or by this call, whichever runs first).
    servers[f1].handle(set(true)).await.unwrap();
    autopilot::prune_dead_servers(&servers[leader]).await;
    wait_for("dead server removal", || {
        servers[leader].raft().members().len() == 2
    })
    .await;
    let dead_id = Server::raft_id_of(&servers[f2].config().node_id);
    assert!(servers[leader]
        .raft()
        .members()
        .iter()
        .all(|m| m.0 != dead_id));
    // Two voters left: losing another may not be "cleaned up".
    let mut view2 = view.clone();
    view2[f1].state = MemberState::Failed;
    autopilot::observe(&servers[leader], &view2);
    assert!(autopilot::prune_dead_servers(&servers[leader])
        .await
        .is_empty());
    for s in &servers {
        s.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_leaving_leader_hands_over_and_leaves_the_configuration() {
    let leases: Vec<_> = (0..3).map(|_| consul_testkit::reserve_ip()).collect();
    let servers = cluster(&leases).await;
    let refs: Vec<&Server> = servers.iter().collect();
    let leader = wait_leader(&refs).await;
    servers[leader].handle(put("before")).await.unwrap();
    let old_id = servers[leader].raft().id();

    let outcome = servers[leader].leave().await.unwrap();
    let LeaveOutcome::SteppedDown { successor } = outcome else {
        panic!("unexpected {outcome:?}");
    };
    assert!(!servers[leader].is_leader());
    let rest: Vec<&Server> = servers
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != leader)
        .map(|(_, s)| s)
        .collect();
    assert!(rest
        .iter()
        .any(|s| s.config().rpc_addr.to_string() == successor));
    // The other two elect a leader among themselves and keep serving.
    wait_for("a new leader", || {
        rest.iter().any(|s| s.is_leader())
            && rest
                .iter()
                .all(|s| s.raft().leader().is_some_and(|l| l.0 != old_id))
    })
    .await;
    assert!(matches!(
        rest[0].handle(put("after")).await.unwrap(),
        RpcResponse::Bool(true)
    ));
    for s in &rest {
        let members = s.raft().members();
        assert_eq!(members.len(), 2, "{members:?}");
        assert!(members.iter().all(|m| m.0 != old_id));
    }
    assert_eq!(
        servers[leader].leave().await.unwrap(),
        LeaveOutcome::NotAMember
    );

    // A follower's leave asks the leader; the last server stays.
    let l2 = rest.iter().position(|s| s.is_leader()).unwrap();
    let follower = rest[1 - l2];
    assert_eq!(follower.leave().await.unwrap(), LeaveOutcome::Removed);
    wait_for("follower removal", || rest[l2].raft().members().len() == 1).await;
    assert_eq!(rest[l2].leave().await.unwrap(), LeaveOutcome::LastServer);
    for s in &servers {
        s.shutdown().await;
    }
}
