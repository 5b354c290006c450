//! Serf's member table, intents, user-event buffer and broadcast queues.

use super::clock::{LamportClock, LamportTime};
use super::messages::{
    JoinIntent, LeaveIntent, SerfMessage, SerfPushPull, UserEventMsg, UserEvents,
};
use super::query::QueryState;
use super::tags::decode_tags;
use super::{MemberStatus, SerfConfig, SerfEvent, SerfMember, UserEvent};
use crate::codec::NodeState;
use crate::memberlist::broadcast::BroadcastQueue;
use crate::memberlist::config::retransmit_limit;
use crate::memberlist::Member;
use std::collections::HashMap;
use std::time::Duration;

/// Most pending intents remembered for members we do not know yet.
const MAX_RECENT_INTENTS: usize = 4096;

/// Serf's state beside memberlist.
#[derive(Debug)]
pub struct SerfState {
    pub(super) cfg: SerfConfig,
    pub(super) clock: LamportClock,
    pub(super) event_clock: LamportClock,
    pub(super) query_clock: LamportClock,
    pub(super) members: HashMap<String, SerfMember>,
    /// Latest intent per unknown member: (is_join, ltime).
    pub(super) recent_intents: HashMap<String, (bool, LamportTime)>,
    pub(super) event_buffer: Vec<Option<UserEvents>>,
    pub(super) event_min_time: LamportTime,
    pub(super) intents: BroadcastQueue,
    pub(super) events: BroadcastQueue,
    pub(super) out: Vec<SerfEvent>,
    pub(super) leaving: bool,
    /// Queries: dedup buffer, our open queries, replies to send.
    pub(super) q: QueryState,
}

impl SerfState {
    pub(super) fn new(cfg: SerfConfig) -> Self {
        let n = cfg.event_buffer.max(1);
        let q = QueryState::new(cfg.query_buffer);
        let mut s = SerfState {
            cfg,
            clock: LamportClock::new(),
            event_clock: LamportClock::new(),
            query_clock: LamportClock::new(),
            members: HashMap::new(),
            recent_intents: HashMap::new(),
            event_buffer: vec![None; n],
            event_min_time: 0,
            intents: BroadcastQueue::new(),
            events: BroadcastQueue::new(),
            out: Vec::new(),
            leaving: false,
            q,
        };
        s.clock.increment();
        s.event_clock.increment();
        s.query_clock.increment();
        s
    }

    fn name(&self) -> &str {
        &self.cfg.memberlist.name
    }

    /// A memberlist member appeared or came back.
    pub(super) fn node_join(&mut self, n: &Member) {
        let tags = decode_tags(&n.meta).unwrap_or_default();
        let m = match self.members.get_mut(&n.name) {
            Some(m) => {
                m.status = MemberStatus::Alive;
                m.leave_time = None;
                m.addr = n.addr;
                m.tags = tags;
                m.vsn = n.vsn;
                m.clone()
            }
            None => {
                let mut m = SerfMember {
                    name: n.name.clone(),
                    addr: n.addr,
                    tags,
                    status: MemberStatus::Alive,
                    vsn: n.vsn,
                    status_ltime: 0,
                    leave_time: None,
                };
                if let Some((is_join, t)) = self.recent_intents.remove(&n.name) {
                    m.status_ltime = t;
                    if !is_join {
                        m.status = MemberStatus::Leaving;
                    }
                }
                self.members.insert(n.name.clone(), m.clone());
                m
            }
        };
        consul_telemetry::incr_counter(&["serf", "member", "join"], 1.0);
        self.out.push(SerfEvent::MemberJoin(m));
    }

    /// A memberlist member failed or left.
    pub(super) fn node_leave(&mut self, n: &Member, now: Duration) {
        let Some(m) = self.members.get_mut(&n.name) else {
            return;
        };
        let graceful = n.state == NodeState::Left;
        match m.status {
            MemberStatus::Leaving => m.status = MemberStatus::Left,
            MemberStatus::Alive if graceful => m.status = MemberStatus::Left,
            MemberStatus::Alive => m.status = MemberStatus::Failed,
            _ => return,
        }
        m.leave_time = Some(now);
        let m = m.clone();
        let status = if m.status == MemberStatus::Left {
            "left"
        } else {
            "failed"
        };
        consul_telemetry::incr_counter(&["serf", "member", status], 1.0);
        self.out.push(match m.status {
            MemberStatus::Left => SerfEvent::MemberLeave(m),
            _ => SerfEvent::MemberFailed(m),
        });
    }

    /// A memberlist member's meta or address changed.
    pub(super) fn node_update(&mut self, n: &Member) {
        let Some(m) = self.members.get_mut(&n.name) else {
            return;
        };
        m.addr = n.addr;
        m.tags = decode_tags(&n.meta).unwrap_or_default();
        m.vsn = n.vsn;
        let m = m.clone();
        self.out.push(SerfEvent::MemberUpdate(m));
    }

