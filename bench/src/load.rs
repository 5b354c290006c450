//! The load loop: N workers, each with its own keep-alive connection, sending requests one
//! after another until the deadline; only requests wholly inside the measured window count.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::cli::{LoadArgs, Op, Target, TargetArgs};
use crate::conn::Conn;
use crate::stats::{mean_us, percentile_us, Summary};
use crate::workload::Workload;

/// What one worker saw.
#[derive(Default)]
struct WorkerResult {
    ok: u64,
    errors: u64,
    samples_ns: Vec<u64>,
}

/// Runs one timed load run and summarises it.
pub async fn run(args: &LoadArgs) -> anyhow::Result<Summary> {
    let t = &args.target;
    let wl = Arc::new(
        Workload::new(t.target, t.addr, t.keys, t.etcd_serializable)?.with_token(&t.token)?,
    );
    let conns = open_all(t.addr, t.connections).await?;
    let start = Instant::now();
    let measure_from = start + Duration::from_secs_f64(args.warmup);
    let end = measure_from + Duration::from_secs_f64(args.duration);
    let handles: Vec<_> = conns
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            let wl = wl.clone();
            let (addr, op) = (t.addr, args.op);
            tokio::spawn(worker(wl, addr, c, op, measure_from, end, i as u64))
        })
        .collect();
    let mut all = WorkerResult::default();
    for h in handles {
        let r = h.await?;
        all.ok += r.ok;
        all.errors += r.errors;
        all.samples_ns.extend(r.samples_ns);
    }
    all.samples_ns.sort_unstable();
    let s = &all.samples_ns;
    Ok(Summary {
        target: match t.target {
            Target::Consul => "consul",
            Target::Etcd if t.etcd_serializable => "etcd-serializable",
            Target::Etcd => "etcd",
        },
        op: match args.op {
            Op::Put => "put",
            Op::Get => "get",
            Op::Txn => "txn",
            Op::Catalog => "catalog",
        },
        connections: t.connections,
        duration_s: args.duration,
        ops: all.ok,
        ops_per_s: all.ok as f64 / args.duration,
        errors: all.errors,
        p50_us: percentile_us(s, 50.0),
        p99_us: percentile_us(s, 99.0),
        mean_us: mean_us(s),
        max_us: percentile_us(s, 100.0),
    })
}

/// Writes every key once, spread over the connections; fails on any error.
pub async fn populate(t: &TargetArgs) -> anyhow::Result<usize> {
    let wl = Arc::new(
        Workload::new(t.target, t.addr, t.keys, t.etcd_serializable)?.with_token(&t.token)?,
    );
    let conns = open_all(t.addr, t.connections).await?;
    let n = conns.len();
    let handles: Vec<_> = conns
        .into_iter()
        .enumerate()
        .map(|(w, mut c)| {
            let wl = wl.clone();
            tokio::spawn(async move {
                for k in (w..wl.key_count()).step_by(n) {
                    let (status, body) = c.call(wl.request(Op::Put, k, k)).await?;
                    anyhow::ensure!(
                        status == 200 && wl.body_ok(Op::Put, &body),
                        "populate key {k}: {status} {}",
                        String::from_utf8_lossy(&body)
                    );
                }
                anyhow::Ok(())
            })
        })
        .collect();
    for h in handles {
        h.await??;
    }
    Ok(wl.key_count())
}

async fn open_all(addr: SocketAddr, n: usize) -> anyhow::Result<Vec<Conn>> {
    let mut conns = Vec::with_capacity(n);
    for _ in 0..n.max(1) {
        conns.push(Conn::open(addr).await?);
    }
    Ok(conns)
}

async fn worker(
    wl: Arc<Workload>,
    addr: SocketAddr,
    conn: Conn,
    op: Op,
    measure_from: Instant,
    end: Instant,
    seed: u64,
) -> WorkerResult {
    let mut r = WorkerResult::default();
    let mut rng = StdRng::seed_from_u64(seed ^ 0x9e37_79b9_7f4a_7c15);
    let mut conn = Some(conn);
    let n = wl.key_count();
    while Instant::now() < end {
        let c = match conn.as_mut() {
            Some(c) => c,
            None => match Conn::open(addr).await {
                Ok(c) => conn.insert(c),
                Err(_) => {
                    r.errors += 1;
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
        };
        let req = wl.request(op, rng.gen_range(0..n), rng.gen());
        let t0 = Instant::now();
        let res = c.call(req).await;
        let t1 = Instant::now();
        match res {
            Ok((status, body)) if status == 200 && wl.body_ok(op, &body) => {
                if t0 >= measure_from && t1 <= end {
                    r.ok += 1;
                    r.samples_ns.push((t1 - t0).as_nanos() as u64);
                }
            }
            Ok(_) => r.errors += 1,
            Err(_) => {
                r.errors += 1;
                conn = None;
            }
        }
    }
    r
}
