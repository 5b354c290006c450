//! Deterministic simulations of serf queries: delivery to every member,
//! responses and acks straight back to the querier, filters, dedup,
//! timeouts, size limits, relays, and the internal key-management queries.

use consul_gossip::codec::{Key, Keyring};
use consul_gossip::memberlist::{Config, Event};
use consul_gossip::serf::internal_query::KeyOp;
use consul_gossip::serf::keymanager::{key_request_payload, KeyResponse};
use consul_gossip::serf::query::{Query, QueryEvent, QueryHandle, QueryParams, QueryReply};
use consul_gossip::serf::{MemberStatus, Serf, SerfConfig, SerfError};
use consul_gossip::sim::Sim;
use std::time::Duration;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn pool(seed: u64, n: usize, key: Option<&[u8]>) -> Sim<Serf> {
    let mut sim = Sim::new(seed);
    for i in 0..n {
        sim.add_machine(|name, addr, seed| {
            let mut ml = Config::lan(name, addr);
            if let Some(k) = key {
                ml.wire.keyring = Some(Keyring::new(Key::new(k).unwrap(), []));
            }
            let mut cfg = SerfConfig::new(ml);
            let role = if i % 3 == 0 { "consul" } else { "node" };
            cfg.tags.insert("role".into(), role.into());
            Serf::new(cfg, seed).unwrap()
        });
        if i > 0 {
            sim.join(i, 0);
        }
        sim.run_for(ms(10));
    }
    sim.run_until_pred(Duration::from_secs(30), ms(100), |s| {
        s.nodes.iter().filter_map(|x| x.ml.as_ref()).all(|m| {
            m.members()
                .filter(|m| m.status == MemberStatus::Alive)
                .count()
                == n
        })
    })
    .expect("pool converges");
    sim
}

fn incoming(sim: &Sim<Serf>, i: usize, h: &QueryHandle) -> Vec<Query> {
    sim.nodes[i]
        .events
        .iter()
        .filter_map(|(_, e)| match e {
            Event::Query(QueryEvent::Incoming(q)) if q.ltime == h.ltime && q.id == h.id => {
                Some(q.clone())
            }
            _ => None,
        })
        .collect()
}

fn replies(sim: &Sim<Serf>, i: usize, h: &QueryHandle) -> Vec<QueryReply> {
    sim.nodes[i]
        .events
        .iter()
        .filter_map(|(_, e)| match e {
            Event::Query(QueryEvent::Reply(r)) if r.ltime == h.ltime && r.id == h.id => {
                Some(r.clone())
            }
            _ => None,
        })
        .collect()
}

fn done(sim: &Sim<Serf>, i: usize, h: &QueryHandle) -> bool {
    sim.nodes[i].events.iter().any(|(_, e)| {
        matches!(e, Event::Query(QueryEvent::Done { ltime, id }) if *ltime == h.ltime && *id == h.id)
    })
}

fn start(sim: &mut Sim<Serf>, i: usize, name: &str, payload: &[u8], p: QueryParams) -> QueryHandle {
    let mut out = None;
    sim.with(i, |s, now, rt| {
        out = Some(s.query(name, payload, p, now, rt).expect("query starts"))
    });
    out.unwrap()
}

/// Every member that got the query answers `pong from <name>`.
fn answer_all(sim: &mut Sim<Serf>, h: &QueryHandle) {
    for i in 0..sim.nodes.len() {
        for q in incoming(sim, i, h) {
            let body = format!("pong from node-{i}");
            sim.with(i, |s, now, rt| {
                s.respond(q.ltime, q.id, body.as_bytes(), now, rt).unwrap();
                // A second answer is refused.
                assert_eq!(
                    s.respond(q.ltime, q.id, b"again", now, rt),
                    Err(SerfError::AlreadyResponded)
                );
            });
        }
    }
}

#[test]
fn query_reaches_everyone_once_and_responses_come_back() {
    let n = 12;
    let mut sim = pool(1, n, None);
    let h = start(&mut sim, 0, "ping", b"hi", QueryParams::default());
    // Default timeout: 200ms × 16 × ceil(log10(13)) = 6.4s.
    assert_eq!(h.deadline - sim.now, ms(6400));
    assert_eq!(h.num_nodes, n);
    sim.run_for(ms(1500));
    for i in 0..n {
        // Gossip delivers it several times; it is handled once.
        let got = incoming(&sim, i, &h);
        assert_eq!(got.len(), 1, "node {i} saw the query {} times", got.len());
        assert_eq!(got[0].name, "ping");
        assert_eq!(got[0].payload, b"hi");
        assert_eq!(got[0].source_node, "node-0");
    }
    answer_all(&mut sim, &h);
    sim.run_for(ms(500));
    let mut from: Vec<String> = replies(&sim, 0, &h)
        .into_iter()
        .map(|r| {
            assert!(!r.ack);
            assert_eq!(r.payload, format!("pong from {}", r.from).into_bytes());
            r.from
        })
        .collect();
    from.sort();
    from.dedup();
    assert_eq!(from.len(), n, "{from:?}");
    assert!(!done(&sim, 0, &h));
    sim.run_until(h.deadline + ms(1));
    assert!(done(&sim, 0, &h));
    // Answers after the deadline are refused.
    let late = incoming(&sim, 3, &h)[0].clone();
    sim.with(3, |s, now, rt| {
        assert!(s.respond(late.ltime, late.id, b"x", now, rt).is_err());
    });
}

