//! Serf on top of memberlist: tags, Lamport clocks, join/leave intents,
//! member status, reconnect and reaping, user events, queries and the
//! internal key-management queries.

pub mod clock;
pub mod internal_query;
pub mod keymanager;
pub mod messages;
pub mod query;
pub mod query_msg;
pub mod snapshot;
mod state;
pub mod tags;

use crate::codec::{Message, WireConfig};
use crate::driver::Machine;
use crate::memberlist::{Config, Event, Memberlist, Runtime, Timer};
use messages::{SerfMessage, UserEventMsg};
use rand::Rng;
use state::SerfState;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

const TIMER_REAP: u32 = 1;
const TIMER_RECONNECT: u32 = 2;
const TIMER_LEAVE: u32 = 3;
/// Close queries past their deadline.
const TIMER_QUERY: u32 = 4;

/// A serf member's status (Go `MemberStatus` values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MemberStatus {
    /// Unknown.
    None = 0,
    /// Alive.
    Alive = 1,
    /// Announced a leave, not yet gone.
    Leaving = 2,
    /// Left gracefully.
    Left = 3,
    /// Failed.
    Failed = 4,
}

impl MemberStatus {
    /// Lower-case name as `serf members` prints it.
    pub fn as_str(self) -> &'static str {
        match self {
            MemberStatus::None => "none",
            MemberStatus::Alive => "alive",
            MemberStatus::Leaving => "leaving",
            MemberStatus::Left => "left",
            MemberStatus::Failed => "failed",
        }
    }
}

/// A member as serf sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SerfMember {
    /// Node name.
    pub name: String,
    /// Gossip address.
    pub addr: SocketAddr,
    /// Tags.
    pub tags: BTreeMap<String, String>,
    /// Status.
    pub status: MemberStatus,
    /// `[pmin, pmax, pcur, dmin, dmax, dcur]`.
    pub vsn: [u8; 6],
    /// Lamport time of the last intent applied.
    pub status_ltime: u64,
    /// When it failed or left (core time).
    pub leave_time: Option<Duration>,
}

/// A user event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserEvent {
    /// Event clock time.
    pub ltime: u64,
    /// Name.
    pub name: String,
    /// Payload.
    pub payload: Vec<u8>,
    /// May be coalesced.
    pub coalesce: bool,
}

/// Events serf reports (through [`Event::Serf`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SerfEvent {
    /// A member joined or came back.
    MemberJoin(SerfMember),
    /// A member left gracefully.
    MemberLeave(SerfMember),
    /// A member failed.
    MemberFailed(SerfMember),
    /// A member's tags or address changed.
    MemberUpdate(SerfMember),
    /// A failed or left member was forgotten.
    MemberReap(SerfMember),
    /// A user event.
    User(UserEvent),
}

/// Errors from serf operations.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SerfError {
    /// User event name + payload over the size limit.
    #[error("user event exceeds configured limit of {0} bytes")]
    EventTooLarge(usize),
    /// Encoded tags over memberlist's meta limit.
    #[error("encoded tags exceed the {0}-byte meta limit")]
    TagsTooLarge(usize),
    /// Encoded query over `query_size_limit`.
    #[error("query exceeds limit of {0} bytes")]
    QueryTooLarge(usize),
    /// Encoded response over `query_response_size_limit`.
    #[error("response exceeds limit of {0} bytes")]
    ResponseTooLarge(usize),
    /// The query was already answered (or is unknown).
    #[error("response already sent")]
    AlreadyResponded,
    /// The query's deadline has passed.
    #[error("response is past the deadline")]
    PastDeadline,
}

