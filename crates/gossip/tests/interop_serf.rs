//! Interop with the real HashiCorp `serf agent` (skipped when `serf` is
//! not installed). Everything binds on 127.0.0.0/8 only.

use consul_gossip::codec::{Key, Keyring};
use consul_gossip::driver;
use consul_gossip::memberlist::{Config, Event};
use consul_gossip::serf::{MemberStatus, Serf, SerfConfig, SerfEvent};
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

struct Serf_ {
    child: Child,
    log: std::path::PathBuf,
    rpc: String,
    addr: SocketAddr,
}

impl Serf_ {
    fn start(name: &str, ip: &str, key: Option<&str>) -> Serf_ {
        let port = free_port(ip);
        let rpc_port = free_port(ip);
        let rpc = format!("{ip}:{rpc_port}");
        let log = std::env::temp_dir().join(format!(
            "gossip-interop-{name}-{}-{port}.log",
            std::process::id()
        ));
        let out = std::fs::File::create(&log).expect("log file");
        let mut cmd = Command::new("serf");
        cmd.arg("agent")
            .arg(format!("-node={name}"))
            .arg(format!("-bind={ip}:{port}"))
            .arg(format!("-rpc-addr={rpc}"))
            .stdout(out)
            .stderr(Stdio::null());
        if let Some(k) = key {
            cmd.arg(format!("-encrypt={k}"));
        }
        let child = cmd.spawn().expect("spawn serf");
        let s = Serf_ {
            child,
            log,
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

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
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

impl Drop for Serf_ {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}

type Events = std::sync::Arc<std::sync::Mutex<Vec<SerfEvent>>>;

async fn ours(name: &str, ip: &str, key: Option<&[u8]>) -> (driver::Handle, Events) {
    let bind: SocketAddr = format!("{ip}:{}", free_port(ip)).parse().unwrap();
    let mut ml = Config::lan(name, bind);
    if let Some(k) = key {
        ml.wire.keyring = Some(Keyring::new(Key::new(k).unwrap(), []));
    }
    let mut cfg = SerfConfig::new(ml);
    cfg.tags.insert("role".into(), "consul".into());
    cfg.tags.insert("dc".into(), "dc1".into());
    let (h, mut rx) = driver::spawn(bind, Serf::new(cfg, 42).unwrap())
        .await
        .unwrap();
    let events: Events = Default::default();
    let ev = events.clone();
    tokio::spawn(async move {
        while let Some(e) = rx.recv().await {
            if let Event::Serf(e) = e {
                ev.lock().unwrap().push(e);
            }
        }
    });
    (h, events)
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

async fn status_of(h: &driver::Handle, name: &str) -> Option<MemberStatus> {
    let name = name.to_string();
    h.with::<Serf, _>(move |s, _, _| s.member(&name).map(|m| m.status))
        .await
        .ok()
        .flatten()
}

async fn tags_of(h: &driver::Handle, name: &str) -> Option<String> {
    let name = name.to_string();
    h.with::<Serf, _>(move |s, _, _| {
        s.member(&name).map(|m| {
            m.tags
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(",")
        })
    })
    .await
    .ok()
    .flatten()
}

/// `serf members` line for `name`: (status, tags).
fn serf_view(serf: &Serf_, name: &str) -> Option<(String, String)> {
    serf.members().lines().find_map(|l| {
        let f: Vec<&str> = l.split_whitespace().collect();
        (f.first() == Some(&name)).then(|| {
            (
                f.get(2).unwrap_or(&"").to_string(),
                f.get(3).unwrap_or(&"").to_string(),
            )
        })
    })
}

fn sorted_tags(t: &str) -> String {
    let mut v: Vec<&str> = t.split(',').filter(|s| !s.is_empty()).collect();
    v.sort();
    v.join(",")
}

async fn both_directions(key: Option<(&str, [u8; 32])>, suffix: &str) {
    let (b64, raw) = match &key {
        Some((b, r)) => (Some(*b), Some(&r[..])),
        None => (None, None),
    };
    let ip = |n: u8| format!("127.0.{}.{n}", if suffix == "p" { 21 } else { 22 });

    // We join serf; both list the same members, tags and status in 2 s.
    let serf = Serf_::start("serf-a", &ip(2), b64);
    let (h, events) = ours("ours-a", &ip(1), raw).await;
    h.join(vec![serf.addr]).await.expect("join serf");
    assert!(
        wait_for(Duration::from_secs(2), async || {
            status_of(&h, "serf-a").await == Some(MemberStatus::Alive)
                && serf_view(&serf, "ours-a")
                    .is_some_and(|(s, t)| s == "alive" && sorted_tags(&t) == "dc=dc1,role=consul")
        })
        .await,
        "views differ: {}",
        serf.members()
    );
    assert_eq!(tags_of(&h, "serf-a").await.as_deref(), Some(""));

    // `serf event` reaches our event stream.
    assert!(Command::new("serf")
        .args(["event", &format!("-rpc-addr={}", serf.rpc), "deploy", "v1"])
        .stdout(Stdio::null())
        .status()
        .unwrap()
        .success());
    assert!(
        wait_for(Duration::from_secs(2), async || events
            .lock()
            .unwrap()
            .iter()
            .any(
                |e| matches!(e, SerfEvent::User(u) if u.name == "deploy" && u.payload == b"v1")
            ))
        .await,
        "user event not received"
    );

    // Our user event reaches serf.
    h.with::<Serf, _>(|s, now, fx| s.user_event("ours-evt", b"p", false, now, fx))
        .await
        .unwrap()
        .unwrap();
    assert!(
        wait_for(Duration::from_secs(2), async || serf
            .log()
            .contains("user-event: ours-evt"))
        .await,
        "serf did not get our event: {}",
        serf.log()
    );

    // Graceful leave of serf is seen as left.
    assert!(Command::new("serf")
        .args(["leave", &format!("-rpc-addr={}", serf.rpc)])
        .stdout(Stdio::null())
        .status()
        .unwrap()
        .success());
    assert!(
        wait_for(Duration::from_secs(5), async || status_of(&h, "serf-a")
            .await
            == Some(MemberStatus::Left))
        .await,
        "serf leave not seen"
    );
    h.shutdown();
    drop(serf);

    // Serf joins us; kill -9 of serf is seen as failed.
    let (h, _events) = ours("ours-b", &ip(3), raw).await;
    let serf = Serf_::start("serf-b", &ip(4), b64);
    assert!(serf.join(h.local_addr), "serf join failed");
    assert!(
        wait_for(Duration::from_secs(2), async || status_of(&h, "serf-b")
            .await
            == Some(MemberStatus::Alive))
        .await
    );
    drop(serf);
    let t = Instant::now();
    assert!(
        wait_for(Duration::from_secs(15), async || status_of(&h, "serf-b")
            .await
            == Some(MemberStatus::Failed))
        .await,
        "serf failure not detected"
    );
    eprintln!("serf failure detected after {:?}", t.elapsed());
    h.shutdown();

    // Our graceful leave is seen as left by serf.
    let serf = Serf_::start("serf-c", &ip(6), b64);
    let (h, _events) = ours("ours-c", &ip(5), raw).await;
    h.join(vec![serf.addr]).await.expect("join serf");
    assert!(
        wait_for(Duration::from_secs(2), async || serf_view(&serf, "ours-c")
            .is_some_and(|(s, _)| s == "alive"))
        .await
    );
    h.leave(Duration::from_secs(5)).await.unwrap();
    assert!(
        wait_for(Duration::from_secs(3), async || serf_view(&serf, "ours-c")
            .is_some_and(|(s, _)| s == "left"))
        .await,
        "serf does not see our leave: {}",
        serf.members()
    );
    h.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serf_interop_plain() {
    if !serf_available() {
        eprintln!("serf not installed; skipping");
        return;
    }
    both_directions(None, "p").await;
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
    both_directions(Some((&b64, raw)), "e").await;
}
