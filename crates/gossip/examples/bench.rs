//! Simulation benchmark (run with `--release`):
//! `bench [SIZES...]`, default 50 200 1000. Prints a markdown table.
//!
//! Experiments: `BENCH_PUSH_PULL_S=0` disables periodic push-pull (the
//! join push-pull still happens), `BENCH_UDP_BUFFER=N` changes the packet
//! size budget, `BENCH_SHARE=0` gives every simulated member its own
//! copies of names and queued broadcasts (as separate processes have)
//! instead of the simulator's shared ones; it changes memory only.
//! `BENCH_EXTRA_KILLS=K` kills K more members one after another once the
//! row is printed and reports, on stderr, each one's time to the first
//! suspicion, to the first dead declaration and to "dead at all" (the
//! spread of the probe-luck part of failure detection).
//!
//! Besides the table (stdout), one line per size goes to stderr with the
//! exact counters (to check that a change left the protocol's behaviour
//! alone: they must not move), the CPU time and the peak RSS.

use consul_gossip::codec::NodeState;
use consul_gossip::memberlist::Config;
use consul_gossip::sim::Sim;
use std::time::{Duration, Instant};

/// User and system CPU seconds of this process so far.
fn cpu_secs() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let rest = s.rsplit_once(')')?.1;
            let f: Vec<&str> = rest.split_whitespace().collect();
            let ticks = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
            Some(ticks as f64 / 100.0)
        })
        .unwrap_or(0.0)
}

/// Peak RSS of this process so far (KiB).
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            let l = s.lines().find(|l| l.starts_with("VmHWM:"))?;
            l.split_whitespace().nth(1)?.parse().ok()
        })
        .unwrap_or(0)
}

fn rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map(|pages| pages * 4096)
        .unwrap_or(0)
}

/// A numeric override from the environment (experiments only; the
/// published table uses the defaults).
fn env_secs(name: &str) -> Option<u64> {
    std::env::var(name).ok()?.parse().ok()
}

