//! Deterministic simulations of the memberlist core.

use consul_gossip::codec::NodeState;
use consul_gossip::memberlist::{Config, Event};
use consul_gossip::sim::Sim;
use std::time::Duration;

fn lan(name: String, addr: std::net::SocketAddr) -> Config {
    let mut c = Config::lan(name, addr);
    c.wire.compress = false;
    c
}

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

/// Start `n` members; each joins a random earlier one, 10 ms apart.
fn pool(seed: u64, n: usize) -> Sim {
    let mut sim = Sim::new(seed);
    for i in 0..n {
        sim.add(lan);
        if i > 0 {
            sim.join(i, (i * 7919) % i);
        }
        sim.run_for(Duration::from_millis(10));
    }
    sim
}

fn converge(sim: &mut Sim, n: usize, max: Duration) -> Duration {
    let start = sim.now;
    let t = sim
        .run_until_pred(max, Duration::from_millis(100), |s| s.all_see_alive(n))
        .unwrap_or_else(|| panic!("{n} members did not converge within {max:?}"));
    t - start
}

#[test]
fn pool_of_50_converges() {
    let mut sim = pool(1, 50);
    let t = converge(&mut sim, 50, secs(30));
    eprintln!("50 members converged {t:?} after the last join");
}

#[test]
fn pool_of_200_converges() {
    let mut sim = pool(2, 200);
    let t = converge(&mut sim, 200, secs(60));
    eprintln!("200 members converged {t:?} after the last join");
}

#[test]
fn killed_member_is_declared_dead_by_all() {
    let mut sim = pool(3, 50);
    converge(&mut sim, 50, secs(30));
    sim.kill(17);
    let t = sim
        .run_until_pred(secs(60), Duration::from_millis(100), |s| {
            s.all_see("node-17", |st| {
                st != Some(NodeState::Alive) && st != Some(NodeState::Suspect)
            })
        })
        .expect("failure not detected");
    eprintln!("failure detected by all after {:?}", t - secs(0));
    assert!(sim.all_see("node-17", |st| matches!(st, Some(NodeState::Dead) | None)));
    assert!(sim.all_see_alive(49));
}

#[test]
fn no_false_positives_with_5_percent_loss() {
    let mut sim = pool(4, 50);
    converge(&mut sim, 50, secs(30));
    sim.loss = 0.05;
    let start = sim.now;
    sim.run_for(secs(120));
    for n in &sim.nodes {
        for (t, e) in &n.events {
            if *t >= start {
                assert!(
                    !matches!(e, Event::Leave(_)),
                    "false positive at {t:?} on {}: {e:?}",
                    n.addr
                );
            }
        }
    }
    assert!(sim.all_see_alive(50));
}

#[test]
fn partitioned_member_refutes_and_rejoins() {
    let mut sim = pool(5, 30);
    converge(&mut sim, 30, secs(30));
    let inc_before = sim.ml(9).unwrap().incarnation();
    sim.isolate(9, true);
    sim.run_until_pred(secs(60), Duration::from_millis(100), |s| {
        s.all_see("node-9", |st| st == Some(NodeState::Dead))
    })
    .expect("partitioned member not declared dead");
    sim.isolate(9, false);
    converge(&mut sim, 30, secs(30));
    let inc_after = sim.ml(9).unwrap().incarnation();
    assert!(
        inc_after > inc_before,
        "no refutation: {inc_before} -> {inc_after}"
    );
}

#[test]
fn leave_propagates_as_left() {
    let mut sim = pool(6, 40);
    converge(&mut sim, 40, secs(30));
    sim.leave(11);
    sim.run_for(secs(2));
    sim.kill(11);
    sim.run_until_pred(secs(10), Duration::from_millis(100), |s| {
        s.all_see("node-11", |st| st == Some(NodeState::Left))
    })
    .expect("leave did not propagate");
    // No one ever saw it as failed.
    for n in &sim.nodes {
        for (_, e) in &n.events {
            if let Event::Leave(m) = e {
                assert_eq!(m.state, NodeState::Left, "{m:?}");
            }
        }
    }
}

#[test]
fn simulation_is_deterministic() {
    let run = || {
        let mut sim = pool(7, 20);
        sim.run_for(secs(5));
        (sim.stats.packets, sim.stats.bytes)
    };
    assert_eq!(run(), run());
}

/// Slow in debug builds: `cargo test --release -- --ignored`.
#[test]
#[ignore]
fn pool_of_1000_converges_and_detects_failure() {
    let mut sim = pool(8, 1000);
    sim.record_events = false;
    let t = converge(&mut sim, 1000, secs(300));
    eprintln!("1000 members converged {t:?} after the last join");
    sim.kill(500);
    sim.run_until_pred(secs(120), Duration::from_millis(200), |s| {
        s.all_see("node-500", |st| matches!(st, Some(NodeState::Dead) | None))
    })
    .expect("failure not detected");
}