/// Serf settings (defaults as serf's `DefaultConfig` with Consul's
/// overrides).
#[derive(Debug, Clone)]
pub struct SerfConfig {
    /// The memberlist underneath.
    pub memberlist: Config,
    /// Our tags.
    pub tags: BTreeMap<String, String>,
    /// How often failed/left members are reaped.
    pub reap_interval: Duration,
    /// How often we try to reconnect to a failed member.
    pub reconnect_interval: Duration,
    /// Failed members are forgotten after this.
    pub reconnect_timeout: Duration,
    /// Left members are forgotten after this.
    pub tombstone_timeout: Duration,
    /// Slots in the user-event dedup buffer.
    pub event_buffer: usize,
    /// Limit on name + payload of a user event.
    pub user_event_size_limit: usize,
    /// Longest wait for our leave intent to spread before leaving memberlist.
    pub broadcast_timeout: Duration,
    /// Slots in the query dedup buffer.
    pub query_buffer: usize,
    /// Default query timeout multiplier (× gossip interval × log10 N).
    pub query_timeout_mult: u32,
    /// Limit on an encoded query.
    pub query_size_limit: usize,
    /// Limit on an encoded query response.
    pub query_response_size_limit: usize,
    /// Where key-management queries persist the keyring (none = not
    /// persisted).
    pub keyring_file: Option<std::path::PathBuf>,
}

impl SerfConfig {
    /// Consul's LAN serf settings around a memberlist config.
    pub fn new(memberlist: Config) -> Self {
        SerfConfig {
            memberlist,
            tags: BTreeMap::new(),
            reap_interval: Duration::from_secs(15),
            reconnect_interval: Duration::from_secs(30),
            reconnect_timeout: Duration::from_secs(72 * 3600),
            tombstone_timeout: Duration::from_secs(24 * 3600),
            event_buffer: 512,
            user_event_size_limit: 512,
            broadcast_timeout: Duration::from_secs(5),
            query_buffer: 512,
            query_timeout_mult: 16,
            query_size_limit: 1024,
            query_response_size_limit: 1024,
            keyring_file: None,
        }
    }
}

/// A serf member: memberlist plus serf's state.
#[derive(Debug)]
pub struct Serf {
    ml: Memberlist,
    st: SerfState,
    leave_started: Option<Duration>,
    rng: rand::rngs::StdRng,
}

/// Runtime wrapper that routes memberlist's delegate hooks to serf.
struct SerfRt<'a, R: Runtime> {
    st: &'a mut SerfState,
    rt: &'a mut R,
    now: Duration,
}

impl<R: Runtime> Runtime for SerfRt<'_, R> {
    fn send_packet(&mut self, to: SocketAddr, packet: Vec<u8>) {
        self.rt.send_packet(to, packet)
    }
    fn push_pull(&mut self, to: SocketAddr, request: Vec<u8>, join: bool) {
        self.rt.push_pull(to, request, join)
    }
    fn schedule(&mut self, after: Duration, timer: Timer) {
        self.rt.schedule(after, timer)
    }
    fn notify(&mut self, event: Event) {
        match &event {
            Event::Join(m) => self.st.node_join(m),
            Event::Leave(m) => self.st.node_leave(m, self.now),
            Event::Update(m) => self.st.node_update(m),
            Event::Conflict(_) | Event::Serf(_) | Event::Query(_) => self.rt.notify(event),
        }
    }
    fn notify_user_msg(&mut self, msg: &[u8]) {
        self.st.handle_msg(msg, self.now)
    }
    fn user_broadcasts(&mut self, overhead: usize, limit: usize) -> Vec<Vec<u8>> {
        self.st.broadcasts(overhead, limit)
    }
    fn local_user_state(&mut self, _join: bool) -> Vec<u8> {
        self.st.local_state()
    }
    fn merge_user_state(&mut self, state: &[u8], _join: bool) {
        self.st.merge_state(state, self.now)
    }
}

impl Serf {
    /// Create a serf member (tags go into the memberlist meta).
    pub fn new(mut cfg: SerfConfig, seed: u64) -> Result<Self, SerfError> {
        let meta = tags::encode_tags(&cfg.tags);
        if meta.len() > crate::memberlist::config::META_MAX_SIZE {
            return Err(SerfError::TagsTooLarge(
                crate::memberlist::config::META_MAX_SIZE,
            ));
        }
        cfg.memberlist.meta = meta;
        Ok(Serf {
            ml: Memberlist::new(cfg.memberlist.clone(), seed),
            st: SerfState::new(cfg),
            leave_started: None,
            rng: rand::SeedableRng::seed_from_u64(seed ^ 0x5e7f),
        })
    }

