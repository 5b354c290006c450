//! A statsd or DogStatsD destination: emissions become lines on the
//! emitting task (never blocking: a full queue drops the line, as
//! go-metrics does), and one background task packs them into datagrams
//! (at most 1,400 bytes, flushed every 100 ms) and sends them over UDP.

use std::time::Duration;

use consul_telemetry::statsd::{dogstatsd_line, statsd_line, Batcher};
use consul_telemetry::{Emission, Sink};
use tokio::net::UdpSocket;
use tokio::sync::mpsc;

/// Lines waiting to be sent (go-metrics' queue length).
const QUEUE: usize = 4096;
/// How often a partial datagram is sent.
const FLUSH_EVERY: Duration = Duration::from_millis(100);
/// Wait before trying an unreachable address again.
const RETRY_AFTER: Duration = Duration::from_secs(5);

/// Which line format.
#[derive(Debug, Clone)]
pub enum Flavor {
    /// statsd (`statsd_address`).
    Plain,
    /// DogStatsD (`dogstatsd_addr`): tags, the host name kept out of names.
    Dog {
        /// This host's name, removed from gauge names.
        hostname: String,
        /// `dogstatsd_tags`.
        tags: Vec<String>,
    },
}

/// The sink half: formats and queues lines.
#[derive(Debug)]
pub struct StatsdSink {
    flavor: Flavor,
    tx: mpsc::Sender<String>,
}

impl Sink for StatsdSink {
    fn emit(&self, e: &Emission<'_>) {
        let line = match &self.flavor {
            Flavor::Plain => statsd_line(e),
            Flavor::Dog { hostname, tags } => dogstatsd_line(e, hostname, tags),
        };
        let _ = self.tx.try_send(line);
    }
}

/// Starts the sender for `addr` (`host:port`) and returns its sink.
pub fn start(addr: &str, flavor: Flavor) -> StatsdSink {
    let (tx, rx) = mpsc::channel(QUEUE);
    tokio::spawn(send(addr.to_string(), rx));
    StatsdSink { flavor, tx }
}

async fn send(addr: String, mut rx: mpsc::Receiver<String>) {
    loop {
        let sock = match connect(&addr).await {
            Ok(s) => s,
            Err(e) => {
                tracing::error!(address = %addr, error = %e, "telemetry: cannot reach statsd");
                if drain_for(&mut rx, RETRY_AFTER).await.is_none() {
                    return;
                }
                continue;
            }
        };
        let mut batch = Batcher::default();
        let mut tick = tokio::time::interval(FLUSH_EVERY);
        let failed = loop {
            let datagram = tokio::select! {
                line = rx.recv() => match line {
                    Some(l) => batch.push(&l),
                    None => return,
                },
                _ = tick.tick() => batch.flush(),
            };
            if let Some(d) = datagram {
                if let Err(e) = sock.send(d.as_bytes()).await {
                    break e;
                }
            }
        };
        tracing::error!(address = %addr, error = %failed, "telemetry: error writing to statsd");
        if drain_for(&mut rx, RETRY_AFTER).await.is_none() {
            return;
        }
    }
}

async fn connect(addr: &str) -> std::io::Result<UdpSocket> {
    let target = tokio::net::lookup_host(addr)
        .await?
        .next()
        .ok_or_else(|| std::io::Error::other(format!("no address for {addr}")))?;
    let local = if target.is_ipv4() {
        "0.0.0.0:0"
    } else {
        "[::]:0"
    };
    let sock = UdpSocket::bind(local).await?;
    sock.connect(target).await?;
    Ok(sock)
}

/// Drops queued lines for `wait` (go-metrics discards while disconnected);
/// `None` once every sender is gone.
async fn drain_for(rx: &mut mpsc::Receiver<String>, wait: Duration) -> Option<()> {
    let until = tokio::time::Instant::now() + wait;
    loop {
        tokio::select! {
            line = rx.recv() => line?,
            _ = tokio::time::sleep_until(until) => return Some(()),
        };
    }
}
