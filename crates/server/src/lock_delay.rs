//! Lock-delay, as Consul's state-store `lockDelay`: when a session is
//! invalidated, each key it held cannot be locked again for the session's
//! `LockDelay` (at most 60 s). The expiries are wall-clock facts, so they
//! live in memory beside the store, outside Raft: every server arms them as
//! its FSM applies the invalidation (the store hands over what it armed),
//! and the leader checks them before a lock request enters Raft — so a new
//! leader after a failover still honours them.
//!
//! [`LockDelayTable`] is the clock-free core (the caller passes `now`);
//! [`LockDelays`] shares one behind a mutex.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Above this many entries, arming also drops the expired ones.
const PRUNE_ABOVE: usize = 1024;

/// Key → until when it may not be locked.
#[derive(Debug, Default)]
pub struct LockDelayTable {
    until: HashMap<String, Instant>,
}

impl LockDelayTable {
    /// `key` may not be locked before `now + delay` (a later expiry already
    /// armed is kept).
    pub fn arm(&mut self, key: String, now: Instant, delay: Duration) {
        if self.until.len() > PRUNE_ABOVE {
            self.until.retain(|_, t| *t > now);
        }
        let at = now + delay;
        let slot = self.until.entry(key).or_insert(at);
        *slot = (*slot).max(at);
    }

    /// Whether `key` is still within its lock-delay at `now`.
    pub fn blocked(&self, key: &str, now: Instant) -> bool {
        self.until.get(key).is_some_and(|t| *t > now)
    }

    /// How many keys have an expiry recorded (expired ones included until pruned).
    pub fn len(&self) -> usize {
        self.until.len()
    }

    /// Whether no expiry is recorded.
    pub fn is_empty(&self) -> bool {
        self.until.is_empty()
    }
}

/// The server's shared lock-delay table.
#[derive(Debug, Default)]
pub struct LockDelays {
    table: Mutex<LockDelayTable>,
}

impl LockDelays {
    /// Arm every `(key, delay)` from `now`.
    pub fn arm_all(&self, armed: Vec<(String, Duration)>, now: Instant) {
        if armed.is_empty() {
            return;
        }
        let mut t = self.table.lock().unwrap_or_else(|e| e.into_inner());
        for (key, delay) in armed {
            t.arm(key, now, delay);
        }
    }

    /// Whether `key` may not be locked yet.
    pub fn blocked(&self, key: &str) -> bool {
        self.table
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .blocked(key, Instant::now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_blocked_until_its_delay_passes() {
        let t0 = Instant::now();
        let s = Duration::from_secs;
        let mut t = LockDelayTable::default();
        assert!(!t.blocked("k", t0));
        t.arm("k".into(), t0, s(15));
        assert!(t.blocked("k", t0 + s(14)));
        assert!(!t.blocked("k", t0 + s(15)));
        assert!(!t.blocked("other", t0));
        // A shorter delay armed later does not shorten the first.
        t.arm("k".into(), t0 + s(1), s(1));
        assert!(t.blocked("k", t0 + s(10)));
        // Zero delay blocks nothing.
        t.arm("z".into(), t0, Duration::ZERO);
        assert!(!t.blocked("z", t0));
    }

    #[test]
    fn expired_entries_are_pruned_when_the_table_grows() {
        let t0 = Instant::now();
        let mut t = LockDelayTable::default();
        for i in 0..=PRUNE_ABOVE {
            t.arm(format!("k{i}"), t0, Duration::from_secs(1));
        }
        t.arm(
            "late".into(),
            t0 + Duration::from_secs(2),
            Duration::from_secs(1),
        );
        assert_eq!(t.len(), 1);
        assert!(t.blocked("late", t0 + Duration::from_secs(2)));
    }
}
