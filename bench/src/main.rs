//! `consul-bench`: KV PUT/GET load generator for our Consul server and etcd's v3 JSON gateway,
//! the lock hand-off race (`lock`), plus the `agent -dev` time-to-ready probe and the leader-kill failover probe. `bench/run.sh`
//! and `bench/cluster/run.sh` drive it and write BENCHMARKS.md.

mod cli;
mod conn;
mod failover;
mod load;
mod lock;
mod ready;
mod stats;
mod table;
mod workload;

use clap::Parser;

use cli::{Cli, Command};

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Load(args) => {
            let summary = runtime(args.target.threads)?.block_on(load::run(&args))?;
            if args.json {
                println!("{}", serde_json::to_string(&summary)?);
            } else {
                println!("{}", summary.line());
            }
        }
        Command::Populate(t) => {
            let n = runtime(t.threads)?.block_on(load::populate(&t))?;
            eprintln!("populated {n} keys on {}", t.addr);
        }
        Command::Lock(args) => {
            let summary = runtime(args.threads)?.block_on(lock::run(&args))?;
            if args.json {
                println!("{}", serde_json::to_string(&summary)?);
            } else {
                println!("{}", summary.line());
            }
        }
        Command::Table { input } => {
            let text = std::fs::read_to_string(&input)?;
            print!("{}", table::render(&text)?);
        }
        Command::Failover(args) => {
            let report = runtime(1)?.block_on(failover::run(&args))?;
            if args.json {
                println!("{}", serde_json::to_string(&report)?);
            } else {
                println!("{}", report.line());
            }
        }
        Command::Ready(args) => {
            let r = ready::measure(&args)?;
            if args.json {
                println!("{}", serde_json::to_string(&r)?);
            } else {
                let runs: Vec<String> = r.runs_ms.iter().map(|m| format!("{m:.1}")).collect();
                println!(
                    "agent -dev ready: median {:.1} ms (min {:.1}, max {:.1}; runs {})",
                    r.median_ms,
                    r.min_ms,
                    r.max_ms,
                    runs.join(" ")
                );
            }
        }
    }
    Ok(())
}

/// A current-thread runtime for one client thread, else a multi-thread one.
fn runtime(threads: usize) -> anyhow::Result<tokio::runtime::Runtime> {
    let rt = if threads <= 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads)
            .enable_all()
            .build()?
    };
    Ok(rt)
}
