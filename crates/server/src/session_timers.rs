//! Session TTL timers, on the leader only (Consul's `session_ttl.go`).
//!
//! A session with a TTL is invalidated when it goes unrenewed for
//! [`SESSION_TTL_MULTIPLIER`] × its TTL (Consul's grace period). Every
//! timer lives in one [`TimerCore`] — a deadline-ordered set plus an index by
//! session — driven by a single task, so thousands of sessions cost map
//! entries, not tasks or threads. The core is clock-free: callers pass the
//! deadlines and `now`.
//!
//! [`run`] is the leader's task. On gaining leadership it waits for its
//! leadership barrier (`barrier.rs`: everything committed before is then
//! applied), then arms every TTL
//! session at the full 2 × TTL (a new leader cannot know when the session
//! was last renewed, so it restarts the clock, as Consul does); a periodic
//! resync arms any TTL session it has not seen. Creates and renews reset a
//! session's timer (renew is forwarded to the leader like a write), destroys
//! clear it; an expiry replicates a session destroy. Losing leadership drops
//! every timer.

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use consul_types::command::Command;
use consul_types::session::{Session, SessionOp, SessionRequest, SESSION_TTL_MULTIPLIER};
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::Server;

/// How often the leader re-arms TTL sessions it has no timer for.
const RESYNC_INTERVAL: Duration = Duration::from_secs(5);
/// How many times an expiry's destroy is tried (Consul: 6).
const MAX_INVALIDATE_ATTEMPTS: u32 = 6;

/// Pending expiries: deadline-ordered, with each session's current deadline.
#[derive(Debug, Default)]
pub struct TimerCore<T: Ord + Copy> {
    by_id: HashMap<String, T>,
    queue: BTreeSet<(T, String)>,
}

impl<T: Ord + Copy> TimerCore<T> {
    /// An empty set of timers.
    pub fn new() -> Self {
        TimerCore {
            by_id: HashMap::new(),
            queue: BTreeSet::new(),
        }
    }

    /// Expire `id` at `at`, replacing any earlier deadline it had.
    pub fn reset(&mut self, id: &str, at: T) {
        if let Some(old) = self.by_id.insert(id.to_string(), at) {
            self.queue.remove(&(old, id.to_string()));
        }
        self.queue.insert((at, id.to_string()));
    }

    /// Forget `id`'s timer.
    pub fn clear(&mut self, id: &str) {
        if let Some(old) = self.by_id.remove(id) {
            self.queue.remove(&(old, id.to_string()));
        }
    }

    /// Forget every timer.
    pub fn clear_all(&mut self) {
        self.by_id.clear();
        self.queue.clear();
    }

    /// Whether `id` has a timer.
    pub fn contains(&self, id: &str) -> bool {
        self.by_id.contains_key(id)
    }

    /// The earliest deadline, if any.
    pub fn next_deadline(&self) -> Option<T> {
        self.queue.first().map(|(t, _)| *t)
    }

    /// Remove and answer every session whose deadline is at or before `now`,
    /// earliest first.
    pub fn pop_expired(&mut self, now: T) -> Vec<String> {
        let mut out = Vec::new();
        while let Some((t, _)) = self.queue.first() {
            if *t > now {
                break;
            }
            let (_, id) = self.queue.pop_first().expect("non-empty queue");
            self.by_id.remove(&id);
            out.push(id);
        }
        out
    }

    /// How many timers are armed.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// Whether no timer is armed.
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }
}

/// What endpoints tell the timer task.
#[derive(Debug)]
enum TimerMsg {
    /// (Re)start a session's timer at 2 × `ttl` from now.
    Reset { id: String, ttl: Duration },
    /// The session is gone.
    Clear(String),
}

/// The handle endpoints use to reset and clear timers (cheap to clone).
#[derive(Debug, Clone)]
pub struct SessionTimers {
    tx: mpsc::UnboundedSender<TimerMsg>,
}

/// The receiving end, for [`run`].
pub(crate) struct TimerInbox(mpsc::UnboundedReceiver<TimerMsg>);

impl SessionTimers {
    /// A handle and the inbox its task reads.
    pub(crate) fn channel() -> (SessionTimers, TimerInbox) {
        let (tx, rx) = mpsc::unbounded_channel();
        (SessionTimers { tx }, TimerInbox(rx))
    }

    /// Restart `s`'s timer (a no-op for a session without a TTL).
    pub fn reset(&self, s: &Session) {
        if let Some(ttl) = s.ttl_duration() {
            let _ = self.tx.send(TimerMsg::Reset {
                id: s.id.clone(),
                ttl,
            });
        }
    }

    /// Drop the timer of session `id`.
    pub fn clear(&self, id: &str) {
        let _ = self.tx.send(TimerMsg::Clear(id.to_string()));
    }
}

/// The full timer of a TTL.
fn full(ttl: Duration) -> Duration {
    ttl * SESSION_TTL_MULTIPLIER
}

