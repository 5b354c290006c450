//! Raft timing and storage settings.

use std::path::PathBuf;
use std::time::Duration;

/// Settings of one Raft server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RaftConfig {
    /// This server's Raft id.
    pub node_id: u64,
    /// This server's RPC address, e.g. `127.0.0.1:8300` (stored in the membership).
    pub addr: String,
    /// Data directory; the log goes to `<data_dir>/raft/wal/` and snapshots to
    /// `<data_dir>/raft/snapshots/`. `None` keeps everything in memory (`consul agent -dev`).
    pub data_dir: Option<PathBuf>,
    /// How often the leader sends heartbeats.
    pub heartbeat_interval: Duration,
    /// Lower bound of the randomized election timeout.
    pub election_timeout_min: Duration,
    /// Upper bound of the randomized election timeout.
    pub election_timeout_max: Duration,
    /// Take a snapshot after this many log entries since the last one (Consul: 16384).
    pub snapshot_threshold: u64,
    /// Log entries kept after a snapshot, for slow followers (Consul: 10240).
    pub trailing_logs: u64,
    /// Most commands group-committed into one log entry.
    pub max_batch: usize,
    /// Most bytes of commands group-committed into one log entry (a single bigger command
    /// still goes alone).
    pub max_batch_bytes: usize,
}

impl RaftConfig {
    /// Timings scaled by `raft_multiplier` (Consul's default multiplier is 5,
    /// `-dev` uses 1; 0 is treated as 1): heartbeat every 100 ms × m, election
    /// timeout randomized in 350–500 ms × m.
    ///
    /// These are shorter than hashicorp/raft's 1 s × m because openraft 0.9
    /// waits longer before a follower campaigns: a leader lease equal to the
    /// maximum election timeout after the last heartbeat, *then* its election
    /// timeout. With Consul's values that made failover 3.0–4.2 s at m = 1
    /// (measured, BENCHMARKS.md); with these it is lease 0.5 s + 0.35–0.5 s.
    /// The server's read lease (0.8 × the minimum election timeout) stays
    /// below openraft's vote lease, so leased reads remain linearizable.
    pub fn consul_defaults(
        node_id: u64,
        addr: impl Into<String>,
        data_dir: Option<PathBuf>,
        raft_multiplier: u32,
    ) -> Self {
        let m = raft_multiplier.max(1);
        RaftConfig {
            node_id,
            addr: addr.into(),
            data_dir,
            heartbeat_interval: Duration::from_millis(100) * m,
            election_timeout_min: Duration::from_millis(350) * m,
            election_timeout_max: Duration::from_millis(500) * m,
            snapshot_threshold: 16384,
            trailing_logs: 10240,
            max_batch: 512,
            max_batch_bytes: 4 << 20,
        }
    }

    /// Builds openraft's config from ours.
    pub(crate) fn openraft_config(&self) -> Result<openraft::Config, crate::RaftError> {
        let ms = |d: Duration| d.as_millis().max(1) as u64;
        let cfg = openraft::Config {
            cluster_name: "consul".to_string(),
            heartbeat_interval: ms(self.heartbeat_interval),
            election_timeout_min: ms(self.election_timeout_min),
            election_timeout_max: ms(self.election_timeout_max)
                .max(ms(self.election_timeout_min) + 1),
            install_snapshot_timeout: 30_000,
            max_payload_entries: 64,
            replication_lag_threshold: self.trailing_logs.max(1),
            snapshot_policy: openraft::SnapshotPolicy::LogsSinceLast(
                self.snapshot_threshold.max(1),
            ),
            max_in_snapshot_log_to_keep: self.trailing_logs,
            purge_batch_size: 1,
            ..Default::default()
        };
        cfg.validate()
            .map_err(|e| crate::RaftError::Invalid(e.to_string()))
    }
}
