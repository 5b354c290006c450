//! The Raft metrics Consul reports that come from hashicorp/raft's core:
//! `raft.state.<follower|candidate|leader>` counted on every transition,
//! `raft.leader.lastContact` (ms since a quorum last answered the leader,
//! sampled once a second while leading) and the `raft.applied_index` /
//! `raft.last_index` gauges. openraft reports all of it through its metrics
//! channel, which this task watches.

use std::time::Duration;

use openraft::ServerState;
use tokio::sync::watch;

use crate::types::Metrics;

/// How often the leader's contact and the index gauges are sampled.
const SAMPLE_EVERY: Duration = Duration::from_secs(1);

/// Watches `rx` until Raft stops.
pub(crate) async fn run(mut rx: watch::Receiver<Metrics>) {
    let mut last = None;
    let mut tick = tokio::time::interval(SAMPLE_EVERY);
    loop {
        let state = rx.borrow_and_update().state;
        if last != Some(state) {
            let name = match state {
                ServerState::Leader => Some("leader"),
                ServerState::Candidate => Some("candidate"),
                ServerState::Follower => Some("follower"),
                ServerState::Learner | ServerState::Shutdown => None,
            };
            if let Some(name) = name {
                consul_telemetry::incr_counter(&["raft", "state", name], 1.0);
            }
            last = Some(state);
        }
        tokio::select! {
            changed = rx.changed() => if changed.is_err() { return },
            _ = tick.tick() => sample(&rx.borrow()),
        }
    }
}

fn sample(m: &Metrics) {
    if m.state == ServerState::Leader {
        if let Some(ms) = m.millis_since_quorum_ack {
            consul_telemetry::add_sample(&["raft", "leader", "lastContact"], ms as f32);
        }
    }
    let applied = m.last_applied.map_or(0, |l| l.index);
    consul_telemetry::set_gauge(&["raft", "applied_index"], applied as f32);
    consul_telemetry::set_gauge(
        &["raft", "last_index"],
        m.last_log_index.unwrap_or(0) as f32,
    );
}
