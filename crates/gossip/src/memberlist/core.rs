//! The sans-IO memberlist: state, entry points and send helpers.
//!
//! Every entry point takes the current time (`now`, a monotonic
//! [`Duration`] since any fixed origin) and a [`Runtime`] for effects.

use super::awareness::Awareness;
use super::broadcast::BroadcastQueue;
use super::config::{retransmit_limit, Config};
use super::intern::{empty_bytes, Interner};
use super::member::{ip_bytes, Member, Node};
use super::runtime::{Runtime, Timer};
use super::suspicion::Suspicion;
use crate::codec::packet::{COMPOUND_HEADER_OVERHEAD, COMPOUND_OVERHEAD};
use crate::codec::{
    crypto, encode_packet, encode_stream, Alive, Message, NodeState, PushNodeState, PushPull,
    WireConfig,
};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// An outstanding ack we are waiting for.
#[derive(Debug, Clone)]
pub(super) enum Pending {
    /// Our own probe of `target`.
    Probe {
        target: String,
        expected_nacks: u32,
        nacks: u32,
    },
    /// A ping we relay for an indirect probe.
    Relay {
        requester: SocketAddr,
        orig_seq: u32,
        nack: bool,
    },
}

/// Traffic counters (for benchmarks and metrics).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// UDP packets sent.
    pub packets_sent: u64,
    /// UDP bytes sent.
    pub bytes_sent: u64,
    /// UDP packets received.
    pub packets_received: u64,
    /// UDP bytes received.
    pub bytes_received: u64,
    /// Push-pull exchanges started.
    pub push_pulls: u64,
    /// Undecodable packets or parts.
    pub bad_packets: u64,
}

/// One member's SWIM + Lifeguard protocol state machine.
#[derive(Debug)]
pub struct Memberlist {
    pub(super) cfg: Config,
    pub(super) wire_nocrc: WireConfig,
    pub(super) rng: StdRng,
    /// The member table, by name; the key is the one shared copy of the
    /// name (see [`Node`]).
    pub(super) members: HashMap<Arc<str>, Node>,
    /// Probe order (names shared with the table).
    pub(super) order: Vec<Arc<str>>,
    pub(super) probe_index: usize,
    pub(super) seq: u32,
    pub(super) awareness: Awareness,
    pub(super) suspicions: HashMap<String, Suspicion>,
    pub(super) pending: HashMap<u32, Pending>,
    pub(super) broadcasts: BroadcastQueue,
    pub(super) leaving: bool,
    pub(super) stats: Stats,
    pub(super) interner: Option<Arc<Interner>>,
}

impl Memberlist {
    /// Create a member; nothing happens until [`Memberlist::start`].
    pub fn new(cfg: Config, seed: u64) -> Self {
        let wire_nocrc = WireConfig {
            crc: false,
            ..cfg.wire.clone()
        };
        Memberlist {
            awareness: Awareness::new(cfg.awareness_max_multiplier),
            cfg,
            wire_nocrc,
            rng: StdRng::seed_from_u64(seed),
            members: HashMap::new(),
            order: Vec::new(),
            probe_index: 0,
            seq: 0,
            suspicions: HashMap::new(),
            pending: HashMap::new(),
            broadcasts: BroadcastQueue::new(),
            leaving: false,
            stats: Stats::default(),
            interner: None,
        }
    }

    /// Share member names, metadata and queued broadcasts with the other
    /// cores using `interner` (the simulator's members all use one, so
    /// that it holds one copy of each name and alive message instead of
    /// one per simulated member). Memory only: nothing sent changes. Call
    /// before [`Memberlist::start`].
    pub fn share_storage(&mut self, interner: Arc<Interner>) {
        self.interner = Some(interner);
    }

    /// The shared copy of a name that is not in the member table.
    pub(super) fn share_name(&self, name: &str) -> Arc<str> {
        match &self.interner {
            Some(i) => i.name(name),
            None => Arc::from(name),
        }
    }

    /// The table's copy of `name` (a new one if it is not a member).
    pub(super) fn name_key(&self, name: &str) -> Arc<str> {
        match self.members.get_key_value(name) {
            Some((k, _)) => k.clone(),
            None => self.share_name(name),
        }
    }

    /// Shared metadata bytes.
    pub(super) fn share_meta(&self, meta: &[u8]) -> Arc<[u8]> {
        if meta.is_empty() {
            return empty_bytes();
        }
        self.share_bytes(meta)
    }

