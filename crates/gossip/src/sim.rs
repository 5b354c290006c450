//! A deterministic simulator for the memberlist core: seeded RNG, virtual
//! time, and a network with latency, packet loss and partitions.
//!
//! Every packet really goes through the codec, so byte counts are real.

use crate::codec::{parse_stream, StreamParse};
use crate::driver::Machine;
use crate::memberlist::{Config, Event, Interner, Memberlist, Runtime, Timer};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

/// Events in flight.
#[derive(Debug)]
enum Action {
    Packet {
        to: usize,
        from: SocketAddr,
        data: Vec<u8>,
    },
    Timer {
        node: usize,
        generation: u32,
        timer: Timer,
    },
    PushPullRequest {
        from: usize,
        to: SocketAddr,
        data: Vec<u8>,
    },
    PushPullReply {
        to: usize,
        data: Vec<u8>,
    },
}

/// An action in the event queue, ordered by time, then by insertion (so
/// equal-time events run first-in first-out and runs stay deterministic).
#[derive(Debug)]
struct Queued {
    at: Duration,
    seq: u64,
    action: Action,
}

impl PartialEq for Queued {
    fn eq(&self, o: &Self) -> bool {
        (self.at, self.seq) == (o.at, o.seq)
    }
}
impl Eq for Queued {}
impl PartialOrd for Queued {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Queued {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        (self.at, self.seq).cmp(&(o.at, o.seq))
    }
}

/// Effects collected from one call into a node; the simulator delivers
/// them.
#[derive(Default)]
pub struct Effects {
    packets: Vec<(SocketAddr, Vec<u8>)>,
    push_pulls: Vec<(SocketAddr, Vec<u8>)>,
    timers: Vec<(Duration, Timer)>,
    events: Vec<Event>,
}

impl Runtime for Effects {
    fn send_packet(&mut self, to: SocketAddr, packet: Vec<u8>) {
        self.packets.push((to, packet));
    }
    fn push_pull(&mut self, to: SocketAddr, request: Vec<u8>, _join: bool) {
        self.push_pulls.push((to, request));
    }
    fn schedule(&mut self, after: Duration, timer: Timer) {
        self.timers.push((after, timer));
    }
    fn notify(&mut self, event: Event) {
        self.events.push(event);
    }
}

/// One simulated member.
#[derive(Debug)]
pub struct SimNode<M = Memberlist> {
    /// The protocol state machine (None once killed).
    pub ml: Option<M>,
    /// Its address.
    pub addr: SocketAddr,
    /// Events it reported, with the virtual time.
    pub events: Vec<(Duration, Event)>,
    generation: u32,
}

/// Network-wide counters.
#[derive(Debug, Clone, Copy, Default)]
pub struct NetStats {
    /// UDP packets handed to the network.
    pub packets: u64,
    /// UDP bytes handed to the network.
    pub bytes: u64,
    /// Packets dropped by loss or partitions.
    pub dropped: u64,
    /// Push-pull exchanges.
    pub push_pulls: u64,
    /// Push-pull bytes (both directions).
    pub push_pull_bytes: u64,
}

/// The simulated world, generic over the core (memberlist or serf).
pub struct Sim<M: Machine = Memberlist> {
    /// Current virtual time.
    pub now: Duration,
    /// Members, by index.
    pub nodes: Vec<SimNode<M>>,
    /// Probability that a UDP packet is lost.
    pub loss: f64,
    /// One-way latency range.
    pub latency: (Duration, Duration),
    /// Counters.
    pub stats: NetStats,
    /// Whether to keep per-node event logs.
    pub record_events: bool,
    /// Names and encoded broadcasts shared by the memberlist members
    /// [`Sim::add`] creates (one copy per process instead of one per
    /// simulated member; memory only). `None` gives every member its own
    /// copies, as separate processes have.
    pub shared: Option<Arc<Interner>>,
    queue: BinaryHeap<Reverse<Queued>>,
    next_id: u64,
    rng: StdRng,
    by_addr: HashMap<SocketAddr, usize>,
    isolated: HashSet<usize>,
}

impl Sim<Memberlist> {
    /// Add and start a memberlist member configured by `make(name, addr)`.
    pub fn add(&mut self, make: impl FnOnce(String, SocketAddr) -> Config) -> usize {
        let shared = self.shared.clone();
        self.add_machine(|name, addr, seed| {
            let mut ml = Memberlist::new(make(name, addr), seed);
            if let Some(i) = shared {
                ml.share_storage(i);
            }
            ml
        })
    }
}