    fn upsert_intent(&mut self, node: &str, is_join: bool, t: LamportTime) -> bool {
        match self.recent_intents.get(node) {
            Some((_, old)) if *old >= t => false,
            _ => {
                if self.recent_intents.len() >= MAX_RECENT_INTENTS
                    && !self.recent_intents.contains_key(node)
                {
                    return false;
                }
                self.recent_intents.insert(node.to_string(), (is_join, t));
                true
            }
        }
    }

    /// Returns whether to rebroadcast.
    pub(super) fn handle_join_intent(&mut self, j: &JoinIntent) -> bool {
        self.clock.witness(j.ltime);
        let Some(m) = self.members.get_mut(&j.node) else {
            return self.upsert_intent(&j.node.clone(), true, j.ltime);
        };
        if j.ltime <= m.status_ltime {
            return false;
        }
        m.status_ltime = j.ltime;
        if m.status == MemberStatus::Leaving {
            m.status = MemberStatus::Alive;
        }
        true
    }

    /// Returns whether to rebroadcast.
    pub(super) fn handle_leave_intent(&mut self, l: &LeaveIntent, now: Duration) -> bool {
        self.clock.witness(l.ltime);
        let me = self.name().to_string();
        let leaving = self.leaving;
        let Some(m) = self.members.get_mut(&l.node) else {
            return self.upsert_intent(&l.node.clone(), false, l.ltime);
        };
        if l.ltime <= m.status_ltime {
            return false;
        }
        if l.node == me && !leaving {
            // Refute: we are not leaving.
            let t = self.clock.time();
            self.broadcast_join(t);
            return false;
        }
        match m.status {
            MemberStatus::Alive => {
                m.status = MemberStatus::Leaving;
                m.status_ltime = l.ltime;
                true
            }
            MemberStatus::Failed => {
                m.status = MemberStatus::Left;
                m.status_ltime = l.ltime;
                m.leave_time = Some(now);
                let m = m.clone();
                self.out.push(SerfEvent::MemberLeave(m));
                if l.prune {
                    self.prune(&l.node);
                }
                true
            }
            MemberStatus::Left => {
                if l.prune {
                    self.prune(&l.node);
                }
                true
            }
            MemberStatus::Leaving => true,
            MemberStatus::None => false,
        }
    }

    /// Forget a left member now (`force-leave -prune`).
    fn prune(&mut self, node: &str) {
        if let Some(m) = self.members.remove(node) {
            self.out.push(SerfEvent::MemberReap(m));
        }
    }

    /// Announce (or re-announce) ourselves with a join intent.
    pub(super) fn broadcast_join(&mut self, t: LamportTime) {
        let j = JoinIntent {
            ltime: t,
            node: self.name().to_string(),
        };
        self.clock.witness(t);
        self.handle_join_intent(&j);
        self.intents.push(None, SerfMessage::Join(j).encode());
    }

    /// Announce a leave intent for `node` (ourselves, or a force-leave).
    pub(super) fn broadcast_leave(&mut self, node: &str, now: Duration) {
        self.broadcast_leave_intent(node, false, now)
    }

    /// Announce a leave intent for `node`, optionally asking every member
    /// to prune it.
    pub(super) fn broadcast_leave_intent(&mut self, node: &str, prune: bool, now: Duration) {
        let l = LeaveIntent {
            ltime: self.clock.increment(),
            node: node.to_string(),
            prune,
        };
        self.handle_leave_intent(&l, now);
        self.intents.push(None, SerfMessage::Leave(l).encode());
    }

    /// Returns whether to rebroadcast.
    pub(super) fn handle_user_event(&mut self, e: &UserEventMsg) -> bool {
        self.event_clock.witness(e.ltime);
        if e.ltime < self.event_min_time {
            return false;
        }
        let n = self.event_buffer.len() as u64;
        let cur = self.event_clock.time();
        if cur > n && e.ltime < cur - n {
            return false;
        }
        let idx = (e.ltime % n) as usize;
        let slot = &mut self.event_buffer[idx];
        match slot {
            Some(seen) if seen.ltime == e.ltime => {
                if seen
                    .events
                    .iter()
                    .any(|(name, p)| *name == e.name && *p == e.payload)
                {
                    return false;
                }
                seen.events.push((e.name.clone(), e.payload.clone()));
            }
            _ => {
                *slot = Some(UserEvents {
                    ltime: e.ltime,
                    events: vec![(e.name.clone(), e.payload.clone())],
                });
            }
        }
        self.out.push(SerfEvent::User(UserEvent {
            ltime: e.ltime,
            name: e.name.clone(),
            payload: e.payload.clone(),
            coalesce: e.cc,
        }));
        true
    }

