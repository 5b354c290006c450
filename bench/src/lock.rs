//! Lock hand-off: N contenders take turns on one lock, the way lock recipes do it, and we
//! time each hand-off from the moment the holder sends its release until the next holder
//! has its acquire answered.
//!
//! - Consul: each contender owns a session; `PUT /v1/kv/<key>?acquire=<sid>`; a contender
//!   that lost waits with a blocking `GET ?index=` until the key's `Session` is empty, then
//!   tries again. The holder releases (`?release=`) at once (hold time 0) and then waits for
//!   another contender to take the lock (a higher `LockIndex`) before it competes again, so
//!   every counted acquisition is a hand-off to a waiter.
//! - etcd: each contender owns a lease; `POST /v3/lock/lock` (etcd's v3 lock service through
//!   its JSON gateway, the server side of `etcdctl lock`) blocks until the contender is first
//!   in line; `POST /v3/lock/unlock` releases and the contender queues again at the back.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use base64::Engine;
use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{CONTENT_TYPE, HOST};
use hyper::{Method, Request};
use serde::Serialize;

use crate::cli::{LockArgs, Target};
use crate::conn::Conn;
use crate::stats::{mean_us, percentile_us};

/// Summary of one lock hand-off run.
#[derive(Serialize, Debug)]
pub struct LockSummary {
    /// `consul` or `etcd`.
    pub target: &'static str,
    /// Always `lock`.
    pub op: &'static str,
    /// Contenders.
    pub contenders: usize,
    /// Measured window in seconds.
    pub duration_s: f64,
    /// Hand-offs completed inside the window.
    pub handoffs: u64,
    /// `handoffs / duration_s`.
    pub handoffs_per_s: f64,
    /// Failed requests.
    pub errors: u64,
    /// Median hand-off latency (release sent → next acquire answered), µs.
    pub p50_us: f64,
    /// 99th percentile, µs.
    pub p99_us: f64,
    /// Mean, µs.
    pub mean_us: f64,
    /// Largest, µs.
    pub max_us: f64,
}

impl LockSummary {
    /// One human-readable line.
    pub fn line(&self) -> String {
        format!(
            "{:<6} lock n={:<3} {:>8.0} hand-offs/s  p50 {:>7.0} us  p99 {:>7.0} us  max {:>7.0} us  errors {}",
            self.target,
            self.contenders,
            self.handoffs_per_s,
            self.p50_us,
            self.p99_us,
            self.max_us,
            self.errors
        )
    }
}

/// What the contenders share: the last release, and the samples.
#[derive(Default)]
struct Shared {
    /// When the last holder sent its release, and who it was.
    last_release: Option<(Instant, usize)>,
    /// Hand-off latencies (ns) inside the window.
    samples: Vec<u64>,
    /// Failed requests.
    errors: u64,
}

/// The measurement window, shared by all contenders.
#[derive(Clone, Copy)]
struct Window {
    start: Instant,
    end: Instant,
}

impl Shared {
    /// Contender `me` has just been granted the lock.
    fn acquired(&mut self, me: usize, window: Window) {
        let now = Instant::now();
        if let Some((sent, holder)) = self.last_release {
            if holder != me && now >= window.start && now < window.end {
                self.samples
                    .push(u64::try_from((now - sent).as_nanos()).unwrap_or(u64::MAX));
            }
        }
    }

    /// Contender `me` is about to send its release.
    fn releasing(&mut self, me: usize) {
        self.last_release = Some((Instant::now(), me));
    }
}

fn request(
    method: Method,
    addr: SocketAddr,
    uri: &str,
    body: Bytes,
    json: bool,
) -> Request<Full<Bytes>> {
    let mut req = Request::new(Full::new(body));
    *req.method_mut() = method;
    *req.uri_mut() = uri.parse().expect("static uri");
    let h = req.headers_mut();
    h.insert(HOST, addr.to_string().parse().expect("host header"));
    if json {
        h.insert(
            CONTENT_TYPE,
            "application/json".parse().expect("content type"),
        );
    }
    req
}

/// Run the contenders for warm-up + window and summarise.
pub async fn run(args: &LockArgs) -> anyhow::Result<LockSummary> {
    let shared = Arc::new(Mutex::new(Shared::default()));
    let start = Instant::now() + Duration::from_secs_f64(args.warmup);
    let window = Window {
        start,
        end: start + Duration::from_secs_f64(args.duration),
    };
    let mut tasks = Vec::new();
    for me in 0..args.contenders {
        let shared = shared.clone();
        let (addr, target, key) = (args.addr, args.target, args.key.clone());
        tasks.push(tokio::spawn(async move {
            let r = match target {
                Target::Consul => consul_contender(me, addr, &key, window, &shared).await,
                Target::Etcd => etcd_contender(me, addr, &key, window, &shared).await,
            };
            if let Err(e) = r {
                eprintln!("contender {me}: {e:#}");
                shared.lock().expect("shared").errors += 1;
            }
        }));
    }
    tokio::time::sleep_until(window.end.into()).await;
    for t in &tasks {
        t.abort();
    }
    let s = shared.lock().expect("shared");
    let mut samples = s.samples.clone();
    samples.sort_unstable();
    let duration_s = args.duration;
    Ok(LockSummary {
        target: match args.target {
            Target::Consul => "consul",
            Target::Etcd => "etcd",
        },
        op: "lock",
        contenders: args.contenders,
        duration_s,
        handoffs: samples.len() as u64,
        handoffs_per_s: samples.len() as f64 / duration_s,
        errors: s.errors,
        p50_us: percentile_us(&samples, 50.0),
        p99_us: percentile_us(&samples, 99.0),
        mean_us: mean_us(&samples),
        max_us: samples.last().map(|&n| n as f64 / 1000.0).unwrap_or(0.0),
    })
}

