//! Leader-kill failover time of a 3-server cluster, seen by an application talking to a client
//! agent: start three servers (`-bootstrap-expect 3`) and one client agent on loopback, then,
//! `--kills` times: wait until the cluster is healthy, find the leader through the client's
//! `/v1/status/leader`, `kill -9` it, and time how long it takes until a `PUT /v1/kv/…` sent
//! through the client agent succeeds again (a new PUT with a short timeout is started every
//! few milliseconds, so the first success is seen within one poll interval). The killed server
//! is then restarted on the same data dir and the next kill waits for the cluster to be healthy
//! again (three peers, one leader everywhere, four alive members, a PUT through the client).
//!
//! Every agent this starts is killed by PID when this returns (also on error); `--pid-file`
//! lists the live PIDs for a wrapper script in case this process itself is killed.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context;
use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{HeaderValue, HOST};
use hyper::{Method, Request};
use serde::Serialize;
use serde_json::Value;
use tokio::task::JoinSet;

use crate::cli::FailoverArgs;
use crate::conn::Conn;

/// Most polling PUTs in flight at once.
const MAX_IN_FLIGHT: usize = 64;
/// Timeout of one health or leader probe.
const PROBE_TIMEOUT: Duration = Duration::from_millis(500);

/// One leader kill.
#[derive(Serialize, Debug)]
pub struct KillSample {
    /// 1-based number of the kill.
    pub n: usize,
    /// Node name of the killed leader.
    pub killed: String,
    /// Raft address of the leader elected after the kill.
    pub new_leader: String,
    /// From `kill -9` to the first successful PUT through the client agent.
    pub put_ms: f64,
    /// From `kill -9` until a surviving server (asked directly) names a new leader.
    pub elected_ms: f64,
    /// Polling PUTs started until the first success (that one included).
    pub puts_sent: u64,
    /// Polling PUTs that hit their timeout.
    pub puts_timed_out: u64,
    /// Polling PUTs answered with an error (or a refused connection).
    pub puts_failed: u64,
    /// The last error answer seen, for diagnosis.
    pub last_failure: String,
    /// From restarting the killed server until the cluster was healthy again.
    pub rejoin_s: f64,
}

/// All kills of one run and their summary.
#[derive(Serialize, Debug)]
pub struct FailoverReport {
    /// The servers' `raft_multiplier` (5 when none was passed: Consul's default).
    pub raft_multiplier: u32,
    /// Every kill, in order.
    pub kills: Vec<KillSample>,
    /// Median of `put_ms` (mean of the two middle values for an even count).
    pub put_median_ms: f64,
    /// Largest `put_ms`.
    pub put_max_ms: f64,
    /// Smallest `put_ms`.
    pub put_min_ms: f64,
    /// Median of `elected_ms`.
    pub elected_median_ms: f64,
    /// Largest `elected_ms`.
    pub elected_max_ms: f64,
    /// Time from starting the agents until the cluster was first healthy.
    pub formed_s: f64,
}

impl FailoverReport {
    /// One human-readable line.
    pub fn line(&self) -> String {
        let runs: Vec<String> = self
            .kills
            .iter()
            .map(|k| format!("{:.0}", k.put_ms))
            .collect();
        format!(
            "failover (raft_multiplier {}, {} kills): first PUT through the client after kill -9 of the leader: median {:.0} ms, max {:.0} ms, min {:.0} ms (runs {}); new leader named by a survivor: median {:.0} ms, max {:.0} ms",
            self.raft_multiplier,
            self.kills.len(),
            self.put_median_ms,
            self.put_max_ms,
            self.put_min_ms,
            runs.join(" "),
            self.elected_median_ms,
            self.elected_max_ms
        )
    }
}