    /// A shared encoded message.
    pub(super) fn share_bytes(&self, b: &[u8]) -> Arc<[u8]> {
        match &self.interner {
            Some(i) => i.bytes(b),
            None => Arc::from(b),
        }
    }

    /// Queue a broadcast about member `node`.
    pub(super) fn queue_broadcast(&mut self, node: &str, msg: &Message) {
        let key = self.name_key(node);
        let msg = self.share_bytes(&msg.encode());
        self.broadcasts.push_shared(Some(key), msg);
    }

    /// Announce ourselves and start the probe, gossip and push-pull timers.
    pub fn start(&mut self, now: Duration, rt: &mut impl Runtime) {
        let a = Alive {
            incarnation: 1,
            node: self.cfg.name.clone(),
            addr: ip_bytes(&self.cfg.advertise),
            port: self.cfg.advertise.port(),
            meta: self.cfg.meta.clone(),
            vsn: self.cfg.vsn.to_vec(),
        };
        self.alive_node(&a, true, now, rt);
        let stagger = |rng: &mut StdRng, d: Duration| {
            Duration::from_nanos(rng.gen_range(0..d.as_nanos().max(1) as u64))
        };
        let p = stagger(&mut self.rng, self.cfg.probe_interval);
        rt.schedule(p, Timer::Probe);
        let g = stagger(&mut self.rng, self.cfg.gossip_interval);
        rt.schedule(g, Timer::Gossip);
        if !self.cfg.push_pull_interval.is_zero() {
            let s = stagger(&mut self.rng, self.cfg.push_pull_interval);
            rt.schedule(s, Timer::PushPull);
        }
    }

    /// Our configuration.
    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// Our node name.
    pub fn name(&self) -> &str {
        &self.cfg.name
    }

