//! The server port over loopback: demux by first byte, calls through the pool, concurrency
//! on one connection, reconnect after a restart, timeouts, idle close, and latency.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use consul_server::endpoints::catalog::CatalogRpc;
use consul_server::endpoints::kv::{KeyRequest, KvRpc};
use consul_server::endpoints::status::StatusRpc;
use consul_server::rpc::*;
use consul_server::RpcError;
use consul_types::kv::DirEntry;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Answers Ping, Leader, and KV gets of `sleep/<ms>`, `missing` or any key (echoed back).
fn handler() -> Arc<dyn RpcHandler> {
    Arc::new(|req: RpcRequest| async move {
        match req {
            RpcRequest::Status(StatusRpc::Ping) => Ok(RpcResponse::Empty),
            RpcRequest::Status(StatusRpc::Leader(_)) => Ok(RpcResponse::String("me".into())),
            RpcRequest::Kv(KvRpc::Get(r)) => {
                if let Some(ms) = r.key.strip_prefix("sleep/") {
                    let ms: u64 = ms.parse().unwrap_or(0);
                    tokio::time::sleep(Duration::from_millis(ms)).await;
                }
                if r.key == "missing" {
                    return Err(RpcError::NotFound("no such key".into()));
                }
                Ok(RpcResponse::DirEntries(IndexedDirEntries {
                    entries: vec![DirEntry {
                        key: r.key,
                        ..Default::default()
                    }],
                    query_meta: WireQueryMeta {
                        index: r.query_options.min_query_index + 1,
                        known_leader: true,
                        ..Default::default()
                    },
                }))
            }
            _ => Err(RpcError::BadRequest("unsupported in this test".into())),
        }
    })
}

async fn listen(addr: &str) -> RpcListener {
    RpcListener::bind(addr.parse().unwrap(), handler(), ListenerConfig::default())
        .await
        .unwrap()
}

fn get(key: &str) -> RpcRequest {
    RpcRequest::Kv(KvRpc::Get(KeyRequest {
        key: key.into(),
        ..Default::default()
    }))
}

const T: Duration = Duration::from_secs(5);

/// Whether the server closes the connection (EOF or reset) within a second; it may say
/// goodbye first (yamux sends a GoAway on a protocol error).
async fn closed_by_server(sock: &mut TcpStream) -> bool {
    let mut buf = [0u8; 64];
    let deadline = tokio::time::Instant::now() + Duration::from_secs(1);
    loop {
        match tokio::time::timeout_at(deadline, sock.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => continue,
            Err(_) => return false,
        }
    }
}

#[tokio::test]
async fn unknown_and_unsupported_first_bytes_are_closed() {
    let l = listen("127.0.0.1:0").await;
    for byte in [
        0xEEu8, 0x16, /* a TLS ClientHello */
        0, 2, 3, 5, 6, 7, 8,
    ] {
        let mut sock = TcpStream::connect(l.local_addr()).await.unwrap();
        sock.write_all(&[byte, 1, 2, 3]).await.unwrap();
        assert!(closed_by_server(&mut sock).await, "byte {byte} not closed");
    }
    // yamux byte followed by garbage instead of yamux frames.
    let mut sock = TcpStream::connect(l.local_addr()).await.unwrap();
    sock.write_all(&[4, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0])
        .await
        .unwrap();
    assert!(closed_by_server(&mut sock).await);
    // The port still serves.
    let pool = ConnPool::new(PoolConfig::default());
    pool.call(l.local_addr(), &RpcRequest::Status(StatusRpc::Ping), T)
        .await
        .unwrap()
        .into_empty()
        .unwrap();
}

#[tokio::test]
async fn raft_byte_gets_a_raft_connection() {
    let l = listen("127.0.0.1:0").await;
    let mut sock = TcpStream::connect(l.local_addr()).await.unwrap();
    sock.write_all(&[RpcType::Raft.as_byte()]).await.unwrap();
    let vote = RaftRpc::Vote(consul_raft::VoteRequest {
        vote: consul_raft::types::Vote::new(1, 1),
        last_log_id: None,
    });
    // No Raft node yet: an error answer, and the connection stays usable.
    for _ in 0..2 {
        frame::write_frame(&mut sock, &vote).await.unwrap();
        let reply: Result<RaftReply, WireError> =
            frame::read_frame(&mut sock, frame::MAX_RAFT_FRAME)
                .await
                .unwrap();
        let err = reply.unwrap_err();
        assert!(err.message.contains("raft is not running"), "{err:?}");
    }
    // A malformed body of valid length: BadRequest, connection still in sync.
    sock.write_all(&[0, 0, 0, 3, 0xc1, 0xc1, 0xc1])
        .await
        .unwrap();
    let reply: Result<RaftReply, WireError> = frame::read_frame(&mut sock, frame::MAX_RAFT_FRAME)
        .await
        .unwrap();
    assert_eq!(reply.unwrap_err().kind, "BadRequest");
    // An oversized frame: the server hangs up without reading it.
    sock.write_all(&[0xff, 0xff, 0xff, 0xff]).await.unwrap();
    assert!(closed_by_server(&mut sock).await);
}