/// Runs the whole measurement.
pub async fn run(args: &FailoverArgs) -> anyhow::Result<FailoverReport> {
    anyhow::ensure!(args.servers.len() == 3, "--servers needs exactly three IPs");
    anyhow::ensure!(
        args.servers
            .iter()
            .chain([&args.client])
            .all(Ipv4Addr::is_loopback),
        "only loopback addresses are allowed"
    );
    std::fs::create_dir_all(&args.work_dir)
        .with_context(|| format!("create {}", args.work_dir.display()))?;
    anyhow::ensure!(
        std::fs::read_dir(&args.work_dir)?.next().is_none(),
        "{} is not empty (a fresh cluster needs fresh data dirs)",
        args.work_dir.display()
    );
    let max_wait = Duration::from_secs_f64(args.max_wait);
    let started = Instant::now();
    let mut cluster = Cluster::new(args);
    cluster.start_all()?;
    cluster.wait_healthy(max_wait).await?;
    let formed_s = started.elapsed().as_secs_f64();
    eprintln!("failover: cluster healthy after {formed_s:.1} s");

    let mut kills = Vec::with_capacity(args.kills);
    for n in 1..=args.kills {
        tokio::time::sleep(Duration::from_millis(args.settle_ms)).await;
        let sample = cluster.kill_leader_once(n, args, max_wait).await?;
        eprintln!(
            "failover: kill {n}: {} killed, PUT ok after {:.0} ms (new leader {} named after {:.0} ms; {} PUTs sent, {} timed out, {} failed), healthy again {:.1} s after restart",
            sample.killed,
            sample.put_ms,
            sample.new_leader,
            sample.elected_ms,
            sample.puts_sent,
            sample.puts_timed_out,
            sample.puts_failed,
            sample.rejoin_s
        );
        kills.push(sample);
    }
    let put: Vec<f64> = kills.iter().map(|k| k.put_ms).collect();
    let elected: Vec<f64> = kills.iter().map(|k| k.elected_ms).collect();
    Ok(FailoverReport {
        raft_multiplier: args.raft_multiplier.unwrap_or(5),
        put_median_ms: median(&put),
        put_max_ms: put.iter().copied().fold(0.0, f64::max),
        put_min_ms: put.iter().copied().fold(f64::INFINITY, f64::min),
        elected_median_ms: median(&elected),
        elected_max_ms: elected.iter().copied().fold(0.0, f64::max),
        formed_s,
        kills,
    })
}

/// Median (mean of the two middle values for an even count); 0 for no values.
fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    match s.len() {
        0 => 0.0,
        n if n % 2 == 1 => s[n / 2],
        n => (s[n / 2 - 1] + s[n / 2]) / 2.0,
    }
}

/// One agent process: how to (re)start it and the running child, if any.
struct Agent {
    name: String,
    ip: Ipv4Addr,
    argv: Vec<String>,
    log: PathBuf,
    child: Option<Child>,
}

impl Agent {
    fn http(&self) -> SocketAddr {
        SocketAddr::from((self.ip, 8500))
    }

    fn spawn(&mut self, bin: &std::path::Path) -> anyhow::Result<()> {
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .with_context(|| format!("open {}", self.log.display()))?;
        let child = Command::new(bin)
            .args(&self.argv)
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .with_context(|| format!("spawn {} for {}", bin.display(), self.name))?;
        self.child = Some(child);
        Ok(())
    }

    /// SIGKILL by PID and reap.
    fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(15)..].join("\n")
    }
}

/// Three servers and a client agent.
struct Cluster {
    bin: PathBuf,
    servers: Vec<Agent>,
    client: Agent,
    pid_file: Option<PathBuf>,
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for a in self.servers.iter_mut().chain([&mut self.client]) {
            a.kill9();
        }
        self.write_pids();
    }
}

impl Cluster {
    fn new(args: &FailoverArgs) -> Self {
        let ips: Vec<String> = args.servers.iter().map(Ipv4Addr::to_string).collect();
        let dir = |name: &str| args.work_dir.join(name).display().to_string();
        let base = |name: &str, ip: &str| -> Vec<String> {
            let mut v = vec!["agent".to_string()];
            for (flag, value) in [
                ("-data-dir", dir(name)),
                ("-node", name.to_string()),
                ("-bind", ip.to_string()),
                ("-client", ip.to_string()),
                ("-retry-interval", "1s".to_string()),
            ] {
                v.push(flag.into());
                v.push(value);
            }
            v
        };
        let servers = ips
            .iter()
            .enumerate()
            .map(|(i, ip)| {
                let name = format!("s{}", i + 1);
                let mut argv = base(&name, ip);
                argv.extend(["-server", "-bootstrap-expect", "3"].map(String::from));
                for other in ips.iter().filter(|o| *o != ip) {
                    argv.extend(["-retry-join".to_string(), other.clone()]);
                }
                if let Some(m) = args.raft_multiplier {
                    argv.push("-hcl".into());
                    argv.push(format!("performance {{ raft_multiplier = {m} }}"));
                }
                Agent {
                    log: args.work_dir.join(format!("{name}.log")),
                    name,
                    ip: args.servers[i],
                    argv,
                    child: None,
                }
            })
            .collect();
        let cip = args.client.to_string();
        let mut argv = base("c1", &cip);
        for ip in &ips {
            argv.extend(["-retry-join".to_string(), ip.clone()]);
        }
        let client = Agent {
            name: "c1".into(),
            ip: args.client,
            argv,
            log: args.work_dir.join("c1.log"),
            child: None,
        };
        Cluster {
            bin: args.bin.clone(),
            servers,
            client,
            pid_file: args.pid_file.clone(),
        }
    }

