//! Everything from the network is untrusted: random and mutated packets
//! and streams must never panic the core.

use consul_gossip::codec::{self, parse_stream, Message, WireConfig};
use consul_gossip::driver::Machine;
use consul_gossip::memberlist::{Config, Event, Memberlist, Runtime, Timer};
use consul_gossip::serf::{Serf, SerfConfig};
use rand::{Rng, RngCore, SeedableRng};
use std::net::SocketAddr;
use std::time::Duration;

#[derive(Default)]
struct Sink(usize);

impl Runtime for Sink {
    fn send_packet(&mut self, _: SocketAddr, _: Vec<u8>) {
        self.0 += 1;
    }
    fn push_pull(&mut self, _: SocketAddr, _: Vec<u8>, _: bool) {}
    fn schedule(&mut self, _: Duration, _: Timer) {}
    fn notify(&mut self, _: Event) {}
}

fn valid_packets() -> Vec<Vec<u8>> {
    let alive = Message::Alive(codec::Alive {
        incarnation: 3,
        node: "x".into(),
        addr: vec![127, 0, 0, 9],
        port: 7946,
        meta: vec![0xff, 0x81, 0xa1, b'a', 0xa1, b'b'],
        vsn: vec![1, 5, 2, 2, 5, 4],
    })
    .encode();
    let user = Message::User(vec![3, 0x84, 0xa5, b'L', b'T', b'i', b'm', b'e', 1]).encode();
    let ping = Message::Ping(codec::Ping {
        seq_no: 1,
        node: "me".into(),
        ..Default::default()
    })
    .encode();
    let mut rng = rand::rngs::StdRng::seed_from_u64(1);
    let cfg = WireConfig::plain();
    vec![
        codec::encode_packet(&[alive.clone(), user.clone(), ping.clone()], &cfg, &mut rng),
        codec::encode_packet(&[alive], &WireConfig::default(), &mut rng),
        codec::encode_packet(&[user, ping], &WireConfig::default(), &mut rng),
    ]
}

#[test]
fn random_and_mutated_packets_never_panic() {
    let addr: SocketAddr = "127.0.0.1:7946".parse().unwrap();
    let from: SocketAddr = "127.0.0.9:7946".parse().unwrap();
    let mut ml = Memberlist::new(Config::lan("me", addr), 1);
    let mut serf = Serf::new(SerfConfig::new(Config::lan("me", addr)), 1).unwrap();
    let mut rt = Sink::default();
    ml.start(Duration::ZERO, &mut rt);
    Machine::start(&mut serf, Duration::ZERO, &mut rt);
    let mut rng = rand::rngs::StdRng::seed_from_u64(99);
    let seeds = valid_packets();
    for i in 0..20_000u64 {
        let data = if i % 3 == 0 {
            let mut b = vec![0u8; rng.gen_range(0..200)];
            rng.fill_bytes(&mut b);
            if !b.is_empty() {
                b[0] = rng.gen_range(0..14);
            }
            b
        } else {
            let mut b = seeds[(i as usize) % seeds.len()].clone();
            for _ in 0..rng.gen_range(1..4) {
                let j = rng.gen_range(0..b.len());
                b[j] = rng.gen();
            }
            if rng.gen_bool(0.2) {
                b.truncate(rng.gen_range(0..b.len()));
            }
            b
        };
        let now = Duration::from_millis(i);
        ml.handle_packet(from, &data, now, &mut rt);
        Machine::handle_packet(&mut serf, from, &data, now, &mut rt);
        let _ = parse_stream(&data, &WireConfig::default());
    }
}
