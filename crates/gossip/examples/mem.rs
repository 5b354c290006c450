//! Heap cost of one memberlist core per known member (run with
//! `--release`): `mem [N...]`, default 1000 5000.
//!
//! One core learns N members from a single push-pull (as a joining member
//! does), which fills its member table and queues an alive broadcast for
//! each of them; then gossip rounds drain the queue. A counting allocator
//! reports the live heap after each step (in glibc malloc chunks: the
//! requested size + 8, rounded up to 16, at least 32 bytes), so the figures split into
//! "member table" (name, record, probe order) and "queued broadcast"
//! bytes per (member, known member) pair. With `--shared`, the core uses
//! an [`Interner`] as the simulator's members do and the bytes it holds
//! there (one copy per process) are left out; without, it keeps its own
//! copies, as a real member does.
#![allow(unsafe_code)] // the counting global allocator

use consul_gossip::codec::{Alive, Message, PushNodeState, PushPull};
use consul_gossip::memberlist::{Config, Event, Interner, Memberlist, Runtime, Timer};
use std::alloc::{GlobalAlloc, Layout, System};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

/// glibc's chunk size for a request: 8 bytes of header, 16-byte
/// granularity, 32 bytes at least.
fn chunk(size: usize) -> usize {
    ((size + 8 + 15) & !15).max(32)
}

// SAFETY: forwards every call to the system allocator unchanged and only
// counts (estimated chunk) sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        LIVE.fetch_add(chunk(l.size()), Ordering::Relaxed);
        // SAFETY: same layout as requested of us.
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        LIVE.fetch_sub(chunk(l.size()), Ordering::Relaxed);
        // SAFETY: `p` came from `System.alloc` with this layout.
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        LIVE.fetch_add(chunk(new), Ordering::Relaxed);
        LIVE.fetch_sub(chunk(l.size()), Ordering::Relaxed);
        // SAFETY: `p` came from `System.alloc` with layout `l`.
        unsafe { System.realloc(p, l, new) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

fn live() -> usize {
    LIVE.load(Ordering::Relaxed)
}

/// Drops every effect.
struct Null;

impl Runtime for Null {
    fn send_packet(&mut self, _to: SocketAddr, _packet: Vec<u8>) {}
    fn push_pull(&mut self, _to: SocketAddr, _request: Vec<u8>, _join: bool) {}
    fn schedule(&mut self, _after: Duration, _timer: Timer) {}
    fn notify(&mut self, _event: Event) {}
}

/// Member `i`'s address, as the simulator numbers them.
fn addr(i: usize) -> SocketAddr {
    consul_gossip::sim::Sim::<Memberlist>::addr_of(i)
}

/// The push-pull state of members 1..=n, all alive, no metadata.
fn nodes(n: usize) -> Vec<PushNodeState> {
    (1..=n)
        .map(|i| {
            let a = addr(i);
            let SocketAddr::V4(v4) = a else {
                unreachable!()
            };
            PushNodeState {
                name: format!("node-{i}"),
                addr: v4.ip().octets().to_vec(),
                port: a.port(),
                meta: Vec::new(),
                incarnation: 1,
                state: 0,
                vsn: consul_gossip::memberlist::config::DEFAULT_VSN.to_vec(),
            }
        })
        .collect()
}

fn main() {
    let sizes: Vec<usize> = {
        let a: Vec<usize> = std::env::args()
            .skip(1)
            .filter_map(|a| a.parse().ok())
            .collect();
        if a.is_empty() {
            vec![1000, 5000]
        } else {
            a
        }
    };
    let shared = std::env::args().any(|a| a == "--shared");
    println!("| known members | table B/member | queued broadcast B/member | total B/member |");
    println!("|---|---|---|---|");
    for n in sizes {
        let mut cfg = Config::lan("node-0", addr(0));
        cfg.wire.compress = false;
        let mut ml = Memberlist::new(cfg, 1);
        // With --shared: the other members' copies of the names and alive
        // messages, there before the measurement as in a simulator.
        let mut names = Vec::new();
        let mut msgs = Vec::new();
        if shared {
            let i = Arc::new(Interner::new());
            ml.share_storage(i.clone());
            for p in nodes(n) {
                names.push(i.name(&p.name));
                let alive = Alive {
                    incarnation: p.incarnation,
                    node: p.name,
                    addr: p.addr,
                    port: p.port,
                    meta: p.meta,
                    vsn: p.vsn,
                };
                msgs.push(i.bytes(&Message::Alive(alive).encode()));
            }
        }
        let mut rt = Null;
        let now = Duration::from_secs(1);
        ml.start(Duration::ZERO, &mut rt);
        let base = live();
        let msg = Message::PushPull(PushPull {
            join: true,
            nodes: nodes(n),
            user_state: Vec::new(),
        });
        let reply = ml.handle_stream(addr(1), msg, now, &mut rt);
        drop(reply);
        let full = live();
        let queued = ml.pending_broadcasts();
        let mut rounds = 0;
        while ml.pending_broadcasts() > 0 && rounds < 1_000_000 {
            ml.handle_timer(Timer::Gossip, now, &mut rt);
            rounds += 1;
        }
        let drained = live();
        assert!(queued >= n, "an alive queued per learned member");
        let per = |b: usize| b as f64 / n as f64;
        let table = per(drained.saturating_sub(base));
        let queue = per(full.saturating_sub(drained));
        println!("| {n} | {table:.0} | {queue:.0} | {:.0} |", table + queue);
    }
}