    fn with<R: Runtime, T>(
        &mut self,
        now: Duration,
        rt: &mut R,
        f: impl FnOnce(&mut Memberlist, &mut SerfRt<'_, R>) -> T,
    ) -> T {
        let mut srt = SerfRt {
            st: &mut self.st,
            rt,
            now,
        };
        let r = f(&mut self.ml, &mut srt);
        self.handle_internal_queries(now);
        self.flush_sends(rt);
        for e in self.st.out.drain(..) {
            rt.notify(Event::Serf(e));
        }
        for e in self.st.q.events.drain(..) {
            rt.notify(Event::Query(e));
        }
        r
    }

    /// All members serf knows.
    pub fn members(&self) -> impl Iterator<Item = &SerfMember> {
        self.st.members.values()
    }

    /// One member by name.
    pub fn member(&self, name: &str) -> Option<&SerfMember> {
        self.st.members.get(name)
    }

    /// Our tags.
    pub fn tags(&self) -> &BTreeMap<String, String> {
        &self.st.cfg.tags
    }

    /// Replace our tags and announce them.
    pub fn set_tags(&mut self, tags: BTreeMap<String, String>) -> Result<(), SerfError> {
        let meta = tags::encode_tags(&tags);
        if meta.len() > crate::memberlist::config::META_MAX_SIZE {
            return Err(SerfError::TagsTooLarge(
                crate::memberlist::config::META_MAX_SIZE,
            ));
        }
        self.st.cfg.tags = tags;
        self.ml.set_meta(meta);
        Ok(())
    }

    /// Send a user event to the cluster.
    pub fn user_event(
        &mut self,
        name: &str,
        payload: &[u8],
        coalesce: bool,
        now: Duration,
        rt: &mut impl Runtime,
    ) -> Result<(), SerfError> {
        let limit = self.st.cfg.user_event_size_limit;
        if name.len() + payload.len() > limit {
            return Err(SerfError::EventTooLarge(limit));
        }
        let msg = UserEventMsg {
            ltime: self.st.event_clock.time(),
            name: name.to_string(),
            payload: payload.to_vec(),
            cc: coalesce,
        };
        self.st.event_clock.increment();
        self.st.handle_user_event(&msg);
        self.st
            .events
            .push(None, SerfMessage::UserEvent(msg).encode());
        self.with(now, rt, |_, _| ());
        Ok(())
    }

    /// Mark a failed member as left (`force-leave`); with `prune`, forget
    /// it at once (a `MemberReap` event) instead of keeping it as left
    /// until the tombstone timeout.
    pub fn force_leave(&mut self, name: &str, prune: bool, now: Duration, rt: &mut impl Runtime) {
        self.st.broadcast_leave_intent(name, prune, now);
        self.with(now, rt, |_, _| ());
    }

    /// Lamport clocks `(members, events, queries)`, as a snapshot records
    /// them.
    pub fn clocks(&self) -> (u64, u64, u64) {
        (
            self.st.clock.time(),
            self.st.event_clock.time(),
            self.st.query_clock.time(),
        )
    }

    /// Restore clocks from a snapshot (serf witnesses them on start, and
    /// ignores user events at or before the old event clock).
    pub fn restore_clocks(&mut self, clock: u64, event_clock: u64, query_clock: u64) {
        self.st.clock.witness(clock);
        self.st.event_clock.witness(event_clock);
        self.st.query_clock.witness(query_clock);
        if event_clock > 0 {
            self.st.event_min_time = self.st.event_min_time.max(event_clock + 1);
        }
        if query_clock > 0 {
            self.st.q.min_time = self.st.q.min_time.max(query_clock + 1);
        }
    }

    /// The memberlist underneath.
    pub fn memberlist(&self) -> &Memberlist {
        &self.ml
    }

    /// Lamport clock of member intents.
    pub fn clock(&self) -> u64 {
        self.st.clock.time()
    }

    fn reconnect(&mut self, now: Duration, rt: &mut impl Runtime) {
        let failed: Vec<SocketAddr> = self
            .st
            .members
            .values()
            .filter(|m| m.status == MemberStatus::Failed)
            .map(|m| m.addr)
            .collect();
        if failed.is_empty() {
            return;
        }
        let alive = self
            .st
            .members
            .values()
            .filter(|m| m.status == MemberStatus::Alive)
            .count()
            .max(1);
        let prob = failed.len() as f64 / alive as f64;
        if self.rng.gen::<f64>() > prob {
            return;
        }
        let addr = failed[self.rng.gen_range(0..failed.len())];
        self.with(now, rt, |ml, srt| ml.join(addr, srt));
    }
}

impl Machine for Serf {
    fn start(&mut self, now: Duration, rt: &mut impl Runtime) {
        self.with(now, rt, |ml, srt| ml.start(now, srt));
        rt.schedule(self.st.cfg.reap_interval, Timer::Delegate(TIMER_REAP));
        rt.schedule(
            self.st.cfg.reconnect_interval,
            Timer::Delegate(TIMER_RECONNECT),
        );
    }

