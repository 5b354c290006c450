//! `agent -dev` time-to-ready: from exec until `GET /v1/status/leader` names a leader.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context;
use serde::Serialize;

use crate::cli::ReadyArgs;

/// Result of all starts.
#[derive(Serialize, Debug)]
pub struct ReadyReport {
    /// Every start's time to ready, in milliseconds, in run order.
    pub runs_ms: Vec<f64>,
    /// Median of `runs_ms`.
    pub median_ms: f64,
    /// Smallest of `runs_ms`.
    pub min_ms: f64,
    /// Largest of `runs_ms`.
    pub max_ms: f64,
}

/// Starts the agent `args.runs` times and reports the times to ready.
pub fn measure(args: &ReadyArgs) -> anyhow::Result<ReadyReport> {
    anyhow::ensure!(args.ip.is_loopback(), "only loopback addresses are allowed");
    let http = SocketAddr::from((args.ip, 8500));
    let mut runs_ms = Vec::with_capacity(args.runs);
    for _ in 0..args.runs.max(1) {
        wait_port_free(http)?;
        runs_ms.push(once(args, http)?);
    }
    let mut sorted = runs_ms.clone();
    sorted.sort_by(f64::total_cmp);
    Ok(ReadyReport {
        median_ms: sorted[sorted.len() / 2],
        min_ms: sorted[0],
        max_ms: sorted[sorted.len() - 1],
        runs_ms,
    })
}

fn once(args: &ReadyArgs, http: SocketAddr) -> anyhow::Result<f64> {
    let ip = args.ip.to_string();
    let t0 = Instant::now();
    let mut child = Command::new(&args.bin)
        .args(["agent", "-dev", "-client", &ip, "-bind", &ip])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("spawn {}", args.bin.display()))?;
    let deadline = t0 + Duration::from_secs_f64(args.timeout);
    let result = loop {
        if leader_known(http) {
            break Ok(t0.elapsed().as_secs_f64() * 1000.0);
        }
        if Instant::now() > deadline {
            break Err(anyhow::anyhow!("no leader after {}s", args.timeout));
        }
        if let Some(status) = child.try_wait()? {
            break Err(anyhow::anyhow!("agent exited early: {status}"));
        }
        std::thread::sleep(Duration::from_millis(1));
    };
    let _ = child.kill();
    let _ = child.wait();
    result
}

/// One `GET /v1/status/leader` on a fresh connection; true when it answers 200 with a
/// non-empty leader address.
fn leader_known(http: SocketAddr) -> bool {
    let Ok(mut s) = TcpStream::connect_timeout(&http, Duration::from_millis(50)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_millis(200)));
    let req =
        format!("GET /v1/status/leader HTTP/1.1\r\nHost: {http}\r\nConnection: close\r\n\r\n");
    if s.write_all(req.as_bytes()).is_err() {
        return false;
    }
    let mut buf = Vec::new();
    if s.read_to_end(&mut buf).is_err() && buf.is_empty() {
        return false;
    }
    let text = String::from_utf8_lossy(&buf);
    let Some((head, body)) = text.split_once("\r\n\r\n") else {
        return false;
    };
    head.starts_with("HTTP/1.1 200") && body.contains(':') && body.trim() != "\"\""
}

/// Waits until nothing listens on `addr` any more (the previous agent is gone).
fn wait_port_free(addr: SocketAddr) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect_timeout(&addr, Duration::from_millis(50)).is_ok() {
        anyhow::ensure!(Instant::now() < deadline, "{addr} still in use");
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(())
}
