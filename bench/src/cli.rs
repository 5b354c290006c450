//! Command-line interface of the load generator.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// KV load generator for our Consul server and etcd (see BENCHMARKS.md).
#[derive(Parser, Debug)]
#[command(name = "consul-bench", version)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Drives KV PUT or GET load for a fixed time and prints throughput and latency.
    Load(LoadArgs),
    /// Writes every key of the keyspace once (so GET finds them), then exits.
    Populate(TargetArgs),
    /// Measures `consul agent -dev` time from exec until a leader is known.
    Ready(ReadyArgs),
    /// Starts a 3-server cluster and a client agent, kills the leader with SIGKILL again and
    /// again, and measures the time until a KV PUT through the client agent succeeds.
    Failover(FailoverArgs),
    /// N contenders take turns on one lock (Consul session locks vs etcd's v3 lock
    /// service) and report hand-offs per second and hand-off latency.
    Lock(LockArgs),
    /// Prints the Markdown tables for a file of `load --json` lines.
    Table {
        /// File with one `load --json` object per line.
        input: PathBuf,
    },
}

/// Which server speaks at `--addr`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// Consul HTTP API: `PUT`/`GET /v1/kv/bench/<k>`.
    Consul,
    /// etcd v3 JSON gateway: `POST /v3/kv/put` and `/v3/kv/range`.
    Etcd,
}

/// The operation a load run issues.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// Write a random key with a 64–256-byte value.
    Put,
    /// Read a random (pre-populated) key.
    Get,
    /// One transaction of 4 KV sets on consecutive keys (Consul `PUT /v1/txn`,
    /// etcd `POST /v3/kv/txn` with 4 `requestPut`s).
    Txn,
    /// Consul only: `GET /v1/catalog/service/web` (register `web` first).
    Catalog,
}

/// Where to send requests and over which keyspace.
#[derive(clap::Args, Debug, Clone)]
pub struct TargetArgs {
    /// Server flavour.
    #[arg(long, value_enum)]
    pub target: Target,
    /// HTTP address, e.g. 127.0.0.21:8500 or 127.0.0.22:2379 (loopback only).
    #[arg(long)]
    pub addr: SocketAddr,
    /// Number of distinct keys (`bench/k00000` …).
    #[arg(long, default_value_t = 10_000)]
    pub keys: usize,
    /// Keep-alive connections, one sequential worker each.
    #[arg(long, short = 'c', default_value_t = 16)]
    pub connections: usize,
    /// etcd only: ask for serializable ranges (served locally, no ReadIndex), the closer match
    /// to Consul's default-consistency GET. etcd's own default is linearizable.
    #[arg(long)]
    pub etcd_serializable: bool,
    /// Consul only: send this ACL token (`X-Consul-Token`) with every request.
    #[arg(long, default_value = "")]
    pub token: String,
    /// Client runtime threads (the client shares the CPUs with the server).
    #[arg(long, default_value_t = 1)]
    pub threads: usize,
}

/// Arguments of `load`.
#[derive(clap::Args, Debug, Clone)]
pub struct LoadArgs {
    /// Target and keyspace.
    #[command(flatten)]
    pub target: TargetArgs,
    /// Operation to issue.
    #[arg(long, value_enum)]
    pub op: Op,
    /// Measured seconds (after the warm-up).
    #[arg(long, default_value_t = 10.0)]
    pub duration: f64,
    /// Warm-up seconds whose requests are not counted.
    #[arg(long, default_value_t = 2.0)]
    pub warmup: f64,
    /// Print one JSON object instead of a text line.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `ready`.
#[derive(clap::Args, Debug, Clone)]
pub struct ReadyArgs {
    /// Path to the `consul` binary.
    #[arg(long)]
    pub bin: PathBuf,
    /// Loopback IP for `-client` and `-bind`.
    #[arg(long, default_value = "127.0.0.23")]
    pub ip: std::net::Ipv4Addr,
    /// Number of starts; the median is reported.
    #[arg(long, default_value_t = 10)]
    pub runs: usize,
    /// Give up on one start after this many seconds.
    #[arg(long, default_value_t = 10.0)]
    pub timeout: f64,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `failover`.
#[derive(clap::Args, Debug, Clone)]
pub struct FailoverArgs {
    /// Path to the `consul` binary.
    #[arg(long)]
    pub bin: PathBuf,
    /// Loopback IPs of the three servers (nodes s1, s2, s3), comma-separated.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "127.0.0.41,127.0.0.42,127.0.0.43"
    )]
    pub servers: Vec<std::net::Ipv4Addr>,
    /// Loopback IP of the client agent (node c1).
    #[arg(long, default_value = "127.0.0.44")]
    pub client: std::net::Ipv4Addr,
    /// Directory for the agents' data dirs (`s1`…`s3`, `c1`) and logs; must not exist or be
    /// empty (a fresh cluster).
    #[arg(long)]
    pub work_dir: PathBuf,
    /// `performance { raft_multiplier = N }` for the servers; without it no `-hcl` is passed
    /// and the servers use Consul's default (5).
    #[arg(long)]
    pub raft_multiplier: Option<u32>,
    /// Number of leader kills.
    #[arg(long, default_value_t = 10)]
    pub kills: usize,
    /// Timeout of one polling PUT, in milliseconds.
    #[arg(long, default_value_t = 300)]
    pub request_timeout_ms: u64,
    /// A new polling PUT is started this often (milliseconds), whether or not the previous
    /// ones have answered (at most 64 in flight).
    #[arg(long, default_value_t = 10)]
    pub poll_interval_ms: u64,
    /// Once the cluster is healthy, wait this long (milliseconds) before the next kill.
    #[arg(long, default_value_t = 2000)]
    pub settle_ms: u64,
    /// Give up on one failover (or on the cluster becoming healthy) after this many seconds.
    #[arg(long, default_value_t = 120.0)]
    pub max_wait: f64,
    /// Keep this file listing the PIDs of every agent started (rewritten on each restart), so a
    /// wrapper script can clean up if this process is killed.
    #[arg(long)]
    pub pid_file: Option<PathBuf>,
    /// Print one JSON object (all kills and the summary) instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `lock`.
#[derive(clap::Args, Debug, Clone)]
pub struct LockArgs {
    /// Server flavour.
    #[arg(long, value_enum)]
    pub target: Target,
    /// HTTP address (loopback only).
    #[arg(long)]
    pub addr: SocketAddr,
    /// The lock's key (Consul) or name (etcd).
    #[arg(long, default_value = "bench/lock")]
    pub key: String,
    /// Contenders, one connection each.
    #[arg(long, short = 'n', default_value_t = 16)]
    pub contenders: usize,
    /// Measured seconds (after the warm-up).
    #[arg(long, default_value_t = 10.0)]
    pub duration: f64,
    /// Warm-up seconds whose hand-offs are not counted.
    #[arg(long, default_value_t = 2.0)]
    pub warmup: f64,
    /// Client runtime threads.
    #[arg(long, default_value_t = 1)]
    pub threads: usize,
    /// Print one JSON object instead of a text line.
    #[arg(long)]
    pub json: bool,
}
