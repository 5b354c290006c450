//! The FSM's rules for what it cannot or will not apply: typed refusals,
//! ignorable unknown commands skipped, other unknown commands stopping the
//! server instead of letting it diverge.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use consul_raft::StateMachine;
use consul_server::fsm::Fsm;
use consul_server::{RpcError, Server, ServerConfig};
use consul_state::Store;
use consul_types::catalog::{HealthCheck, RegisterRequest};
use consul_types::command::{
    Command, CommandError, CommandResult, COMMAND_FORMAT_V1, IGNORABLE_FLAG,
};
use consul_types::kv::{DirEntry, KvOp, KvRequest};

/// A command from a newer version: a variant this version does not have.
fn future_command(ignorable: bool) -> Vec<u8> {
    let flag = if ignorable { IGNORABLE_FLAG } else { 0 };
    let mut out = vec![COMMAND_FORMAT_V1 | flag];
    let body = serde_json::json!({ "SessionCreate": { "ID": "s1", "Node": "n1" } });
    out.extend(rmp_serde::to_vec_named(&body).unwrap());
    out
}

fn put(key: &str) -> Command {
    Command::Kv(KvRequest {
        op: KvOp::Set,
        dir_ent: DirEntry {
            key: key.into(),
            value: Some(bytes::Bytes::from_static(b"v")),
            ..Default::default()
        },
    })
}

fn check_on_missing_node() -> Command {
    Command::Register(RegisterRequest {
        node: "ghost".into(),
        skip_node_update: true,
        checks: vec![HealthCheck {
            node: "ghost".into(),
            check_id: "c".into(),
            ..Default::default()
        }],
        ..Default::default()
    })
}

#[test]
fn refusals_are_typed_and_keep_their_message() {
    let fsm = Fsm::new(Arc::new(Store::new()));
    let r = fsm.apply(1, &check_on_missing_node().encode()).unwrap();
    assert_eq!(
        CommandResult::decode(&r),
        CommandResult::Rejected(CommandError::Failed("Missing node registration".into()))
    );
    let r = fsm.apply(2, &put("k").encode()).unwrap();
    assert_eq!(CommandResult::decode(&r), CommandResult::Bool(true));
}

#[test]
fn an_ignorable_unknown_command_is_skipped_with_an_error_result() {
    let store = Arc::new(Store::new());
    let fsm = Fsm::new(store.clone());
    let seq = store.snapshot().seq();
    let r = fsm
        .apply(1, &future_command(true))
        .expect("skipped, not fatal");
    match CommandResult::decode(&r) {
        CommandResult::Rejected(CommandError::Unsupported(m)) => {
            assert!(m.contains("not supported by this server"), "{m}")
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(store.snapshot().seq(), seq, "nothing applied");
}

#[test]
fn an_unknown_command_not_marked_ignorable_is_fatal() {
    let fsm = Fsm::new(Arc::new(Store::new()));
    let err = fsm.apply(1, &future_command(false)).unwrap_err();
    assert!(err.0.contains("upgrade this server"), "{err}");
    // Garbage and unknown format versions too.
    assert!(fsm.apply(2, &[COMMAND_FORMAT_V1, 0xc1]).is_err());
    assert!(fsm.apply(3, &[0x7f]).is_err());
    assert!(fsm.apply(4, &[]).is_err());
    // …but with the flag an unknown version is skipped.
    assert!(fsm.apply(5, &[0x7f | IGNORABLE_FLAG]).is_ok());
}

async fn start(ip: std::net::Ipv4Addr) -> Server {
    Server::start(ServerConfig {
        node_name: "s0".into(),
        node_id: format!("00000001-0000-4000-8000-{:012x}", u32::from(ip)),
        datacenter: "dc1".into(),
        data_dir: None,
        rpc_addr: SocketAddr::new(ip.into(), 8300),
        raft_multiplier: 1,
        bootstrap: true,
        rpc_bind: None,
        node_meta: Default::default(),
        tombstone_gc: Default::default(),
        acl: Default::default(),
    })
    .await
    .expect("server starts")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_stops_applying_at_a_command_it_cannot_decode() {
    let lease = consul_testkit::reserve_ip();
    let server = start(lease.ip()).await;
    server.apply(put("a")).await.unwrap();
    // A typed refusal reaches the caller as the error of its kind (500 here,
    // as Consul answers its state store's errors).
    assert_eq!(
        server.apply(check_on_missing_node()).await.unwrap_err(),
        RpcError::Internal("Missing node registration".into())
    );

    // Ignorable: the client learns it failed, the server carries on.
    let (_, r) = server.raft().write(future_command(true)).await.unwrap();
    assert!(matches!(
        CommandResult::decode(&r),
        CommandResult::Rejected(CommandError::Unsupported(_))
    ));
    server.apply(put("b")).await.unwrap();

    // Not ignorable: Raft stops on this server and says why.
    assert!(server.raft().write(future_command(false)).await.is_err());
    let reason = tokio::time::timeout(Duration::from_secs(10), server.failed())
        .await
        .expect("raft stops");
    assert!(reason.contains("cannot decode command"), "{reason}");
    assert!(server.apply(put("c")).await.is_err());
    let mut ws = consul_state::WatchSet::new();
    let snap = server.store().snapshot();
    assert!(snap.kv_get(&mut ws, "b").1.is_some());
    assert!(snap.kv_get(&mut ws, "c").1.is_none());
    server.shutdown().await;
}
