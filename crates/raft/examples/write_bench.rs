//! Group-commit throughput on one on-disk server:
//! `cargo run -p consul-raft --example write_bench -- [writers] [writes_per_writer] [dir]`.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use consul_raft::{NoTransport, RaftConfig, RaftNode, StateMachine};

struct Counter(std::sync::atomic::AtomicU64);

impl StateMachine for Counter {
    fn apply(&self, _index: u64, command: &[u8]) -> Result<Vec<u8>, consul_raft::ApplyError> {
        self.0
            .fetch_add(command.len() as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(Vec::new())
    }
    fn snapshot(&self) -> Vec<u8> {
        self.0
            .load(std::sync::atomic::Ordering::Relaxed)
            .to_be_bytes()
            .to_vec()
    }
    fn restore(&self, _index: u64, data: &[u8]) -> Result<(), String> {
        let b: [u8; 8] = data.try_into().map_err(|_| "bad snapshot".to_string())?;
        self.0
            .store(u64::from_be_bytes(b), std::sync::atomic::Ordering::Relaxed);
        Ok(())
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let writers: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(64);
    let per: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(100);
    let tmp = tempfile::tempdir()?;
    let dir = args
        .get(3)
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| tmp.path().to_path_buf());

    let cfg = RaftConfig::consul_defaults(1, "127.0.0.1:8300", Some(dir), 1);
    let node = RaftNode::start(
        cfg,
        Arc::new(Counter(Default::default())),
        Arc::new(NoTransport),
    )
    .await?;
    node.bootstrap(BTreeMap::from([(1, "127.0.0.1:8300".to_string())]))
        .await?;
    node.wait_for_leader(Duration::from_secs(5)).await?;

    // Sequential baseline: one write at a time.
    let f0 = node.log_fsyncs();
    let t0 = Instant::now();
    for i in 0..200 {
        node.write(format!("seq-{i}").into_bytes()).await?;
    }
    let el = t0.elapsed();
    println!(
        "sequential: 200 writes in {el:?}: {:.0} writes/s, {} fsyncs",
        200.0 / el.as_secs_f64(),
        node.log_fsyncs() - f0
    );

    let f0 = node.log_fsyncs();
    let t0 = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..writers {
        let n = node.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..per {
                n.write(format!("key-{w}-{i}=value").into_bytes()).await?;
            }
            Ok::<_, consul_raft::RaftError>(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    let el = t0.elapsed();
    let total = writers * per;
    let fsyncs = node.log_fsyncs() - f0;
    println!(
        "concurrent: {writers} writers x {per} = {total} writes in {el:?}: {:.0} writes/s, {fsyncs} fsyncs ({:.1} writes/fsync)",
        total as f64 / el.as_secs_f64(),
        total as f64 / fsyncs.max(1) as f64
    );
    node.shutdown().await;
    Ok(())
}