/// The lock key's state as a blocking read reports it.
struct KeyState {
    index: u64,
    session: String,
    lock_index: u64,
}

async fn consul_read(
    conn: &mut Conn,
    addr: SocketAddr,
    key: &str,
    index: u64,
) -> anyhow::Result<KeyState> {
    let uri = format!("/v1/kv/{key}?index={index}&wait=10s");
    let mut req = request(Method::GET, addr, &uri, Bytes::new(), false);
    req.headers_mut().remove(CONTENT_TYPE);
    let (status, headers, body) = conn.call_with_headers(req).await?;
    let new_index = headers
        .get("X-Consul-Index")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(index);
    if status.as_u16() == 404 {
        return Ok(KeyState {
            index: new_index,
            session: String::new(),
            lock_index: 0,
        });
    }
    if !status.is_success() {
        bail!("GET {uri}: {status}");
    }
    let v: serde_json::Value = serde_json::from_slice(&body)?;
    let e = &v[0];
    Ok(KeyState {
        index: new_index,
        session: e["Session"].as_str().unwrap_or("").to_string(),
        lock_index: e["LockIndex"].as_u64().unwrap_or(0),
    })
}

async fn consul_contender(
    me: usize,
    addr: SocketAddr,
    key: &str,
    window: Window,
    shared: &Mutex<Shared>,
) -> anyhow::Result<()> {
    let mut conn = Conn::open(addr).await?;
    let (status, body) = conn
        .call(request(
            Method::PUT,
            addr,
            "/v1/session/create",
            Bytes::from_static(br#"{"Name":"bench-lock","TTL":"120s"}"#),
            true,
        ))
        .await?;
    if !status.is_success() {
        bail!("session create: {status}");
    }
    let sid = serde_json::from_slice::<serde_json::Value>(&body)?["ID"]
        .as_str()
        .context("session id")?
        .to_string();
    let acquire = format!("/v1/kv/{key}?acquire={sid}");
    let release = format!("/v1/kv/{key}?release={sid}");
    let mut state = consul_read(&mut conn, addr, key, 0).await?;
    // After holding, wait for a LockIndex above ours before competing again.
    let mut held_at: Option<u64> = None;
    loop {
        let free = state.session.is_empty();
        let others_turn = held_at.is_some_and(|li| state.lock_index <= li);
        if free && !others_turn {
            let (status, body) = conn
                .call(request(Method::PUT, addr, &acquire, Bytes::new(), false))
                .await?;
            if !status.is_success() {
                bail!("acquire: {status}");
            }
            if body.as_ref() == b"true" {
                shared.lock().expect("shared").acquired(me, window);
                shared.lock().expect("shared").releasing(me);
                let (status, body) = conn
                    .call(request(Method::PUT, addr, &release, Bytes::new(), false))
                    .await?;
                if !status.is_success() || body.as_ref() != b"true" {
                    bail!("release: {status}");
                }
                // Our acquisition is the key's newest LockIndex.
                let now = consul_read(&mut conn, addr, key, 0).await?;
                held_at = Some(now.lock_index);
                state = now;
                continue;
            }
        }
        if held_at.is_some_and(|li| state.lock_index > li) {
            held_at = None;
            if state.session.is_empty() {
                continue;
            }
        }
        state = consul_read(&mut conn, addr, key, state.index).await?;
    }
}

async fn etcd_contender(
    me: usize,
    addr: SocketAddr,
    key: &str,
    window: Window,
    shared: &Mutex<Shared>,
) -> anyhow::Result<()> {
    let mut conn = Conn::open(addr).await?;
    let (status, body) = conn
        .call(request(
            Method::POST,
            addr,
            "/v3/lease/grant",
            Bytes::from_static(br#"{"TTL":120}"#),
            true,
        ))
        .await?;
    if !status.is_success() {
        bail!("lease grant: {status}");
    }
    let lease = serde_json::from_slice::<serde_json::Value>(&body)?["ID"]
        .as_str()
        .context("lease id")?
        .to_string();
    let name = base64::engine::general_purpose::STANDARD.encode(key);
    let lock_body = Bytes::from(format!(r#"{{"name":"{name}","lease":"{lease}"}}"#));
    loop {
        let (status, body) = conn
            .call(request(
                Method::POST,
                addr,
                "/v3/lock/lock",
                lock_body.clone(),
                true,
            ))
            .await?;
        if !status.is_success() {
            bail!("lock: {status} {}", String::from_utf8_lossy(&body));
        }
        shared.lock().expect("shared").acquired(me, window);
        let held = serde_json::from_slice::<serde_json::Value>(&body)?["key"]
            .as_str()
            .context("lock key")?
            .to_string();
        shared.lock().expect("shared").releasing(me);
        let (status, _) = conn
            .call(request(
                Method::POST,
                addr,
                "/v3/lock/unlock",
                Bytes::from(format!(r#"{{"key":"{held}"}}"#)),
                true,
            ))
            .await?;
        if !status.is_success() {
            bail!("unlock: {status}");
        }
    }
}