#[test]
fn filters_by_node_name_and_tag_regex_with_acks() {
    let n = 9;
    let mut sim = pool(2, n, None);
    let p = QueryParams {
        filter_nodes: vec!["node-2".into(), "node-5".into(), "node-7".into()],
        request_ack: true,
        ..Default::default()
    };
    let h = start(&mut sim, 1, "by-name", b"", p);
    sim.run_for(ms(2000));
    let got: Vec<usize> = (0..n)
        .filter(|&i| !incoming(&sim, i, &h).is_empty())
        .collect();
    assert_eq!(got, [2, 5, 7]);
    let mut acks: Vec<String> = replies(&sim, 1, &h)
        .into_iter()
        .filter(|r| r.ack)
        .map(|r| r.from)
        .collect();
    acks.sort();
    assert_eq!(acks, ["node-2", "node-5", "node-7"]);

    // role=consul on nodes 0, 3, 6; the regex is unanchored as in Go.
    let mut p = QueryParams::default();
    p.filter_tags.insert("role".into(), "^cons".into());
    let h = start(&mut sim, 4, "by-tag", b"", p);
    sim.run_for(ms(2000));
    let got: Vec<usize> = (0..n)
        .filter(|&i| !incoming(&sim, i, &h).is_empty())
        .collect();
    assert_eq!(got, [0, 3, 6]);
    answer_all(&mut sim, &h);
    sim.run_for(ms(300));
    assert_eq!(replies(&sim, 4, &h).len(), 3);

    // A bad regex matches nobody.
    let mut p = QueryParams::default();
    p.filter_tags.insert("role".into(), "(".into());
    let h = start(&mut sim, 4, "bad-regex", b"", p);
    sim.run_for(ms(2000));
    assert!((0..n).all(|i| incoming(&sim, i, &h).is_empty()));
}

#[test]
fn relayed_responses_are_deduplicated() {
    let n = 8;
    let mut sim = pool(3, n, None);
    let p = QueryParams {
        relay_factor: 3,
        request_ack: true,
        ..Default::default()
    };
    let h = start(&mut sim, 0, "relay", b"", p);
    sim.run_for(ms(1500));
    answer_all(&mut sim, &h);
    sim.run_for(ms(500));
    let r = replies(&sim, 0, &h);
    assert_eq!(r.iter().filter(|r| r.ack).count(), n);
    assert_eq!(r.iter().filter(|r| !r.ack).count(), n);
}

#[test]
fn size_limits() {
    let mut sim = pool(4, 3, None);
    sim.with(0, |s, now, rt| {
        assert_eq!(
            s.query("big", &[0u8; 1100], QueryParams::default(), now, rt),
            Err(SerfError::QueryTooLarge(1024))
        );
    });
    let h = start(&mut sim, 0, "q", b"", QueryParams::default());
    sim.run_for(ms(1000));
    let q = incoming(&sim, 1, &h)[0].clone();
    sim.with(1, |s, now, rt| {
        assert_eq!(
            s.respond(q.ltime, q.id, &[1u8; 1100], now, rt),
            Err(SerfError::ResponseTooLarge(1024))
        );
        // Still answerable with a smaller payload.
        s.respond(q.ltime, q.id, b"ok", now, rt).unwrap();
    });
}

/// Run a key query from member `from` and fold the answers.
fn key_query(sim: &mut Sim<Serf>, from: usize, op: KeyOp, key: &[u8]) -> KeyResponse {
    use base64::Engine;
    let k = base64::engine::general_purpose::STANDARD.encode(key);
    let payload = key_request_payload(op, &k).unwrap();
    let h = start(sim, from, op.query_name(), &payload, QueryParams::default());
    // Past the query timeout (16 × 200 ms × ceil(log10(n + 1)) = 3.2 s),
    // as serf collects answers until then.
    sim.run_for(ms(4000));
    let mut resp = KeyResponse::new(h.num_nodes);
    for r in replies(sim, from, &h) {
        resp.add(&r.from, &r.payload);
    }
    resp
}

fn keys_of(sim: &Sim<Serf>, i: usize) -> Vec<Vec<u8>> {
    let kr = sim.ml(i).unwrap().config().wire.keyring.clone().unwrap();
    kr.keys().iter().map(|k| k.as_bytes().to_vec()).collect()
}