impl<M: Machine> Sim<M> {
    /// An empty world with a seed.
    pub fn new(seed: u64) -> Self {
        Sim {
            now: Duration::ZERO,
            nodes: Vec::new(),
            loss: 0.0,
            latency: (Duration::from_micros(500), Duration::from_millis(5)),
            stats: NetStats::default(),
            record_events: true,
            shared: Some(Arc::new(Interner::new())),
            queue: BinaryHeap::new(),
            next_id: 0,
            rng: StdRng::seed_from_u64(seed),
            by_addr: HashMap::new(),
            isolated: HashSet::new(),
        }
    }

    /// The address of member `i`.
    pub fn addr_of(i: usize) -> SocketAddr {
        let ip = Ipv4Addr::new(
            127,
            1 + (i / 62500) as u8,
            (i / 250 % 250) as u8,
            (i % 250 + 1) as u8,
        );
        SocketAddr::new(ip.into(), 7946)
    }

    /// Add and start a member built by `make(name, addr, seed)`; returns
    /// its index.
    pub fn add_machine(&mut self, make: impl FnOnce(String, SocketAddr, u64) -> M) -> usize {
        let i = self.nodes.len();
        let addr = Self::addr_of(i);
        let seed = self.rng.gen();
        let m = make(format!("node-{i}"), addr, seed);
        self.nodes.push(SimNode {
            ml: Some(m),
            addr,
            events: Vec::new(),
            generation: 0,
        });
        self.by_addr.insert(addr, i);
        let now = self.now;
        self.with_node(i, |ml, rt| ml.start(now, rt));
        i
    }

    /// Member `i` joins through member `via`.
    pub fn join(&mut self, i: usize, via: usize) {
        let to = self.nodes[via].addr;
        let now = self.now;
        self.with_node(i, |ml, rt| ml.join(to, now, rt));
    }

    /// Member `i` announces its leave.
    pub fn leave(&mut self, i: usize) {
        let now = self.now;
        self.with_node(i, |ml, rt| ml.leave(now, rt));
    }

    /// Kill member `i` (no more sends, receives or timers).
    pub fn kill(&mut self, i: usize) {
        self.nodes[i].ml = None;
        self.nodes[i].generation += 1;
    }

    /// Cut member `i` off the network (or reconnect it).
    pub fn isolate(&mut self, i: usize, isolated: bool) {
        if isolated {
            self.isolated.insert(i);
        } else {
            self.isolated.remove(&i);
        }
    }

    /// The state machine of member `i`, if alive.
    pub fn ml(&self, i: usize) -> Option<&Memberlist> {
        self.nodes[i].ml.as_ref().map(|m| m.memberlist())
    }

    /// The core of member `i`, if alive.
    pub fn machine(&self, i: usize) -> Option<&M> {
        self.nodes[i].ml.as_ref()
    }

    /// Run `f` on member `i` with the current time and a runtime.
    pub fn with(&mut self, i: usize, f: impl FnOnce(&mut M, Duration, &mut Effects)) {
        let now = self.now;
        self.with_node(i, |m, rt| f(m, now, rt));
    }

    fn push(&mut self, at: Duration, action: Action) {
        self.next_id += 1;
        self.queue.push(Reverse(Queued {
            at,
            seq: self.next_id,
            action,
        }));
    }

    fn latency(&mut self) -> Duration {
        let (lo, hi) = self.latency;
        if hi <= lo {
            return lo;
        }
        lo + Duration::from_nanos(self.rng.gen_range(0..(hi - lo).as_nanos() as u64))
    }

    fn reachable(&self, a: usize, b: usize) -> bool {
        !(self.isolated.contains(&a) ^ self.isolated.contains(&b))
    }

    fn with_node(&mut self, i: usize, f: impl FnOnce(&mut M, &mut Effects)) {
        let mut fx = Effects::default();
        match self.nodes[i].ml.as_mut() {
            Some(ml) => f(ml, &mut fx),
            None => return,
        }
        self.apply(i, fx);
    }

