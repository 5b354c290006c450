//! A durable server refuses, at startup and with a message saying what to
//! do, a snapshot written in a newer state format (a downgrade), instead of
//! starting with the state it could not read.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use consul_server::endpoints::kv;
use consul_server::{Server, ServerConfig};
use consul_types::kv::{DirEntry, KvOp, KvRequest};

fn config(ip: std::net::Ipv4Addr, dir: &Path) -> ServerConfig {
    ServerConfig {
        node_name: "s0".into(),
        node_id: format!("00000001-0000-4000-8000-{:012x}", u32::from(ip)),
        datacenter: "dc1".into(),
        data_dir: Some(dir.to_path_buf()),
        rpc_addr: SocketAddr::new(ip.into(), 8300),
        raft_multiplier: 1,
        bootstrap: true,
        rpc_bind: None,
        node_meta: Default::default(),
        tombstone_gc: Default::default(),
        acl: Default::default(),
    }
}

fn snapshots(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir.join("raft/snapshots"))
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "snap"))
                .collect()
        })
        .unwrap_or_default()
}

/// Start a server, waiting while the previous one's port is still held.
async fn restart(cfg: ServerConfig) -> Result<Server, consul_server::RpcError> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        match Server::start(cfg.clone()).await {
            Err(e) if e.to_string().contains("in use") && Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(50)).await
            }
            other => return other,
        }
    }
}

/// Replace a snapshot file's state image, keeping the Raft header
/// (`MAGIC | u32 BE header length | header`).
fn replace_image(path: &Path, image: &[u8]) {
    let bytes = std::fs::read(path).unwrap();
    let header_len = u32::from_be_bytes(bytes[8..12].try_into().unwrap()) as usize;
    let mut out = bytes[..12 + header_len].to_vec();
    out.extend_from_slice(image);
    std::fs::write(path, out).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_snapshot_from_a_newer_format_stops_startup_with_an_upgrade_message() {
    let lease = consul_testkit::reserve_ip();
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(config(lease.ip(), dir.path())).await.unwrap();
    let put = KvRequest {
        op: KvOp::Set,
        dir_ent: DirEntry {
            key: "k".into(),
            value: Some(bytes::Bytes::from_static(b"v")),
            ..Default::default()
        },
    };
    kv::apply(&s, put).await.unwrap();
    s.raft().trigger_snapshot().await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while snapshots(dir.path()).is_empty() {
        assert!(Instant::now() < deadline, "no snapshot written");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    s.shutdown().await;

    // The same server restarts from its own snapshot.
    let s = restart(config(lease.ip(), dir.path())).await.unwrap();
    let (_, e) = kv::get(&s, &Default::default(), "k").await.unwrap();
    assert!(e.is_some(), "state restored");
    s.shutdown().await;

    // As if a newer version had written it.
    let newer =
        rmp_serde::to_vec_named(&serde_json::json!({ "version": 3, "sections": [] })).unwrap();
    for snap in snapshots(dir.path()) {
        replace_image(&snap, &newer);
    }
    let err = match restart(config(lease.ip(), dir.path())).await {
        Ok(_) => panic!("started from a snapshot it cannot read"),
        Err(e) => e.to_string(),
    };
    assert!(
        err.contains(
            "snapshot format v3 is newer than this server supports (v2); \
             upgrade this server to restore it"
        ),
        "{err}"
    );
}