#[test]
fn key_rotation_through_internal_queries() {
    use base64::Engine;
    let b64 = |k: &[u8]| base64::engine::general_purpose::STANDARD.encode(k);
    let (old, new) = ([1u8; 32], [2u8; 16]);
    let n = 6;
    let mut sim = pool(5, n, Some(&old));

    let r = key_query(&mut sim, 0, KeyOp::List, b"");
    assert_eq!(r.error(), None);
    assert_eq!(r.keys[&b64(&old)], n);
    assert_eq!(r.primary_keys[&b64(&old)], n);

    let r = key_query(&mut sim, 1, KeyOp::Install, &new);
    assert_eq!(r.error(), None, "{r:?}");
    assert!((0..n).all(|i| keys_of(&sim, i) == [old.to_vec(), new.to_vec()]));
    let r = key_query(&mut sim, 2, KeyOp::List, b"");
    assert_eq!((r.keys[&b64(&old)], r.keys[&b64(&new)]), (n, n));

    // A bad key size and an unknown key are reported by every member.
    let r = key_query(&mut sim, 0, KeyOp::Install, &[3u8; 5]);
    assert_eq!(
        r.error().unwrap(),
        format!("{n}/{n} nodes reported failure")
    );
    assert_eq!(r.messages["node-4"], "key size must be 16, 24 or 32 bytes");
    let r = key_query(&mut sim, 0, KeyOp::Use, &[4u8; 16]);
    assert_eq!(r.messages["node-3"], "Requested key is not in the keyring");

    let r = key_query(&mut sim, 3, KeyOp::Use, &new);
    assert_eq!(r.error(), None);
    // The primary key cannot be removed.
    let r = key_query(&mut sim, 0, KeyOp::Remove, &new);
    assert_eq!(r.num_err, n);
    assert_eq!(
        r.messages["node-1"],
        "Removing the primary key is not allowed"
    );
    let r = key_query(&mut sim, 4, KeyOp::Remove, &old);
    assert_eq!(r.error(), None);
    assert!((0..n).all(|i| keys_of(&sim, i) == [new.to_vec()]));
    let r = key_query(&mut sim, 5, KeyOp::List, b"");
    assert_eq!(r.keys.len(), 1);
    assert_eq!(r.primary_keys[&b64(&new)], n);

    // The pool keeps working on the new key: a member that only knows it
    // joins, and a member that only knows the old key cannot.
    let i = sim.add_machine(|name, addr, seed| {
        let mut ml = Config::lan(name, addr);
        ml.wire.keyring = Some(Keyring::new(Key::new(&new).unwrap(), []));
        Serf::new(SerfConfig::new(ml), seed).unwrap()
    });
    sim.join(i, 2);
    let stale = sim.add_machine(|name, addr, seed| {
        let mut ml = Config::lan(name, addr);
        ml.wire.keyring = Some(Keyring::new(Key::new(&old).unwrap(), []));
        Serf::new(SerfConfig::new(ml), seed).unwrap()
    });
    sim.join(stale, 2);
    sim.run_until_pred(Duration::from_secs(20), ms(100), |s| {
        (0..=n).all(|j| {
            s.machine(j)
                .unwrap()
                .members()
                .filter(|m| m.status == MemberStatus::Alive)
                .count()
                == n + 1
        })
    })
    .expect("new member joins on the new key");
    assert!(sim.machine(stale).unwrap().members().count() <= 1);
}

#[test]
fn key_queries_without_encryption_fail_on_every_member() {
    let mut sim = pool(6, 3, None);
    let r = key_query(&mut sim, 0, KeyOp::List, b"");
    assert_eq!(r.error().unwrap(), "3/3 nodes reported failure");
    assert_eq!(
        r.messages["node-2"],
        "Keyring is empty (encryption not enabled)"
    );
    let r = key_query(&mut sim, 0, KeyOp::Install, &[1u8; 16]);
    assert_eq!(
        r.messages["node-0"],
        "No keyring to modify (encryption not enabled)"
    );
}

#[test]
fn keyring_file_follows_rotation() {
    let dir = std::env::temp_dir().join(format!("query-sim-kr-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("local.keyring");
    let mut sim = Sim::new(7);
    let k1 = [9u8; 16];
    let make = |p: Option<std::path::PathBuf>| {
        move |name: String, addr, seed| {
            let mut ml = Config::lan(name, addr);
            ml.wire.keyring = Some(Keyring::new(Key::new(&k1).unwrap(), []));
            let mut cfg = SerfConfig::new(ml);
            cfg.keyring_file = p;
            Serf::new(cfg, seed).unwrap()
        }
    };
    sim.add_machine(make(Some(path.clone())));
    let b = sim.add_machine(make(None));
    sim.join(b, 0);
    sim.run_for(Duration::from_secs(2));
    let r = key_query(&mut sim, 1, KeyOp::Install, &[8u8; 16]);
    assert_eq!(r.error(), None);
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        text,
        "[\n  \"CQkJCQkJCQkJCQkJCQkJCQ==\",\n  \"CAgICAgICAgICAgICAgICA==\"\n]"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