    fn apply(&mut self, i: usize, fx: Effects) {
        let from = self.nodes[i].addr;
        let generation = self.nodes[i].generation;
        for (after, timer) in fx.timers {
            let at = self.now + after;
            self.push(
                at,
                Action::Timer {
                    node: i,
                    generation,
                    timer,
                },
            );
        }
        for (to, data) in fx.packets {
            self.stats.packets += 1;
            self.stats.bytes += data.len() as u64;
            let Some(&j) = self.by_addr.get(&to) else {
                self.stats.dropped += 1;
                continue;
            };
            if !self.reachable(i, j) || self.rng.gen_bool(self.loss) {
                self.stats.dropped += 1;
                continue;
            }
            let at = self.now + self.latency();
            self.push(at, Action::Packet { to: j, from, data });
        }
        for (to, data) in fx.push_pulls {
            self.stats.push_pulls += 1;
            self.stats.push_pull_bytes += data.len() as u64;
            let at = self.now + self.latency();
            self.push(at, Action::PushPullRequest { from: i, to, data });
        }
        if self.record_events {
            let now = self.now;
            self.nodes[i]
                .events
                .extend(fx.events.into_iter().map(|e| (now, e)));
        }
    }

    fn step(&mut self, action: Action) {
        let now = self.now;
        match action {
            Action::Packet { to, from, data } => {
                self.with_node(to, |ml, rt| ml.handle_packet(from, &data, now, rt));
            }
            Action::Timer {
                node,
                generation,
                timer,
            } => {
                if self.nodes[node].generation == generation {
                    self.with_node(node, |ml, rt| ml.handle_timer(timer, now, rt));
                }
            }
            Action::PushPullRequest { from, to, data } => {
                let target = self
                    .by_addr
                    .get(&to)
                    .copied()
                    .filter(|&j| self.nodes[j].ml.is_some() && self.reachable(from, j));
                let Some(j) = target else {
                    let fa = to;
                    self.with_node(from, |ml, _| ml.push_pull_failed(fa));
                    return;
                };
                let src = self.nodes[from].addr;
                let mut reply = None;
                self.with_node(j, |ml, rt| {
                    if let Ok(StreamParse::Done(msg, _)) = parse_stream(&data, ml.wire()) {
                        reply = ml.handle_stream(src, msg, now, rt);
                    }
                });
                if let Some(r) = reply {
                    self.stats.push_pull_bytes += r.len() as u64;
                    let at = self.now + self.latency();
                    self.push(at, Action::PushPullReply { to: from, data: r });
                }
            }
            Action::PushPullReply { to, data } => {
                self.with_node(to, |ml, rt| {
                    if let Ok(StreamParse::Done(msg, _)) = parse_stream(&data, ml.wire()) {
                        ml.handle_push_pull_reply(msg, now, rt);
                    }
                });
            }
        }
    }

    /// Run until virtual time `t`.
    pub fn run_until(&mut self, t: Duration) {
        while self.queue.peek().is_some_and(|q| q.0.at <= t) {
            let Some(Reverse(q)) = self.queue.pop() else {
                break;
            };
            self.now = q.at;
            self.step(q.action);
        }
        self.now = t;
    }

    /// Run for `d` of virtual time.
    pub fn run_for(&mut self, d: Duration) {
        let t = self.now + d;
        self.run_until(t);
    }

    /// Run in `step` increments until `pred` holds or `max` has passed;
    /// returns the virtual time at which it held.
    pub fn run_until_pred(
        &mut self,
        max: Duration,
        step: Duration,
        mut pred: impl FnMut(&Self) -> bool,
    ) -> Option<Duration> {
        let end = self.now + max;
        while self.now < end {
            if pred(self) {
                return Some(self.now);
            }
            self.run_for(step);
        }
        pred(self).then_some(self.now)
    }

    /// Whether every live member sees exactly the live members as alive
    /// (`expected` alive members each).
    pub fn all_see_alive(&self, expected: usize) -> bool {
        self.nodes
            .iter()
            .filter_map(|n| n.ml.as_ref())
            .all(|ml| ml.memberlist().num_alive() == expected)
    }

    /// Whether every live member other than `i` sees `name` in `pred` state
    /// (a reaped member counts as not alive).
    pub fn all_see(
        &self,
        name: &str,
        pred: impl Fn(Option<crate::codec::NodeState>) -> bool,
    ) -> bool {
        self.nodes
            .iter()
            .filter_map(|n| n.ml.as_ref().map(|m| m.memberlist()))
            .filter(|ml| ml.name() != name)
            .all(|ml| pred(ml.member_state(name)))
    }
}
