//! Interop with the real HashiCorp `serf agent` (skipped when `serf` is
//! not installed). Everything binds on 127.0.0.0/8 only.

use consul_gossip::codec::{Key, Keyring, NodeState};
use consul_gossip::driver;
use consul_gossip::memberlist::{Config, Memberlist};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn serf_available() -> bool {
    Command::new("serf")
        .arg("version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// A free port on `ip` (TCP and UDP both bindable at the time of asking).
fn free_port(ip: &str) -> u16 {
    loop {
        let l = std::net::TcpListener::bind((ip, 0)).unwrap();
        let port = l.local_addr().unwrap().port();
        if std::net::UdpSocket::bind((ip, port)).is_ok() {
            return port;
        }
    }
}

struct Serf {
    child: Child,
    rpc: String,
    addr: SocketAddr,
}

impl Serf {
    fn start(name: &str, ip: &str, key: Option<&str>) -> Serf {
        let port = free_port(ip);
        let rpc_port = free_port(ip);
        let rpc = format!("{ip}:{rpc_port}");
        let mut cmd = Command::new("serf");
        cmd.arg("agent")
            .arg(format!("-node={name}"))
            .arg(format!("-bind={ip}:{port}"))
            .arg(format!("-rpc-addr={rpc}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if let Some(k) = key {
            cmd.arg(format!("-encrypt={k}"));
        }
        let child = cmd.spawn().expect("spawn serf");
        let s = Serf {
            child,
            rpc,
            addr: format!("{ip}:{port}").parse().unwrap(),
        };
        // Wait for its RPC port.
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if std::net::TcpStream::connect(&s.rpc).is_ok() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        s
    }

    fn members(&self) -> String {
        let out = Command::new("serf")
            .args(["members", &format!("-rpc-addr={}", self.rpc)])
            .output()
            .expect("serf members");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn join(&self, addr: SocketAddr) -> bool {
        Command::new("serf")
            .args([
                "join",
                &format!("-rpc-addr={}", self.rpc),
                &addr.to_string(),
            ])
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }
}

impl Drop for Serf {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn ours(name: &str, ip: &str, key: Option<&[u8]>) -> driver::Handle {
    let bind: SocketAddr = format!("{ip}:{}", free_port(ip)).parse().unwrap();
    let mut cfg = Config::lan(name, bind);
    if let Some(k) = key {
        cfg.wire.keyring = Some(Keyring::new(Key::new(k).unwrap(), []));
    }
    let (h, _events) = driver::spawn(bind, Memberlist::new(cfg, 42)).await.unwrap();
    h
}

async fn wait_for(max: Duration, mut f: impl AsyncFnMut() -> bool) -> bool {
    let deadline = Instant::now() + max;
    while Instant::now() < deadline {
        if f().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

async fn state_of(h: &driver::Handle, name: &str) -> Option<NodeState> {
    h.members()
        .await
        .ok()?
        .into_iter()
        .find(|m| m.name == name)
        .map(|m| m.state)
}

async fn both_directions(key: Option<(&str, [u8; 32])>) {
    let (b64, raw) = match &key {
        Some((b, r)) => (Some(*b), Some(&r[..])),
        None => (None, None),
    };
    // We join serf.
    let serf = Serf::start("serf-a", "127.0.0.12", b64);
    let h = ours("ours-a", "127.0.0.11", raw).await;
    h.join(vec![serf.addr]).await.expect("join serf");
    assert!(
        wait_for(Duration::from_secs(2), async || state_of(&h, "serf-a")
            .await
            == Some(NodeState::Alive))
        .await
    );
    assert!(
        wait_for(Duration::from_secs(2), async || {
            serf.members()
                .lines()
                .any(|l| l.starts_with("ours-a") && l.contains("alive"))
        })
        .await,
        "serf does not see us: {}",
        serf.members()
    );
    h.shutdown();

    // Serf joins us.
    let h = ours("ours-b", "127.0.0.13", raw).await;
    let serf = Serf::start("serf-b", "127.0.0.14", b64);
    assert!(serf.join(h.local_addr), "serf join failed");
    assert!(
        wait_for(Duration::from_secs(2), async || state_of(&h, "serf-b")
            .await
            == Some(NodeState::Alive))
        .await
    );
    // kill -9 serf: we must see it fail within the LAN detection time.
    drop(serf);
    let t = Instant::now();
    assert!(
        wait_for(Duration::from_secs(15), async || state_of(&h, "serf-b")
            .await
            == Some(NodeState::Dead))
        .await,
        "serf failure not detected"
    );
    eprintln!("serf failure detected after {:?}", t.elapsed());
    h.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serf_interop_plain() {
    if !serf_available() {
        eprintln!("serf not installed; skipping");
        return;
    }
    both_directions(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serf_interop_encrypted() {
    if !serf_available() {
        eprintln!("serf not installed; skipping");
        return;
    }
    let raw = [0x5au8; 32];
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(raw);
    both_directions(Some((&b64, raw))).await;
}
