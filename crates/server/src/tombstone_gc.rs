//! Consul's tombstone GC. A KV delete leaves a tombstone so that list
//! indexes under the deleted prefix never go backwards while blocking
//! queries may still be watching; the leader reaps tombstones once they are
//! `ttl` old, through a `TombstoneReap` Raft command, so the graveyard does
//! not grow forever.
//!
//! [`TombstoneGc`] is the clock-free core: hints (the index of new
//! tombstones at a time) fall into bins that expire on a multiple of the
//! granularity after `ttl`, each bin remembering the highest index hinted in
//! it. [`run`] is the leader's task: while this server leads it hints every
//! new tombstone index (and, on gaining leadership, everything already
//! buried), and when bins expire issues one reap for the highest expired
//! index. Losing leadership drops every pending bin.
//!
//! After a reap, a list under a prefix with no entries and no tombstones
//! left answers the KV tables' index (`state/kv.rs`), which never goes
//! backwards, so the index a blocking query saw for a deleted prefix stays
//! monotonic.

use std::collections::BTreeMap;
use std::time::Duration;

use consul_state::{Table, WatchSet};
use consul_types::command::Command;

use crate::Server;

/// Tombstone GC settings. Consul keeps them server-internal (no config-file
/// key), with these defaults; tests set small values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TombstoneGcConfig {
    /// How long a tombstone is kept (Consul's `TombstoneTTL`, 15 min).
    pub ttl: Duration,
    /// Expiries are binned to this (Consul's `TombstoneTTLGranularity`, 30 s):
    /// fewer Raft writes, at most this much later than `ttl`.
    pub granularity: Duration,
}

impl Default for TombstoneGcConfig {
    fn default() -> Self {
        TombstoneGcConfig {
            ttl: Duration::from_secs(15 * 60),
            granularity: Duration::from_secs(30),
        }
    }
}

/// Pending expiries: bin deadline (time since the caller's origin) → the
/// highest tombstone index hinted into it.
#[derive(Debug, Clone)]
pub struct TombstoneGc {
    ttl: Duration,
    granularity: Duration,
    bins: BTreeMap<Duration, u64>,
}

impl TombstoneGc {
    /// An empty GC; a zero granularity is taken as 1 ms.
    pub fn new(cfg: TombstoneGcConfig) -> Self {
        TombstoneGc {
            ttl: cfg.ttl,
            granularity: cfg.granularity.max(Duration::from_millis(1)),
            bins: BTreeMap::new(),
        }
    }

    /// The bin a hint at `now` expires in: the first multiple of the
    /// granularity strictly after `now + ttl`.
    fn bin(&self, now: Duration) -> Duration {
        let g = self.granularity.as_nanos();
        let due = (now + self.ttl).as_nanos();
        let nanos = (due / g + 1) * g;
        Duration::new(
            u64::try_from(nanos / 1_000_000_000).unwrap_or(u64::MAX),
            (nanos % 1_000_000_000) as u32,
        )
    }

    /// Tombstones up to `index` were created by `now`: reap them once `ttl`
    /// has passed.
    pub fn hint(&mut self, now: Duration, index: u64) {
        let slot = self.bins.entry(self.bin(now)).or_insert(0);
        *slot = (*slot).max(index);
    }

    /// When the next bin expires, if any is pending.
    pub fn next_expiry(&self) -> Option<Duration> {
        self.bins.keys().next().copied()
    }

    /// Drop every bin expired at `now`; answers the highest index they held
    /// (what to reap up to), if any expired.
    pub fn expire(&mut self, now: Duration) -> Option<u64> {
        let later = self.bins.split_off(&(now + Duration::from_nanos(1)));
        let due = std::mem::replace(&mut self.bins, later);
        due.into_values().max()
    }

    /// Whether any bin is pending.
    pub fn is_pending(&self) -> bool {
        !self.bins.is_empty()
    }
}

/// The leader's GC loop, spawned by [`Server::start`]; ends at shutdown.
pub(crate) async fn run(server: Server, cfg: TombstoneGcConfig) {
    let origin = tokio::time::Instant::now();
    let mut stopping = server.stopping();
    loop {
        if *stopping.borrow() {
            return;
        }
        if server.is_leader() {
            lead(&server, cfg, origin, &mut stopping).await;
        } else {
            tokio::select! {
                _ = server.leadership_changed(Duration::from_secs(5)) => {}
                _ = stopping.changed() => {}
            }
        }
    }
}