/// The leader's timer loop, spawned by [`Server::start`]; ends at shutdown.
pub(crate) async fn run(server: Server, mut inbox: TimerInbox) {
    let mut stopping = server.stopping();
    let mut core = TimerCore::new();
    loop {
        if *stopping.borrow() {
            return;
        }
        if server.is_leader() {
            lead(&server, &mut core, &mut inbox, &mut stopping).await;
            core.clear_all();
            consul_telemetry::set_gauge(&["session_ttl", "active"], 0.0);
            continue;
        }
        // Not leading: messages are dropped; a new term rescans the store.
        tokio::select! {
            _ = server.leadership_changed(Duration::from_secs(5)) => {}
            m = inbox.0.recv() => if m.is_none() { return },
            _ = stopping.changed() => {}
        }
    }
}

/// Arm every TTL session of the store that has no timer yet.
fn arm_missing(server: &Server, core: &mut TimerCore<Instant>) {
    let snap = server.store().snapshot();
    let (_, sessions) = snap.session_list(&mut consul_state::WatchSet::new());
    let now = Instant::now();
    for s in sessions {
        if let Some(ttl) = s.ttl_duration() {
            if !core.contains(&s.id) {
                core.reset(&s.id, now + full(ttl));
            }
        }
    }
}

/// Run timers while this server leads.
async fn lead(
    server: &Server,
    core: &mut TimerCore<Instant>,
    inbox: &mut TimerInbox,
    stopping: &mut tokio::sync::watch::Receiver<bool>,
) {
    // See every session the previous leader committed before arming: the
    // leadership barrier of this term is applied after all of them.
    if server.wait_established().await.is_err() {
        return;
    }
    arm_missing(server, core);
    tracing::debug!(
        timers = core.len(),
        "session timers: armed as the new leader"
    );
    let mut resync = tokio::time::interval(RESYNC_INTERVAL);
    resync.tick().await;
    while server.is_leader() && !*stopping.borrow() {
        consul_telemetry::set_gauge(&["session_ttl", "active"], core.len() as f32);
        let next = core
            .next_deadline()
            .unwrap_or_else(|| Instant::now() + Duration::from_secs(3600));
        tokio::select! {
            m = inbox.0.recv() => match m {
                Some(TimerMsg::Reset { id, ttl }) => core.reset(&id, Instant::now() + full(ttl)),
                Some(TimerMsg::Clear(id)) => core.clear(&id),
                None => return,
            },
            _ = tokio::time::sleep_until(next) => {
                for id in core.pop_expired(Instant::now()) {
                    tokio::spawn(invalidate(server.clone(), id));
                }
            }
            _ = resync.tick() => arm_missing(server, core),
            _ = server.leadership_changed(Duration::from_secs(5)) => {}
            _ = stopping.changed() => {}
        }
    }
}

/// Destroy an expired session through Raft, retrying with back-off while
/// this server leads (Consul: 6 attempts from 10 s).
async fn invalidate(server: Server, id: String) {
    for attempt in 0..MAX_INVALIDATE_ATTEMPTS {
        let gone = server
            .store()
            .snapshot()
            .session_get(&mut consul_state::WatchSet::new(), &id)
            .map_or(true, |(_, s)| s.is_none());
        if gone || !server.is_leader() {
            return;
        }
        let cmd = Command::Session(SessionRequest {
            op: SessionOp::Destroy,
            session: Session {
                id: id.clone(),
                ..Default::default()
            },
        });
        match server.apply(cmd).await {
            Ok(_) => {
                tracing::debug!(session = %id, "session TTL expired");
                return;
            }
            Err(e) => {
                tracing::warn!(session = %id, error = %e, "session: invalidation failed");
                tokio::time::sleep(Duration::from_secs(10) * (1 << attempt)).await;
            }
        }
    }
    tracing::error!(session = %id, "session: maximum invalidation attempts reached");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timers_expire_in_deadline_order_and_resets_move_them() {
        let mut c: TimerCore<u64> = TimerCore::new();
        assert_eq!(c.next_deadline(), None);
        c.reset("a", 30);
        c.reset("b", 10);
        c.reset("c", 20);
        assert_eq!(c.next_deadline(), Some(10));
        // Renewing b pushes it past the others.
        c.reset("b", 40);
        assert_eq!(c.len(), 3);
        assert_eq!(c.pop_expired(25), vec!["c".to_string()]);
        c.clear("a");
        assert!(c.pop_expired(35).is_empty());
        assert_eq!(c.pop_expired(40), vec!["b".to_string()]);
        assert!(c.is_empty());
    }

    #[test]
    fn equal_deadlines_and_clear_all() {
        let mut c: TimerCore<u64> = TimerCore::new();
        for i in 0..1000 {
            c.reset(&format!("s{i:04}"), 5);
        }
        c.reset("late", 6);
        let expired = c.pop_expired(5);
        assert_eq!(expired.len(), 1000);
        assert!(c.contains("late") && !c.contains("s0001"));
        c.clear_all();
        assert_eq!(c.next_deadline(), None);
    }

    #[test]
    fn the_full_timer_is_twice_the_ttl() {
        assert_eq!(full(Duration::from_secs(10)), Duration::from_secs(20));
    }
}