    /// A serf message arrived in a memberlist user message.
    pub(super) fn handle_msg(&mut self, buf: &[u8], now: Duration) {
        let rebroadcast = match SerfMessage::decode(buf) {
            Ok(SerfMessage::Join(j)) => self.handle_join_intent(&j),
            Ok(SerfMessage::Leave(l)) => self.handle_leave_intent(&l, now),
            Ok(SerfMessage::UserEvent(e)) => {
                let r = self.handle_user_event(&e);
                if r {
                    self.events.push(None, buf.to_vec());
                }
                return;
            }
            Ok(SerfMessage::Query(q)) => {
                if self.handle_query(&q, now) {
                    self.q.broadcasts.push(None, buf.to_vec());
                }
                return;
            }
            Ok(SerfMessage::QueryResponse(r)) => {
                self.handle_query_response(r, now);
                return;
            }
            Ok(SerfMessage::Relay(h, inner)) => {
                tracing::debug!("serf: Relaying response to addr: {}", h.dest_addr);
                self.q
                    .sends
                    .push(super::query::Send::Direct(h.dest_addr, inner));
                return;
            }
            Ok(_) => false,
            Err(e) => {
                tracing::debug!(error = %e, "bad serf message");
                false
            }
        };
        if rebroadcast {
            self.intents.push(None, buf.to_vec());
        }
    }

    /// Serf broadcasts to piggy-back on memberlist traffic.
    pub(super) fn broadcasts(&mut self, overhead: usize, limit: usize) -> Vec<Vec<u8>> {
        let tl = retransmit_limit(self.cfg.memberlist.retransmit_mult, self.members.len()).max(1);
        let mut out = self.intents.take(overhead, limit, tl);
        let used: usize = out.iter().map(|m| m.len() + overhead).sum();
        out.extend(
            self.q
                .broadcasts
                .take(overhead, limit.saturating_sub(used), tl),
        );
        let used: usize = out.iter().map(|m| m.len() + overhead).sum();
        out.extend(self.events.take(overhead, limit.saturating_sub(used), tl));
        out
    }

    /// Our push-pull user state.
    pub(super) fn local_state(&self) -> Vec<u8> {
        let pp = SerfPushPull {
            ltime: self.clock.time(),
            status_ltimes: self
                .members
                .values()
                .map(|m| (m.name.clone(), m.status_ltime))
                .collect(),
            left_members: self
                .members
                .values()
                .filter(|m| m.status == MemberStatus::Left)
                .map(|m| m.name.clone())
                .collect(),
            event_ltime: self.event_clock.time(),
            events: self.event_buffer.iter().flatten().cloned().collect(),
            query_ltime: self.query_clock.time(),
        };
        SerfMessage::PushPull(pp).encode()
    }

    /// Merge a peer's push-pull user state.
    pub(super) fn merge_state(&mut self, buf: &[u8], now: Duration) {
        let Ok(SerfMessage::PushPull(pp)) = SerfMessage::decode(buf) else {
            return;
        };
        if pp.ltime > 0 {
            self.clock.witness(pp.ltime - 1);
        }
        if pp.event_ltime > 0 {
            self.event_clock.witness(pp.event_ltime - 1);
        }
        if pp.query_ltime > 0 {
            self.query_clock.witness(pp.query_ltime - 1);
        }
        for (name, t) in &pp.status_ltimes {
            if pp.left_members.contains(name) {
                let l = LeaveIntent {
                    ltime: *t,
                    node: name.clone(),
                    prune: false,
                };
                self.handle_leave_intent(&l, now);
            } else {
                let j = JoinIntent {
                    ltime: *t,
                    node: name.clone(),
                };
                self.handle_join_intent(&j);
            }
        }
        for evs in &pp.events {
            for (name, payload) in &evs.events {
                let e = UserEventMsg {
                    ltime: evs.ltime,
                    name: name.clone(),
                    payload: payload.clone(),
                    cc: false,
                };
                self.handle_user_event(&e);
            }
        }
    }

    /// Forget failed and left members past their timeouts.
    pub(super) fn reap(&mut self, now: Duration) {
        let (reconnect, tombstone) = (self.cfg.reconnect_timeout, self.cfg.tombstone_timeout);
        let mut reaped = Vec::new();
        self.members.retain(|_, m| {
            let limit = match m.status {
                MemberStatus::Failed => reconnect,
                MemberStatus::Left => tombstone,
                _ => return true,
            };
            let expired = m.leave_time.is_some_and(|t| now.saturating_sub(t) > limit);
            if expired {
                reaped.push(m.clone());
            }
            !expired
        });
        self.out
            .extend(reaped.into_iter().map(SerfEvent::MemberReap));
    }
}