    fn handle_packet(
        &mut self,
        from: SocketAddr,
        data: &[u8],
        now: Duration,
        rt: &mut impl Runtime,
    ) {
        self.with(now, rt, |ml, srt| ml.handle_packet(from, data, now, srt))
    }

    fn handle_stream(
        &mut self,
        from: SocketAddr,
        msg: Message,
        now: Duration,
        rt: &mut impl Runtime,
    ) -> Option<Vec<u8>> {
        self.with(now, rt, |ml, srt| ml.handle_stream(from, msg, now, srt))
    }

    fn handle_push_pull_reply(&mut self, msg: Message, now: Duration, rt: &mut impl Runtime) {
        let join = matches!(&msg, Message::PushPull(pp) if pp.join);
        self.with(now, rt, |ml, srt| ml.handle_push_pull_reply(msg, now, srt));
        if join && !self.st.leaving {
            let t = self.st.clock.time();
            self.st.broadcast_join(t);
        }
    }

    fn push_pull_failed(&mut self, to: SocketAddr) {
        self.ml.push_pull_failed(to)
    }

    fn handle_timer(&mut self, timer: Timer, now: Duration, rt: &mut impl Runtime) {
        match timer {
            Timer::Delegate(TIMER_REAP) => {
                rt.schedule(self.st.cfg.reap_interval, Timer::Delegate(TIMER_REAP));
                self.st.reap(now);
                self.with(now, rt, |_, _| ());
            }
            Timer::Delegate(TIMER_RECONNECT) => {
                rt.schedule(
                    self.st.cfg.reconnect_interval,
                    Timer::Delegate(TIMER_RECONNECT),
                );
                if !self.st.leaving {
                    self.reconnect(now, rt);
                }
            }
            Timer::Delegate(TIMER_QUERY) => {
                self.st.expire_queries(now);
                self.with(now, rt, |_, _| ());
            }
            Timer::Delegate(TIMER_LEAVE) => {
                let started = self.leave_started.unwrap_or(now);
                let done = self.st.intents.is_empty()
                    || now.saturating_sub(started) >= self.st.cfg.broadcast_timeout;
                if done {
                    self.with(now, rt, |ml, srt| ml.leave(now, srt));
                } else {
                    rt.schedule(
                        self.st.cfg.memberlist.gossip_interval,
                        Timer::Delegate(TIMER_LEAVE),
                    );
                }
            }
            t => self.with(now, rt, |ml, srt| ml.handle_timer(t, now, srt)),
        }
    }

    fn join(&mut self, addr: SocketAddr, now: Duration, rt: &mut impl Runtime) {
        self.with(now, rt, |ml, srt| ml.join(addr, srt))
    }

    fn leave(&mut self, now: Duration, rt: &mut impl Runtime) {
        if self.st.leaving {
            return;
        }
        self.st.leaving = true;
        self.leave_started = Some(now);
        let me = self.ml.name().to_string();
        self.st.broadcast_leave(&me, now);
        self.with(now, rt, |_, _| ());
        rt.schedule(
            self.st.cfg.memberlist.gossip_interval,
            Timer::Delegate(TIMER_LEAVE),
        );
    }

    fn leave_pending(&self) -> bool {
        !self.ml.is_leaving() || self.ml.pending_broadcasts() > 0
    }

    fn wire(&self) -> &WireConfig {
        &self.ml.config().wire
    }

    fn memberlist(&self) -> &Memberlist {
        &self.ml
    }
}