    /// Every known member, ourselves included, dead ones until reaped.
    pub fn members(&self) -> impl Iterator<Item = Member> + '_ {
        self.members.iter().map(|(name, n)| n.to_member(name))
    }

    /// One member by name.
    pub fn member(&self, name: &str) -> Option<Member> {
        self.members.get(name).map(|n| n.to_member(name))
    }

    /// The state of one member, if known (no copy of the record).
    pub fn member_state(&self, name: &str) -> Option<NodeState> {
        self.members.get(name).map(|n| n.state)
    }

    /// Members currently alive (ourselves included).
    pub fn num_alive(&self) -> usize {
        self.members
            .values()
            .filter(|m| m.state == NodeState::Alive)
            .count()
    }

    /// Local health score (0 = healthy).
    pub fn health_score(&self) -> u32 {
        self.awareness.score()
    }

    /// Traffic counters.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// Queued memberlist broadcasts not yet fully retransmitted.
    pub fn pending_broadcasts(&self) -> usize {
        self.broadcasts.len()
    }

    /// Whether we have announced our leave.
    pub fn is_leaving(&self) -> bool {
        self.leaving
    }

    /// Our current incarnation.
    pub fn incarnation(&self) -> u32 {
        self.members
            .get(self.cfg.name.as_str())
            .map(|m| m.incarnation)
            .unwrap_or(0)
    }

    /// Replace the encryption keyring (key rotation); takes effect for the
    /// next packet and stream.
    pub fn set_keyring(&mut self, keyring: Option<crate::codec::Keyring>) {
        self.cfg.wire.keyring = keyring.clone();
        self.wire_nocrc.keyring = keyring;
    }

    /// Send a user message (serf's query responses) straight to `to` in
    /// its own packet, without CRC or piggy-backing (memberlist's
    /// `SendToAddress`).
    pub fn send_user_msg(&mut self, to: SocketAddr, msg: &[u8], rt: &mut impl Runtime) {
        let mut b = Vec::with_capacity(msg.len() + 1);
        b.push(crate::codec::MessageType::User as u8);
        b.extend_from_slice(msg);
        self.send_raw(to, Some(4), &[b], rt);
    }

    /// Start a join through `addr`: a push-pull with the join flag set.
    pub fn join(&mut self, addr: SocketAddr, rt: &mut impl Runtime) {
        let req = self.local_state(true, rt);
        self.stats.push_pulls += 1;
        rt.push_pull(addr, req, true);
    }

    /// Change our metadata (e.g. serf tags) and announce it.
    pub fn set_meta(&mut self, meta: Vec<u8>) {
        let shared = self.share_meta(&meta);
        self.cfg.meta = meta;
        let inc = self.incarnation() + 1;
        if let Some(me) = self.members.get_mut(self.cfg.name.as_str()) {
            me.incarnation = inc;
            me.meta = shared;
        }
        self.broadcast_self_alive(inc);
    }

    /// Announce that we leave: broadcast our own death as a leave.
    pub fn leave(&mut self, now: Duration, rt: &mut impl Runtime) {
        if self.leaving {
            return;
        }
        self.leaving = true;
        let d = crate::codec::Dead {
            incarnation: self.incarnation(),
            node: self.cfg.name.clone(),
            from: self.cfg.name.clone(),
        };
        self.dead_node(&d, now, rt);
    }

    /// Handle one received UDP packet.
    pub fn handle_packet(
        &mut self,
        from: SocketAddr,
        data: &[u8],
        now: Duration,
        rt: &mut impl Runtime,
    ) {
        self.stats.packets_received += 1;
        self.stats.bytes_received += data.len() as u64;
        let msgs = match crate::codec::decode_packet(data, &self.cfg.wire) {
            Ok((msgs, bad)) => {
                self.stats.bad_packets += bad as u64;
                msgs
            }
            Err(e) => {
                self.stats.bad_packets += 1;
                tracing::debug!(%from, error = %e, "dropping packet");
                return;
            }
        };
        for m in msgs {
            self.handle_message(from, m, now, rt);
        }
    }

    fn handle_message(
        &mut self,
        from: SocketAddr,
        m: Message,
        now: Duration,
        rt: &mut impl Runtime,
    ) {
        match m {
            Message::Ping(p) => self.handle_ping(from, p, rt),
            Message::IndirectPing(p) => self.handle_indirect_ping(from, p, rt),
            Message::Ack(a) => self.handle_ack(a, rt),
            Message::Nack(n) => self.handle_nack(n),
            Message::Alive(a) => self.alive_node(&a, false, now, rt),
            Message::Suspect(s) => self.suspect_node(&s, now, rt),
            Message::Dead(d) => self.dead_node(&d, now, rt),
            Message::User(u) => rt.notify_user_msg(&u),
            Message::Err(_) | Message::PushPull(_) => {}
        }
    }

    /// Handle a message that arrived on an incoming stream; returns the
    /// bytes to write back, if any.
    pub fn handle_stream(
        &mut self,
        from: SocketAddr,
        msg: Message,
        now: Duration,
        rt: &mut impl Runtime,
    ) -> Option<Vec<u8>> {
        match msg {
            Message::PushPull(pp) => {
                let reply = self.local_state(pp.join, rt);
                self.merge_remote_state(&pp, now, rt);
                Some(reply)
            }
            Message::Ping(p) => {
                if !p.node.is_empty() && p.node != self.cfg.name {
                    return None;
                }
                let ack = Message::Ack(crate::codec::Ack {
                    seq_no: p.seq_no,
                    payload: rt.ack_payload(),
                });
                Some(encode_stream(&ack, &self.cfg.wire, &mut self.rng))
            }
            Message::User(u) => {
                rt.notify_user_msg(&u);
                None
            }
            other => {
                tracing::debug!(%from, ?other, "unexpected stream message");
                None
            }
        }
    }

    /// The answer to a push-pull we started arrived.
    pub fn handle_push_pull_reply(&mut self, msg: Message, now: Duration, rt: &mut impl Runtime) {
        if let Message::PushPull(pp) = msg {
            self.merge_remote_state(&pp, now, rt);
        }
    }

    /// A push-pull we started failed (connect, timeout or decode error).
    pub fn push_pull_failed(&mut self, to: SocketAddr) {
        tracing::debug!(%to, "push-pull failed");
    }

    /// A timer scheduled through [`Runtime::schedule`] fired.
    pub fn handle_timer(&mut self, timer: Timer, now: Duration, rt: &mut impl Runtime) {
        match timer {
            Timer::Probe => self.probe(now, rt),
            Timer::ProbeTimeout(seq) => self.probe_timeout(seq, rt),
            Timer::ProbeDeadline(seq) => self.probe_deadline(seq, now, rt),
            Timer::RelayTimeout(seq) => self.relay_timeout(seq, rt),
            Timer::Gossip => self.gossip(now, rt),
            Timer::PushPull => self.periodic_push_pull(rt),
            Timer::Suspicion(name) => self.suspicion_check(&name, now, rt),
            Timer::Delegate(_) => {}
        }
    }

    /// Our state as an encoded push-pull stream message.
    pub(super) fn local_state(&mut self, join: bool, rt: &mut impl Runtime) -> Vec<u8> {
        let nodes = self
            .order
            .iter()
            .filter_map(|n| Some((n, self.members.get(n)?)))
            .map(|(name, m)| PushNodeState {
                name: name.to_string(),
                addr: ip_bytes(&m.addr()),
                port: m.addr().port(),
                meta: m.meta.to_vec(),
                incarnation: m.incarnation,
                state: m.state.as_u8(),
                vsn: m.vsn.to_vec(),
            })
            .collect();
        let pp = Message::PushPull(PushPull {
            join,
            nodes,
            user_state: rt.local_user_state(join),
        });
        encode_stream(&pp, &self.cfg.wire, &mut self.rng)
    }

    pub(super) fn next_seq(&mut self) -> u32 {
        self.seq = self.seq.wrapping_add(1);
        self.seq
    }

    /// Bytes available for piggy-backed messages in one packet.
    fn packet_budget(&self) -> usize {
        let mut avail = self
            .cfg
            .udp_buffer_size
            .saturating_sub(COMPOUND_HEADER_OVERHEAD);
        if !self.cfg.wire.label.is_empty() {
            avail = avail.saturating_sub(2 + self.cfg.wire.label.len());
        }
        if self.cfg.wire.encrypts() {
            avail = avail.saturating_sub(crypto::encrypted_len(crypto::EncryptionVersion::V0, 0));
        }
        if self.cfg.wire.crc {
            avail = avail.saturating_sub(5);
        }
        avail
    }

    /// Take broadcasts (memberlist's first, then the delegate's).
    pub(super) fn get_broadcasts(
        &mut self,
        overhead: usize,
        limit: usize,
        rt: &mut impl Runtime,
    ) -> Vec<Vec<u8>> {
        let tl = retransmit_limit(self.cfg.retransmit_mult, self.members.len());
        let mut out = self.broadcasts.take(overhead, limit, tl.max(1));
        let used: usize = out.iter().map(|m| m.len() + overhead).sum();
        let rest = limit.saturating_sub(used);
        if rest > overhead + 1 {
            for m in rt.user_broadcasts(overhead + 1, rest) {
                let mut b = Vec::with_capacity(m.len() + 1);
                b.push(crate::codec::MessageType::User as u8);
                b.extend_from_slice(&m);
                out.push(b);
            }
        }
        out
    }

    /// Send `msgs` to `to`, piggy-backing queued broadcasts.
    pub(super) fn send_msgs(
        &mut self,
        to: SocketAddr,
        pmax: Option<u8>,
        mut msgs: Vec<Vec<u8>>,
        rt: &mut impl Runtime,
    ) {
        let used: usize = msgs.iter().map(|m| m.len() + COMPOUND_OVERHEAD).sum();
        let avail = self.packet_budget().saturating_sub(used);
        let extra = self.get_broadcasts(COMPOUND_OVERHEAD, avail, rt);
        msgs.extend(extra);
        self.send_raw(to, pmax, &msgs, rt);
    }

    /// Frame and send without piggy-backing.
    pub(super) fn send_raw(
        &mut self,
        to: SocketAddr,
        pmax: Option<u8>,
        msgs: &[Vec<u8>],
        rt: &mut impl Runtime,
    ) {
        if msgs.is_empty() {
            return;
        }
        let wire = if pmax.is_none_or(|p| p >= 5) {
            &self.cfg.wire
        } else {
            &self.wire_nocrc
        };
        for chunk in msgs.chunks(crate::codec::packet::MAX_COMPOUND_PARTS) {
            let pkt = encode_packet(chunk, wire, &mut self.rng);
            self.stats.packets_sent += 1;
            self.stats.bytes_sent += pkt.len() as u64;
            rt.send_packet(to, pkt);
        }
    }

    /// Pick up to `k` random members (other than us) passing
    /// `filter(name, record)`.
    pub(super) fn k_random(
        &mut self,
        k: usize,
        filter: impl Fn(&str, &Node) -> bool,
    ) -> Vec<Arc<str>> {
        let n = self.order.len();
        let mut out: Vec<Arc<str>> = Vec::with_capacity(k);
        if n == 0 || k == 0 {
            return out;
        }
        for _ in 0..3 * n {
            if out.len() >= k {
                break;
            }
            let name = &self.order[self.rng.gen_range(0..n)];
            if out.iter().any(|o| o == name) {
                continue;
            }
            if let Some(m) = self.members.get(name) {
                if **name != *self.cfg.name && filter(name, m) {
                    out.push(name.clone());
                }
            }
        }
        out
    }
}