#[tokio::test]
async fn typed_calls_and_remote_errors() {
    let l = listen("127.0.0.1:0").await;
    let pool = ConnPool::new(PoolConfig::default());
    let a = l.local_addr();
    let leader = pool
        .call(
            a,
            &RpcRequest::Status(StatusRpc::Leader(Default::default())),
            T,
        )
        .await
        .unwrap()
        .into_string()
        .unwrap();
    assert_eq!(leader, "me");
    let got = pool.call(a, &get("x/y"), T).await.unwrap();
    let got = got.into_dir_entries().unwrap();
    assert_eq!(got.entries[0].key, "x/y");
    assert!(got.query_meta.known_leader);
    match pool.call(a, &get("missing"), T).await {
        Err(CallError::Remote(RpcError::NotFound(m))) => assert_eq!(m, "no such key"),
        other => panic!("expected NotFound, got {other:?}"),
    }
    match pool
        .call(a, &RpcRequest::Catalog(CatalogRpc::ListDatacenters), T)
        .await
    {
        Err(CallError::Remote(RpcError::BadRequest(_))) => {}
        other => panic!("expected BadRequest, got {other:?}"),
    }
    // The wrong accessor is a typed error, not a panic.
    let r = pool.call(a, &RpcRequest::Status(StatusRpc::Ping), T).await;
    assert!(matches!(
        r.unwrap().into_bool(),
        Err(CallError::UnexpectedResponse(_))
    ));
    assert_eq!(pool.stats().dials, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_concurrent_calls_share_one_connection() {
    let l = listen("127.0.0.1:0").await;
    let pool = ConnPool::new(PoolConfig::default());
    let a = l.local_addr();
    let n = 2000;
    let start = Instant::now();
    let calls = (0..n).map(|i| {
        let pool = pool.clone();
        tokio::spawn(async move {
            let key = if i % 10 == 0 {
                "sleep/20".to_string()
            } else {
                format!("k{i}")
            };
            let r = pool.call(a, &get(&key), T).await.unwrap();
            assert_eq!(r.into_dir_entries().unwrap().entries[0].key, key);
        })
    });
    for c in futures::future::join_all(calls).await {
        c.unwrap();
    }
    let took = start.elapsed();
    println!(
        "{n} concurrent calls over one connection: {took:?} ({:.0} calls/s)",
        n as f64 / took.as_secs_f64()
    );
    let s = pool.stats();
    assert_eq!(s.dials, 1, "{s:?}");
    assert_eq!(s.mux_conns, 1, "{s:?}");
}

#[tokio::test]
async fn reconnects_after_server_restart() {
    let l = listen("127.0.0.1:0").await;
    let a: SocketAddr = l.local_addr();
    let pool = ConnPool::new(PoolConfig {
        dial_timeout: Duration::from_secs(1),
        ..Default::default()
    });
    let ping = RpcRequest::Status(StatusRpc::Ping);
    pool.call(a, &ping, T).await.unwrap();
    l.shutdown();
    drop(l);
    tokio::time::sleep(Duration::from_millis(50)).await;
    // Down: the call fails fast (the broken connection is noticed, the redial refused).
    let start = Instant::now();
    let err = pool.call(a, &ping, T).await.unwrap_err();
    assert!(err.is_transport(), "{err:?}");
    assert!(start.elapsed() < Duration::from_secs(10));
    // Back on the same address: the pool redials.
    let _l2 = listen(&a.to_string()).await;
    pool.call(a, &ping, T).await.unwrap();
    assert_eq!(pool.stats().mux_conns, 1);
    assert!(pool.stats().dials >= 2);
}

#[tokio::test]
async fn call_timeout_leaves_the_connection_usable() {
    let l = listen("127.0.0.1:0").await;
    let pool = ConnPool::new(PoolConfig::default());
    let a = l.local_addr();
    let start = Instant::now();
    match pool
        .call(a, &get("sleep/2000"), Duration::from_millis(100))
        .await
    {
        Err(CallError::Timeout { timeout, .. }) => {
            assert_eq!(timeout, Duration::from_millis(100))
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
    // The server would answer after 2 s; returning well before shows the timeout fired.
    assert!(start.elapsed() < Duration::from_millis(1900));
    pool.call(a, &get("after"), T).await.unwrap();
    assert_eq!(pool.stats().dials, 1);
}

#[tokio::test]
async fn dial_failure_is_reported() {
    // Bind then drop to find a port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let pool = ConnPool::new(PoolConfig::default());
    let err = pool
        .call(port, &RpcRequest::Status(StatusRpc::Ping), T)
        .await
        .unwrap_err();
    assert!(matches!(err, CallError::Dial { .. }), "{err:?}");
    assert!(!RpcError::from(err).to_string().is_empty());
}

#[tokio::test]
async fn idle_connections_are_closed() {
    let l = listen("127.0.0.1:0").await;
    let pool = ConnPool::new(PoolConfig {
        idle_timeout: Duration::from_millis(200),
        ..Default::default()
    });
    pool.call(l.local_addr(), &RpcRequest::Status(StatusRpc::Ping), T)
        .await
        .unwrap();
    assert_eq!(pool.stats().mux_conns, 1);
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(pool.stats().mux_conns, 0);
    // And the next call simply redials.
    pool.call(l.local_addr(), &RpcRequest::Status(StatusRpc::Ping), T)
        .await
        .unwrap();
    assert_eq!(pool.stats().dials, 2);
}

#[tokio::test]
async fn shutdown_pool_refuses_calls() {
    let l = listen("127.0.0.1:0").await;
    let pool = ConnPool::new(PoolConfig::default());
    pool.shutdown();
    let err = pool
        .call(l.local_addr(), &RpcRequest::Status(StatusRpc::Ping), T)
        .await
        .unwrap_err();
    assert!(matches!(err, CallError::Shutdown));
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p) as usize]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn small_rpc_round_trip_latency() {
    let l = listen("127.0.0.1:0").await;
    let pool = ConnPool::new(PoolConfig::default());
    let a = l.local_addr();
    let req = get("some/key");
    for _ in 0..200 {
        pool.call(a, &req, T).await.unwrap();
    }
    let mut lat = Vec::new();
    for _ in 0..3000 {
        let t = Instant::now();
        pool.call(a, &req, T).await.unwrap();
        lat.push(t.elapsed());
    }
    lat.sort();
    println!(
        "small RPC round trip on loopback (yamux stream per call): p50 {:?} p90 {:?} p99 {:?}",
        percentile(&lat, 0.5),
        percentile(&lat, 0.9),
        percentile(&lat, 0.99)
    );
    // Latency is a benchmark figure (printed above), not asserted: tests run on shared cores.
    assert_eq!(lat.len(), 3000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousands_of_parked_calls_on_one_connection() {
    // Like blocking queries: every call waits on the server; none may wait for another.
    let l = listen("127.0.0.1:0").await;
    let pool = ConnPool::new(PoolConfig::default());
    let a = l.local_addr();
    let n = 3000;
    let start = Instant::now();
    let calls = (0..n).map(|_| {
        let pool = pool.clone();
        tokio::spawn(async move { pool.call(a, &get("sleep/500"), T).await.unwrap() })
    });
    for c in futures::future::join_all(calls).await {
        c.unwrap();
    }
    let took = start.elapsed();
    println!("{n} parked 500 ms calls on one connection finished in {took:?}");
    // Serialized, they would take 3000 × 0.5 s; in parallel about 0.5 s. The bound is generous.
    assert!(took < Duration::from_secs(30), "{took:?}");
    assert_eq!(pool.stats().dials, 1);
}

#[tokio::test]
async fn late_handler_answers_once_installed() {
    let late = Arc::new(LateHandler::default());
    let l = RpcListener::bind(
        "127.0.0.1:0".parse().unwrap(),
        late.clone(),
        ListenerConfig::default(),
    )
    .await
    .unwrap();
    let pool = ConnPool::new(PoolConfig::default());
    let ping = RpcRequest::Status(StatusRpc::Ping);
    match pool.call(l.local_addr(), &ping, T).await {
        Err(CallError::Remote(RpcError::Internal(m))) => assert!(m.contains("starting")),
        other => panic!("expected 'starting', got {other:?}"),
    }
    assert!(late.set(handler()));
    pool.call(l.local_addr(), &ping, T).await.unwrap();
}