    fn start_all(&mut self) -> anyhow::Result<()> {
        let bin = self.bin.clone();
        for a in self.servers.iter_mut().chain([&mut self.client]) {
            eprintln!("failover: starting {} {}", bin.display(), a.argv.join(" "));
            a.spawn(&bin)?;
        }
        self.write_pids();
        Ok(())
    }

    /// Rewrites the PID file: `name pid` per running agent.
    fn write_pids(&self) {
        let Some(path) = &self.pid_file else { return };
        let mut text = String::new();
        for a in self.servers.iter().chain([&self.client]) {
            if let Some(c) = &a.child {
                text.push_str(&format!("{} {}\n", a.name, c.id()));
            }
        }
        if let Ok(mut f) = File::create(path) {
            let _ = f.write_all(text.as_bytes());
        }
    }

    /// Waits until the cluster is healthy; returns the leader's Raft address.
    async fn wait_healthy(&self, max: Duration) -> anyhow::Result<String> {
        let deadline = Instant::now() + max;
        loop {
            let why = match self.health().await {
                Ok(leader) => return Ok(leader),
                Err(why) => why,
            };
            if Instant::now() > deadline {
                let logs: Vec<String> = self
                    .servers
                    .iter()
                    .chain([&self.client])
                    .map(|a| format!("== {}\n{}", a.name, a.log_tail()))
                    .collect();
                anyhow::bail!(
                    "cluster not healthy after {max:?}: {why}\n{}",
                    logs.join("\n")
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Healthy: the client and every server name the same leader, every server has three
    /// Raft peers, the client sees four alive members, and a PUT through the client works.
    async fn health(&self) -> Result<String, String> {
        let leader = leader_of(self.client.http())
            .await
            .filter(|l| !l.is_empty())
            .ok_or("client knows no leader")?;
        for s in &self.servers {
            let l = leader_of(s.http()).await.unwrap_or_default();
            if l != leader {
                return Err(format!("{} names leader {l:?}, client {leader:?}", s.name));
            }
            let peers = get_json(s.http(), "/v1/status/peers")
                .await
                .and_then(|v| v.as_array().map(Vec::len))
                .unwrap_or(0);
            if peers != 3 {
                return Err(format!("{} has {peers} raft peers", s.name));
            }
        }
        let alive = get_json(self.client.http(), "/v1/agent/members")
            .await
            .and_then(|v| {
                v.as_array()
                    .map(|a| a.iter().filter(|m| m["Status"] == 1).count())
            })
            .unwrap_or(0);
        if alive != 4 {
            return Err(format!("client sees {alive} alive members"));
        }
        match one_put(self.client.http(), "bench/failover/health", PROBE_TIMEOUT).await {
            Ok(_) => Ok(leader),
            Err(e) => Err(format!("PUT through the client: {e}")),
        }
    }

    async fn kill_leader_once(
        &mut self,
        n: usize,
        args: &FailoverArgs,
        max_wait: Duration,
    ) -> anyhow::Result<KillSample> {
        let old = self.wait_healthy(max_wait).await?;
        let li = self
            .servers
            .iter()
            .position(|s| old.starts_with(&format!("{}:", s.ip)))
            .with_context(|| format!("leader {old} is none of our servers"))?;
        let survivors: Vec<SocketAddr> = (0..3)
            .filter(|&i| i != li)
            .map(|i| self.servers[i].http())
            .collect();

        let t0 = Instant::now();
        self.servers[li].kill9();
        self.write_pids();
        let deadline = t0 + max_wait;
        let watcher = tokio::spawn(watch_leader(survivors, old.clone(), t0, deadline));
        let poll = poll_puts(
            self.client.http(),
            format!("bench/failover/k{n}"),
            t0,
            args,
            deadline,
        )
        .await?;
        let (elected, new_leader) = watcher.await?.unwrap_or((Duration::MAX, String::new()));

        let t1 = Instant::now();
        let bin = self.bin.clone();
        self.servers[li].spawn(&bin)?;
        self.write_pids();
        self.wait_healthy(max_wait).await?;
        Ok(KillSample {
            n,
            killed: self.servers[li].name.clone(),
            new_leader,
            put_ms: poll.first_ok.as_secs_f64() * 1000.0,
            elected_ms: if elected == Duration::MAX {
                f64::NAN
            } else {
                elected.as_secs_f64() * 1000.0
            },
            puts_sent: poll.sent,
            puts_timed_out: poll.timed_out,
            puts_failed: poll.failed,
            last_failure: poll.last_failure,
            rejoin_s: t1.elapsed().as_secs_f64(),
        })
    }
}

/// What the PUT poller saw.
struct PollStats {
    first_ok: Duration,
    sent: u64,
    timed_out: u64,
    failed: u64,
    last_failure: String,
}

/// Starts a PUT every poll interval (each with its own connection and timeout) until one
/// succeeds; returns the time from `t0` to that success.
async fn poll_puts(
    client: SocketAddr,
    key: String,
    t0: Instant,
    args: &FailoverArgs,
    deadline: Instant,
) -> anyhow::Result<PollStats> {
    let timeout = Duration::from_millis(args.request_timeout_ms);
    let mut tick = tokio::time::interval(Duration::from_millis(args.poll_interval_ms.max(1)));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut set = JoinSet::new();
    let mut st = PollStats {
        first_ok: Duration::ZERO,
        sent: 0,
        timed_out: 0,
        failed: 0,
        last_failure: String::new(),
    };
    loop {
        tokio::select! {
            biased;
            Some(r) = set.join_next() => match r? {
                Ok(at) => {
                    set.abort_all();
                    st.first_ok = at - t0;
                    return Ok(st);
                }
                Err(PutError::Timeout) => st.timed_out += 1,
                Err(e) => {
                    st.failed += 1;
                    st.last_failure = e.to_string();
                }
            },
            _ = tick.tick() => {
                anyhow::ensure!(
                    Instant::now() < deadline,
                    "no PUT succeeded within {:?} of the kill (last failure: {})",
                    deadline - t0,
                    st.last_failure
                );
                if set.len() < MAX_IN_FLIGHT {
                    st.sent += 1;
                    let key = key.clone();
                    set.spawn(async move { one_put(client, &key, timeout).await });
                }
            }
        }
    }
}

/// Polls the surviving servers' `/v1/status/leader` directly until one names a leader other
/// than `old`; returns the time since `t0` and that leader.
async fn watch_leader(
    survivors: Vec<SocketAddr>,
    old: String,
    t0: Instant,
    deadline: Instant,
) -> Option<(Duration, String)> {
    while Instant::now() < deadline {
        for &s in &survivors {
            if let Some(l) = leader_of(s).await {
                if !l.is_empty() && l != old {
                    return Some((t0.elapsed(), l));
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    None
}

/// Why a polling PUT failed.
#[derive(Debug)]
enum PutError {
    Timeout,
    Connect(String),
    Http(u16, String),
}

impl std::fmt::Display for PutError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PutError::Timeout => write!(f, "timeout"),
            PutError::Connect(e) => write!(f, "connection: {e}"),
            PutError::Http(s, b) => write!(f, "{s} {b}"),
        }
    }
}

/// One `PUT /v1/kv/<key>` on a fresh connection; the instant it succeeded.
async fn one_put(addr: SocketAddr, key: &str, timeout: Duration) -> Result<Instant, PutError> {
    let fut = async {
        let (status, body) = request(addr, Method::PUT, &format!("/v1/kv/{key}"), b"x")
            .await
            .map_err(|e| PutError::Connect(format!("{e:#}")))?;
        if status == 200 && body.trim_ascii() == b"true" {
            Ok(Instant::now())
        } else {
            let text = String::from_utf8_lossy(&body);
            Err(PutError::Http(
                status,
                text.trim().chars().take(160).collect(),
            ))
        }
    };
    tokio::time::timeout(timeout, fut)
        .await
        .unwrap_or(Err(PutError::Timeout))
}

/// One request on a fresh keep-alive connection; status and body.
async fn request(
    addr: SocketAddr,
    method: Method,
    path: &str,
    body: &'static [u8],
) -> anyhow::Result<(u16, Bytes)> {
    let mut conn = Conn::open(addr).await?;
    let mut req = Request::new(Full::new(Bytes::from_static(body)));
    *req.method_mut() = method;
    *req.uri_mut() = path.parse()?;
    req.headers_mut()
        .insert(HOST, HeaderValue::from_str(&addr.to_string())?);
    let (status, body) = conn.call(req).await?;
    Ok((status.as_u16(), body))
}

/// `GET path` as JSON (200 only), within [`PROBE_TIMEOUT`].
async fn get_json(addr: SocketAddr, path: &str) -> Option<Value> {
    let (status, body) = tokio::time::timeout(PROBE_TIMEOUT, request(addr, Method::GET, path, b""))
        .await
        .ok()?
        .ok()?;
    if status != 200 {
        return None;
    }
    serde_json::from_slice(&body).ok()
}

/// The leader an agent names (`""` when it knows none), or `None` if it did not answer.
async fn leader_of(addr: SocketAddr) -> Option<String> {
    get_json(addr, "/v1/status/leader")
        .await
        .and_then(|v| v.as_str().map(str::to_string))
}

#[cfg(test)]
mod tests {
    use super::median;

    #[test]
    fn median_of_even_and_odd_counts() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), 2.5);
        assert_eq!(median(&[]), 0.0);
    }
}