fn main() {
    let sizes: Vec<usize> = {
        let a: Vec<usize> = std::env::args()
            .skip(1)
            .filter_map(|a| a.parse().ok())
            .collect();
        if a.is_empty() {
            vec![50, 200, 1000]
        } else {
            a
        }
    };
    println!("| members | converge after mass join (s) | failure known by all (s) | dead broadcast spread (s) | msgs/member/s | bytes/member/s | push-pull bytes/member/s | memory/member (KiB) | wall (s) |");
    println!("|---|---|---|---|---|---|---|---|---|");
    for n in sizes {
        let wall = Instant::now();
        let cpu0 = cpu_secs();
        let rss0 = rss_bytes();
        let mut sim = Sim::new(n as u64);
        sim.record_events = false;
        if env_secs("BENCH_SHARE") == Some(0) {
            sim.shared = None;
        }
        // Mass join: everyone joins member 0 within one second.
        for i in 0..n {
            sim.add(|name, addr| {
                let mut c = Config::lan(name, addr);
                c.wire.compress = false;
                if let Some(s) = env_secs("BENCH_PUSH_PULL_S") {
                    c.push_pull_interval = Duration::from_secs(s);
                }
                if let Some(b) = env_secs("BENCH_UDP_BUFFER") {
                    c.udp_buffer_size = b as usize;
                }
                c
            });
            if i > 0 {
                sim.join(i, 0);
            }
            sim.run_for(Duration::from_micros(1_000_000 / n as u64));
        }
        let joined = sim.now;
        let conv = sim
            .run_until_pred(Duration::from_secs(600), Duration::from_millis(100), |s| {
                s.all_see_alive(n)
            })
            .map(|t| (t - joined).as_secs_f64());
        let rss1 = rss_bytes();
        // Steady state traffic over 60 s.
        let (p0, b0, pp0) = (
            sim.stats.packets,
            sim.stats.bytes,
            sim.stats.push_pull_bytes,
        );
        sim.run_for(Duration::from_secs(60));
        let per = |x: u64| x as f64 / n as f64 / 60.0;
        let msgs = per(sim.stats.packets - p0);
        let bytes = per(sim.stats.bytes - b0);
        let ppb = per(sim.stats.push_pull_bytes - pp0);
        // Failure detection.
        let victim = n / 2;
        // Diagnostics at the kill: mass-join broadcasts still queued, and
        // members whose Lifeguard health score slows their probing.
        let live = || (0..n).filter_map(|i| sim.ml(i));
        let queued: usize = live().map(|m| m.pending_broadcasts()).sum();
        let unhealthy = live().filter(|m| m.health_score() > 0).count();
        sim.kill(victim);
        let killed = sim.now;
        let name = format!("node-{victim}");
        // Until the first member suspects it (stepping does not change the
        // run: events are processed in the same order whatever the steps).
        let suspected = sim
            .run_until_pred(Duration::from_secs(600), Duration::from_millis(20), |s| {
                !s.all_see(&name, |st| matches!(st, Some(NodeState::Alive)))
            })
            .map(|t| (t - killed).as_secs_f64());
        let first = sim
            .run_until_pred(Duration::from_secs(600), Duration::from_millis(20), |s| {
                !s.all_see(&name, |st| !matches!(st, Some(NodeState::Dead) | None))
            })
            .map(|t| (t - killed).as_secs_f64());
        let detect = sim
            .run_until_pred(Duration::from_secs(600), Duration::from_millis(20), |s| {
                s.all_see(&name, |st| matches!(st, Some(NodeState::Dead) | None))
            })
            .map(|t| (t - killed).as_secs_f64());
        let spread = match (first, detect) {
            (Some(a), Some(b)) => Some(b - a),
            _ => None,
        };
        let mem = rss1.saturating_sub(rss0) as f64 / n as f64 / 1024.0;
        let ns = |o: Option<f64>| o.map(|v| format!("{:.0}", v * 1e9)).unwrap_or("-".into());
        eprintln!(
            "n={n} conv_ns={} detect_ns={} first_ns={} suspected_ns={} queued_at_kill={queued} unhealthy_at_kill={unhealthy} packets={} bytes={} dropped={} push_pulls={} push_pull_bytes={} cpu_s={:.1} peak_rss_kib={} share={}",
            ns(conv),
            ns(detect),
            ns(first),
            ns(suspected),
            sim.stats.packets,
            sim.stats.bytes,
            sim.stats.dropped,
            sim.stats.push_pulls,
            sim.stats.push_pull_bytes,
            cpu_secs() - cpu0,
            peak_rss_kib(),
            sim.shared.is_some(),
        );
        let f = |o: Option<f64>| o.map(|v| format!("{v:.1}")).unwrap_or("—".into());
        println!(
            "| {n} | {} | {} | {} | {msgs:.1} | {bytes:.0} | {ppb:.0} | {mem:.1} | {:.1} |",
            f(conv),
            f(detect),
            f(spread),
            wall.elapsed().as_secs_f64()
        );
        let extra = env_secs("BENCH_EXTRA_KILLS").unwrap_or(0) as usize;
        let mut killed = vec![victim];
        for k in 1..=extra.min(n.saturating_sub(2)) {
            let mut v = (victim + k * 7919) % n;
            while killed.contains(&v) {
                v = (v + 1) % n;
            }
            killed.push(v);
            // Let the previous failure's broadcasts settle first.
            sim.run_for(Duration::from_secs(10));
            sim.kill(v);
            let at = sim.now;
            let name = format!("node-{v}");
            let until = |sim: &mut Sim, pred: &dyn Fn(&Sim) -> bool| {
                sim.run_until_pred(Duration::from_secs(600), Duration::from_millis(20), pred)
                    .map(|t| (t - at).as_secs_f64())
            };
            let suspected = until(&mut sim, &|s| {
                !s.all_see(&name, |st| matches!(st, Some(NodeState::Alive)))
            });
            let first = until(&mut sim, &|s| {
                !s.all_see(&name, |st| !matches!(st, Some(NodeState::Dead) | None))
            });
            let detect = until(&mut sim, &|s| {
                s.all_see(&name, |st| matches!(st, Some(NodeState::Dead) | None))
            });
            eprintln!(
                "n={n} extra_kill={k} victim={v} suspected_ns={} first_ns={} detect_ns={}",
                ns(suspected),
                ns(first),
                ns(detect)
            );
        }
    }
}