/// GC while this server leads: starts with every existing tombstone armed,
/// returns (dropping all pending bins) when leadership is lost or at shutdown.
async fn lead(
    server: &Server,
    cfg: TombstoneGcConfig,
    origin: tokio::time::Instant,
    stopping: &mut tokio::sync::watch::Receiver<bool>,
) {
    let mut gc = TombstoneGc::new(cfg);
    let mut hinted = 0;
    while server.is_leader() && !*stopping.borrow() {
        let snap = server.store().snapshot();
        let newest = snap.table_index(Table::Tombstones);
        if newest > hinted && snap.tombstone_count() > 0 {
            gc.hint(origin.elapsed(), newest);
        }
        hinted = hinted.max(newest);
        let mut ws = WatchSet::new();
        ws.add_table(Table::Tombstones);
        let next = gc.next_expiry();
        tokio::select! {
            _ = ws.wait(server.store(), snap.seq()) => {}
            _ = sleep_until(origin, next) => {
                if let Some(up_to) = gc.expire(origin.elapsed()) {
                    reap(server, &mut gc, origin, up_to).await;
                }
            }
            _ = server.leadership_changed(Duration::from_secs(5)) => {}
            _ = stopping.changed() => {}
        }
    }
}

async fn sleep_until(origin: tokio::time::Instant, at: Option<Duration>) {
    match at {
        Some(at) => tokio::time::sleep_until(origin + at).await,
        None => std::future::pending().await,
    }
}

/// Replicate a reap of every tombstone up to `up_to`; on failure while
/// still leading, try again after another TTL.
async fn reap(server: &Server, gc: &mut TombstoneGc, origin: tokio::time::Instant, up_to: u64) {
    match server.apply(Command::TombstoneReap { index: up_to }).await {
        Ok(_) => tracing::debug!(up_to, "leader: reaped tombstones"),
        Err(e) => {
            tracing::error!(up_to, error = %e, "leader: failed to reap tombstones");
            gc.hint(origin.elapsed(), up_to);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Duration = Duration::from_secs(1);

    fn gc(ttl: u64, granularity: u64) -> TombstoneGc {
        TombstoneGc::new(TombstoneGcConfig {
            ttl: S * ttl as u32,
            granularity: S * granularity as u32,
        })
    }

    #[test]
    fn defaults_are_consuls() {
        let d = TombstoneGcConfig::default();
        assert_eq!((d.ttl, d.granularity), (S * 900, S * 30));
    }

    #[test]
    fn a_hint_expires_after_the_ttl_on_the_next_granularity_boundary() {
        let mut g = gc(60, 10);
        g.hint(S * 3, 7);
        assert_eq!(g.next_expiry(), Some(S * 70));
        // Exactly on a boundary still waits a full granularity.
        let mut g2 = gc(60, 10);
        g2.hint(S * 10, 1);
        assert_eq!(g2.next_expiry(), Some(S * 80));
        assert_eq!(g.expire(S * 69), None);
        assert!(g.is_pending());
        assert_eq!(g.expire(S * 70), Some(7));
        assert!(!g.is_pending());
        assert_eq!(g.expire(S * 1000), None);
    }

    #[test]
    fn hints_in_one_bin_share_it_and_keep_the_highest_index() {
        let mut g = gc(60, 10);
        g.hint(S * 1, 5);
        g.hint(S * 9, 9);
        g.hint(S * 2, 3);
        assert_eq!(g.bins.len(), 1);
        assert_eq!(g.expire(S * 70), Some(9));
    }

    #[test]
    fn expiring_late_covers_every_due_bin_at_once() {
        let mut g = gc(60, 10);
        g.hint(S * 1, 5);
        g.hint(S * 15, 12);
        g.hint(S * 40, 20);
        assert_eq!(g.bins.len(), 3);
        // At 85 s the bins of 70 s and 80 s are due, the one at 110 s is not.
        assert_eq!(g.expire(S * 85), Some(12));
        assert_eq!(g.next_expiry(), Some(S * 110));
        assert_eq!(g.expire(S * 110), Some(20));
    }

    #[test]
    fn zero_granularity_is_usable() {
        let mut g = TombstoneGc::new(TombstoneGcConfig {
            ttl: Duration::ZERO,
            granularity: Duration::ZERO,
        });
        g.hint(Duration::ZERO, 4);
        assert_eq!(g.next_expiry(), Some(Duration::from_millis(1)));
        assert_eq!(g.expire(Duration::from_millis(1)), Some(4));
    }
}
