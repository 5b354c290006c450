//! Queries and key management against the real HashiCorp `serf agent`
//! (skipped when `serf` is not installed): `serf query` reaches our member,
//! which acks and answers; our `_serf_list-keys` / `install-key` queries
//! are answered by serf; `serf keys -use/-remove` rotate our keyring.
//! Addresses are leased 127.0.x.y; the serf process is killed by PID.

use base64::Engine;
use consul_gossip::codec::{Key, Keyring};
use consul_gossip::driver;
use consul_gossip::memberlist::{Config, Event};
use consul_gossip::serf::internal_query::KeyOp;
use consul_gossip::serf::query::{QueryEvent, QueryParams};
use consul_gossip::serf::{MemberStatus, Serf, SerfConfig};
use consul_testkit::{reserve_ip, IpLease};
use std::net::SocketAddr;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn serf_available() -> bool {
    Command::new("serf")
        .arg("version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn b64(k: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(k)
}

/// A `serf agent` on `ip:7946` (RPC on `ip:7373`), killed on drop.
struct SerfAgent {
    child: Child,
    rpc: String,
    addr: SocketAddr,
}

impl SerfAgent {
    fn start(ip: &IpLease, key: &str) -> SerfAgent {
        let ip = ip.ip().to_string();
        let child = Command::new("serf")
            .arg("agent")
            .arg("-node=serf-q")
            .arg(format!("-bind={ip}:7946"))
            .arg(format!("-rpc-addr={ip}:7373"))
            .arg(format!("-encrypt={key}"))
            .arg("-tag=role=serf")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn serf");
        let s = SerfAgent {
            child,
            rpc: format!("{ip}:7373"),
            addr: format!("{ip}:7946").parse().unwrap(),
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline && std::net::TcpStream::connect(&s.rpc).is_err() {
            std::thread::sleep(Duration::from_millis(50));
        }
        s
    }

    fn cli(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new("serf");
        cmd.arg(args[0])
            .arg(format!("-rpc-addr={}", self.rpc))
            .args(&args[1..]);
        cmd.output().expect("serf cli")
    }
}

impl Drop for SerfAgent {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

async fn keys_of(h: &driver::Handle) -> Vec<String> {
    h.with::<Serf, _>(|s, _, _| {
        s.memberlist()
            .config()
            .wire
            .keyring
            .as_ref()
            .map(|k| k.keys().iter().map(|k| b64(k.as_bytes())).collect())
            .unwrap_or_default()
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queries_and_key_rotation_with_real_serf() {
    if !serf_available() {
        eprintln!("serf not installed; skipping");
        return;
    }
    let (ip_ours, ip_serf) = (reserve_ip(), reserve_ip());
    let (k1, k2) = ([0x11u8; 32], [0x22u8; 16]);
    let serf = SerfAgent::start(&ip_serf, &b64(&k1));

    let bind: SocketAddr = format!("{}:8301", ip_ours.ip()).parse().unwrap();
    let mut ml = Config::lan("ours-q", bind);
    ml.wire.keyring = Some(Keyring::new(Key::new(&k1).unwrap(), []));
    let mut cfg = SerfConfig::new(ml);
    cfg.tags.insert("role".into(), "consul".into());
    let (h, mut rx) = driver::spawn(bind, Serf::new(cfg, 7).unwrap())
        .await
        .unwrap();
    // Answer every user query with "pong".
    let responder = h.clone();
    tokio::spawn(async move {
        while let Some(e) = rx.recv().await {
            if let Event::Query(QueryEvent::Incoming(q)) = e {
                let _ = responder.respond(q.ltime, q.id, b"pong").await;
            }
        }
    });
    h.join(vec![serf.addr]).await.expect("join serf");
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let st = h
            .with::<Serf, _>(|s, _, _| s.member("serf-q").map(|m| m.status))
            .await
            .unwrap();
        if st == Some(MemberStatus::Alive) {
            break;
        }
        assert!(Instant::now() < deadline, "serf did not join");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // `serf query` from the real agent: we ack and answer.
    let out = tokio::task::block_in_place(|| {
        serf.cli(&["query", "-timeout=3s", "-node=ours-q", "hello", "x"])
    });
    let t = text(&out);
    assert!(t.contains("Ack from 'ours-q'"), "{t}");
    assert!(t.contains("Response from 'ours-q': pong"), "{t}");

    // Our list-keys query: serf answers from its keyring.
    let r = h.key_query(KeyOp::List, "", 0).await.unwrap();
    assert_eq!(r.error(), None, "{r:?}");
    assert_eq!(r.num_nodes, 2);
    assert_eq!(r.keys[&b64(&k1)], 2, "{r:?}");

    // Our install-key query: serf installs it.
    let r = h.key_query(KeyOp::Install, &b64(&k2), 0).await.unwrap();
    assert_eq!(r.error(), None, "{r:?}");
    let out = tokio::task::block_in_place(|| serf.cli(&["keys", "-list"]));
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    for k in [b64(&k1), b64(&k2)] {
        assert!(
            t.lines().any(|l| l.starts_with(&k) && l.ends_with("[2/2]")),
            "{t}"
        );
    }

    // serf's use-key and remove-key queries rotate our keyring.
    let out = tokio::task::block_in_place(|| serf.cli(&["keys", "-use", &b64(&k2)]));
    assert!(out.status.success(), "{}", text(&out));
    let out = tokio::task::block_in_place(|| serf.cli(&["keys", "-remove", &b64(&k1)]));
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(keys_of(&h).await, [b64(&k2)]);
    // Removing the primary is refused by both.
    let out = tokio::task::block_in_place(|| serf.cli(&["keys", "-remove", &b64(&k2)]));
    assert!(!out.status.success());
    assert!(
        text(&out).contains("Removing the primary key is not allowed"),
        "{}",
        text(&out)
    );

    // Still talking on the new key: a user query with acks.
    let p = QueryParams {
        request_ack: true,
        timeout: Some(Duration::from_secs(2)),
        ..Default::default()
    };
    let mut s = h.query("after-rotation", b"", p).await.unwrap();
    let mut acks = Vec::new();
    while let Some(r) = s.recv().await {
        if r.ack {
            acks.push(r.from);
        }
    }
    acks.sort();
    assert_eq!(acks, ["ours-q", "serf-q"]);
    h.shutdown();
}
