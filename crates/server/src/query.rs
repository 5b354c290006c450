//! Read consistency modes and blocking queries.
//!
//! A blocking query runs its read against an O(1) snapshot, recording what it
//! touched in a watch set; if the result's index is not past the caller's
//! `index`, it sleeps on exactly that watch set until a write touches it or
//! the wait (plus up to 1/16 jitter) runs out, then reads again.

use std::time::Duration;

use consul_state::{ReadTxn, WatchSet};
use rand::Rng;

/// Consul's default blocking wait when `wait` is absent.
pub const DEFAULT_QUERY_TIME: Duration = Duration::from_secs(300);
/// Consul's cap on `wait`.
pub const MAX_QUERY_TIME: Duration = Duration::from_secs(600);
/// The blocking timeout gets up to `wait / JITTER_FRACTION` added.
pub const JITTER_FRACTION: u32 = 16;

/// How fresh a read must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReadMode {
    /// Served by the leader (ours: only while its lease holds).
    #[default]
    Default,
    /// The leader confirms leadership with a quorum first.
    Consistent,
    /// Any server answers from its own state.
    Stale,
}

/// Options common to every read (Consul's `QueryOptions`).
#[derive(Debug, Clone, Default)]
pub struct QueryOptions {
    /// Block until the result's index exceeds this (0 = don't block).
    pub min_index: u64,
    /// Longest time to block (0 = default).
    pub max_wait: Duration,
    /// Consistency mode.
    pub mode: ReadMode,
}

impl QueryOptions {
    /// The blocking timeout for these options: `wait` defaulted and capped,
    /// plus up to 1/16 random jitter.
    pub fn blocking_timeout(&self) -> Duration {
        let base = if self.max_wait.is_zero() {
            DEFAULT_QUERY_TIME
        } else {
            self.max_wait.min(MAX_QUERY_TIME)
        };
        let jitter_max = base / JITTER_FRACTION;
        let jitter = if jitter_max.is_zero() {
            Duration::ZERO
        } else {
            rand::thread_rng().gen_range(Duration::ZERO..jitter_max)
        };
        base + jitter
    }
}

/// What every read reports besides its result (Consul's `QueryMeta`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct QueryMeta {
    /// Index of the result; never 0.
    pub index: u64,
    /// Whether a leader is known.
    pub known_leader: bool,
    /// Time since the leader was last heard from (0 on the leader).
    pub last_contact: Duration,
}

/// Run `read` until its index passes `opts.min_index` or the timeout expires.
/// Returns the last index (forced ≥ 1) and result.
pub async fn run_blocking<T>(
    store: &consul_state::Store,
    opts: &QueryOptions,
    mut read: impl FnMut(&ReadTxn, &mut WatchSet) -> (u64, T),
) -> (u64, T) {
    consul_telemetry::incr_counter(&["rpc", "query"], 1.0);
    let deadline = tokio::time::Instant::now() + opts.blocking_timeout();
    loop {
        let snap = store.snapshot();
        let mut ws = WatchSet::new();
        let (index, result) = read(&snap, &mut ws);
        // Index 0 would make `?index=0` clients spin; Consul forces it to 1.
        let index = index.max(1);
        if opts.min_index == 0 || index > opts.min_index {
            return (index, result);
        }
        let now = tokio::time::Instant::now();
        if now >= deadline {
            return (index, result);
        }
        if tokio::time::timeout_at(deadline, ws.wait(store, snap.seq()))
            .await
            .is_err()
        {
            return (index, result);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocking_timeout_defaults_caps_and_jitters() {
        let d = QueryOptions::default().blocking_timeout();
        assert!(d >= DEFAULT_QUERY_TIME && d < DEFAULT_QUERY_TIME + DEFAULT_QUERY_TIME / 16);
        let opts = QueryOptions {
            max_wait: Duration::from_secs(3600),
            ..Default::default()
        };
        let d = opts.blocking_timeout();
        assert!(d >= MAX_QUERY_TIME && d < MAX_QUERY_TIME + MAX_QUERY_TIME / 16);
        let opts = QueryOptions {
            max_wait: Duration::from_secs(2),
            ..Default::default()
        };
        let d = opts.blocking_timeout();
        assert!(d >= Duration::from_secs(2) && d < Duration::from_millis(2125));
    }
}
