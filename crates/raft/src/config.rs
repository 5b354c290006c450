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
    /// Data directory; the log goes to `<data_dir>/raft/raft.db` and snapshots to
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
    /// Consul's timings: heartbeat timeout and election timeout 1s × `raft_multiplier`
    /// (Consul's default multiplier is 5, `-dev` uses 1). As in hashicorp/raft the leader
    /// heartbeats every tenth of the heartbeat timeout and the election timeout is
    /// randomized between 1× and 2×. A multiplier of 0 is treated as 1.
    pub fn consul_defaults(
        node_id: u64,
        addr: impl Into<String>,
        data_dir: Option<PathBuf>,
        raft_multiplier: u32,
    ) -> Self {
        let m = raft_multiplier.max(1);
        let timeout = Duration::from_secs(1) * m;
        RaftConfig {
            node_id,
            addr: addr.into(),
            data_dir,
            heartbeat_interval: timeout / 10,
            election_timeout_min: timeout,
            election_timeout_max: timeout * 2,
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
