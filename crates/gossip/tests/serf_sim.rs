//! Deterministic simulations of the serf layer.

use consul_gossip::memberlist::{Config, Event};
use consul_gossip::serf::{MemberStatus, Serf, SerfConfig, SerfEvent};
use consul_gossip::sim::Sim;
use std::time::Duration;

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

fn pool(seed: u64, n: usize) -> Sim<Serf> {
    let mut sim = Sim::new(seed);
    for i in 0..n {
        sim.add_machine(|name, addr, seed| {
            let mut ml = Config::lan(name, addr);
            ml.wire.compress = false;
            let mut cfg = SerfConfig::new(ml);
            cfg.tags.insert(
                "role".into(),
                if i % 5 == 0 { "consul" } else { "node" }.into(),
            );
            cfg.tags.insert("dc".into(), "dc1".into());
            Serf::new(cfg, seed).unwrap()
        });
        if i > 0 {
            sim.join(i, (i * 31) % i);
        }
        sim.run_for(Duration::from_millis(10));
    }
    sim
}

fn all_see(sim: &Sim<Serf>, name: &str, status: MemberStatus) -> bool {
    sim.nodes
        .iter()
        .filter_map(|n| n.ml.as_ref())
        .filter(|s| s.memberlist().name() != name)
        .all(|s| s.member(name).is_some_and(|m| m.status == status))
}

fn converged(sim: &Sim<Serf>, n: usize) -> bool {
    sim.nodes.iter().filter_map(|x| x.ml.as_ref()).all(|s| {
        s.members()
            .filter(|m| m.status == MemberStatus::Alive)
            .count()
            == n
    })
}

#[test]
fn serf_pool_converges_with_tags() {
    let mut sim = pool(11, 30);
    sim.run_until_pred(secs(30), Duration::from_millis(100), |s| converged(s, 30))
        .expect("no convergence");
    let s = sim.machine(3).unwrap();
    let m = s.member("node-10").unwrap();
    assert_eq!(m.tags["role"], "consul");
    assert_eq!(m.tags["dc"], "dc1");
}

#[test]
fn graceful_leave_is_left_never_failed() {
    let mut sim = pool(12, 20);
    sim.run_until_pred(secs(30), Duration::from_millis(100), |s| converged(s, 20))
        .expect("no convergence");
    sim.with(7, |s, now, rt| {
        consul_gossip::driver::Machine::leave(s, now, rt)
    });
    sim.run_for(secs(4));
    sim.kill(7);
    sim.run_until_pred(secs(10), Duration::from_millis(100), |s| {
        all_see(s, "node-7", MemberStatus::Left)
    })
    .expect("leave not propagated");
    for n in &sim.nodes {
        for (_, e) in &n.events {
            if let Event::Serf(SerfEvent::MemberFailed(m)) = e {
                panic!("{} seen as failed", m.name);
            }
        }
    }
}

#[test]
fn failed_member_reconnects_after_partition_heals() {
    let mut sim = pool(13, 20);
    sim.run_until_pred(secs(30), Duration::from_millis(100), |s| converged(s, 20))
        .expect("no convergence");
    sim.isolate(4, true);
    sim.run_until_pred(secs(60), Duration::from_millis(100), |s| {
        all_see(s, "node-4", MemberStatus::Failed)
    })
    .expect("partitioned member not failed");
    // Long enough for memberlist to forget it entirely.
    sim.run_for(secs(60));
    sim.isolate(4, false);
    let healed = sim.now;
    let t = sim
        .run_until_pred(secs(120), Duration::from_millis(200), |s| converged(s, 20))
        .expect("no reconnect after heal");
    eprintln!("reconnected {:?} after heal", t - healed);
}

#[test]
fn user_event_reaches_everyone_once() {
    let mut sim = pool(14, 25);
    sim.run_until_pred(secs(30), Duration::from_millis(100), |s| converged(s, 25))
        .expect("no convergence");
    sim.with(2, |s, now, rt| {
        s.user_event("deploy", b"v2", false, now, rt).unwrap()
    });
    sim.run_for(secs(10));
    for n in &sim.nodes {
        let got = n
            .events
            .iter()
            .filter(|(_, e)| matches!(e, Event::Serf(SerfEvent::User(u)) if u.name == "deploy"))
            .count();
        assert_eq!(got, 1, "{} got the event {got} times", n.addr);
    }
    let too_big = vec![0u8; 600];
    sim.with(2, |s, now, rt| {
        assert!(s.user_event("x", &too_big, false, now, rt).is_err())
    });
}
