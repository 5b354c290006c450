//! A Jepsen-style ledger: writers on every agent (three servers and a client)
//! PUT and CAS while the leader is killed, restarted and paused
//! (SIGSTOP/SIGCONT), at `raft_multiplier` 1. Values carry sequence numbers,
//! so the history can be checked:
//!
//! * a CAS acknowledged with `true` is never lost: on a key, no two acked
//!   CAS wrote the same sequence number, and the final value is at least the
//!   highest acked one;
//! * an acked PUT is present at the end or superseded by a later write;
//! * no default-mode or `?consistent` read returns a value older than one
//!   acknowledged before the read began.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::common::*;
use super::{agree_on_leader, leader_of, server};

const CAS_KEYS: usize = 3;
const ROUNDS: usize = 10;

/// What every writer shares: the highest acked sequence per key, the acked
/// CAS sequences per key, and every violation seen.
#[derive(Default)]
struct Ledger {
    acked_max: BTreeMap<String, u64>,
    acked_cas: BTreeMap<String, Vec<u64>>,
    violations: Vec<String>,
    acked_writes: usize,
    reads_checked: usize,
}

/// A tiny deterministic generator (xorshift), one per writer.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

enum Read {
    /// The key's sequence number (0 when absent) and its ModifyIndex.
    Value(u64, u64),
    Failed,
}

fn decode(v: &Value) -> Option<(u64, u64)> {
    let raw = v[0]["Value"].as_str()?;
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD.decode(raw).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let seq = text.split(':').next()?.parse().ok()?;
    Some((seq, v[0]["ModifyIndex"].as_u64()?))
}

fn read(base: &str, key: &str, consistent: bool) -> Read {
    let q = if consistent { "?consistent" } else { "" };
    match http("GET", &format!("{base}/v1/kv/{key}{q}"), None) {
        Ok((404, _, _)) => Read::Value(0, 0),
        Ok((200, _, body)) => serde_json::from_slice::<Value>(&body)
            .ok()
            .and_then(|v| decode(&v))
            .map_or(Read::Failed, |(s, i)| Read::Value(s, i)),
        _ => Read::Failed,
    }
}

/// `Some(true)` acked, `Some(false)` refused (CAS lost the race), `None`
/// indeterminate (error, timeout, or the agent was down).
fn put(base: &str, key: &str, value: &str, cas: Option<u64>) -> Option<bool> {
    let q = cas.map(|i| format!("?cas={i}")).unwrap_or_default();
    match http(
        "PUT",
        &format!("{base}/v1/kv/{key}{q}"),
        Some(value.as_bytes()),
    ) {
        Ok((200, _, b)) if b == b"true" => Some(true),
        Ok((200, _, b)) if b == b"false" => Some(false),
        _ => None,
    }
}

/// Check a read against what was acked before it began.
fn check_read(ledger: &Mutex<Ledger>, key: &str, required: u64, got: Read, what: &str) {
    if let Read::Value(seq, _) = got {
        let mut l = ledger.lock().unwrap();
        l.reads_checked += 1;
        if seq < required {
            l.violations.push(format!(
                "{what} read of {key} returned seq {seq}, but seq {required} was acked before the read began"
            ));
        }
    }
}

fn required(ledger: &Mutex<Ledger>, key: &str) -> u64 {
    ledger
        .lock()
        .unwrap()
        .acked_max
        .get(key)
        .copied()
        .unwrap_or(0)
}

fn ack(ledger: &Mutex<Ledger>, key: &str, seq: u64, cas: bool) {
    let mut l = ledger.lock().unwrap();
    l.acked_writes += 1;
    let m = l.acked_max.entry(key.to_string()).or_default();
    *m = (*m).max(seq);
    if cas {
        l.acked_cas.entry(key.to_string()).or_default().push(seq);
    }
}

fn writer(id: usize, base: String, ledger: Arc<Mutex<Ledger>>, stop: Arc<AtomicBool>) {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (id as u64 + 1));
    let own = format!("ledger/own/{id}");
    let mut own_seq = 0;
    while !stop.load(Ordering::Relaxed) {
        let ok = match rng.below(10) {
            0..=3 => {
                // CAS on a shared key: read it (a checked default read), then
                // write the next sequence number at the index read.
                let key = format!("ledger/cas/{}", rng.below(CAS_KEYS as u64));
                let need = required(&ledger, &key);
                match read(&base, &key, false) {
                    Read::Value(seq, index) => {
                        check_read(&ledger, &key, need, Read::Value(seq, index), "default");
                        let next = seq + 1;
                        match put(&base, &key, &format!("{next}:{id}"), Some(index)) {
                            Some(true) => {
                                ack(&ledger, &key, next, true);
                                true
                            }
                            Some(false) => true,
                            None => false,
                        }
                    }
                    Read::Failed => false,
                }
            }
            4..=6 => {
                own_seq += 1;
                match put(&base, &own, &format!("{own_seq}:{id}"), None) {
                    Some(true) => {
                        ack(&ledger, &own, own_seq, false);
                        true
                    }
                    _ => false,
                }
            }
            _ => {
                let key = if rng.below(2) == 0 {
                    format!("ledger/cas/{}", rng.below(CAS_KEYS as u64))
                } else {
                    format!("ledger/own/{}", rng.below(4))
                };
                let consistent = rng.below(2) == 0;
                let need = required(&ledger, &key);
                let got = read(&base, &key, consistent);
                let failed = matches!(got, Read::Failed);
                let mode = if consistent { "consistent" } else { "default" };
                check_read(&ledger, &key, need, got, mode);
                !failed
            }
        };
        if !ok {
            // The agent is down or has no leader: back off a little.
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

fn leader_index(servers: &[Agent], via: &Agent) -> Option<usize> {
    let addr = leader_of(via);
    servers
        .iter()
        .position(|s| !addr.is_empty() && addr.starts_with(&format!("{}:", s.ip)))
}

fn healthy(servers: &[Agent], client: &Agent) -> bool {
    agree_on_leader(servers.iter().chain([client]), 3)
}

#[test]
fn acknowledged_writes_survive_leader_kills_and_pauses() {
    let ips: Vec<IpLease> = (0..4).map(|_| reserve_ip()).collect();
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let mut servers: Vec<Agent> = (0..3)
        .map(|i| server(&ips[i], i + 1, dirs[i].path(), &ips[0]))
        .collect();
    let client = AgentBuilder::new(bin(), ips[3].ip())
        .node("ledger-client")
        .arg("-retry-join")
        .arg(&ips[0].ip().to_string())
        .arg("-retry-interval")
        .arg("1s")
        .start()
        .unwrap();
    assert!(
        wait_until(Duration::from_secs(60), || healthy(&servers, &client)),
        "cluster did not form"
    );

    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let stop = Arc::new(AtomicBool::new(false));
    let bases: Vec<String> = servers.iter().chain([&client]).map(|a| a.url("")).collect();
    let writers: Vec<_> = bases
        .into_iter()
        .enumerate()
        .map(|(id, base)| {
            let (l, s) = (ledger.clone(), stop.clone());
            std::thread::spawn(move || writer(id, base, l, s))
        })
        .collect();

    let started = Instant::now();
    for round in 0..ROUNDS {
        // Let load run against a healthy cluster first.
        std::thread::sleep(Duration::from_millis(700));
        let Some(l) = leader_index(&servers, &client) else {
            continue;
        };
        if round % 2 == 0 {
            servers[l].kill9();
            // Wait until the survivors elect someone else, then bring it back.
            wait_until(Duration::from_secs(30), || {
                leader_index(&servers, &client).is_some_and(|n| n != l)
            });
            servers[l].restart().unwrap();
        } else {
            // Freeze the leader past the election timeout; the others
            // elect a new leader meanwhile; then let it run again.
            servers[l].sigstop();
            wait_until(Duration::from_secs(30), || {
                leader_index(&servers, &client).is_some_and(|n| n != l)
            });
            std::thread::sleep(Duration::from_millis(500));
            servers[l].sigcont();
        }
        assert!(
            wait_until(Duration::from_secs(60), || healthy(&servers, &client)),
            "round {round}: cluster did not recover"
        );
    }
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.join().unwrap();
    }
    let elapsed = started.elapsed();

    // Final state, read with ?consistent through the client.
    let l = ledger.lock().unwrap();
    let mut problems = l.violations.clone();
    for (key, seqs) in &l.acked_cas {
        let distinct: BTreeSet<_> = seqs.iter().collect();
        if distinct.len() != seqs.len() {
            problems.push(format!(
                "{key}: two acked CAS wrote the same sequence: {seqs:?}"
            ));
        }
    }
    for (key, max) in &l.acked_max {
        match read(&client.url(""), key, true) {
            Read::Value(seq, _) if seq >= *max => {}
            Read::Value(seq, _) => problems.push(format!(
                "{key}: final seq {seq} is below the acked seq {max} (acked write lost)"
            )),
            Read::Failed => problems.push(format!("{key}: final read failed")),
        }
    }
    assert!(
        problems.is_empty(),
        "ledger violations after {elapsed:?}:\n{}",
        problems.join("\n")
    );
    // The run must have exercised the system, or it proves nothing.
    assert!(
        l.acked_writes >= 100 && l.acked_cas.values().map(Vec::len).sum::<usize>() >= 20,
        "too little acked work: {} writes, cas {:?}",
        l.acked_writes,
        l.acked_cas
    );
    assert!(
        l.reads_checked >= 100,
        "only {} reads checked",
        l.reads_checked
    );
    eprintln!(
        "ledger: {ROUNDS} rounds in {elapsed:?}: {} acked writes, {} reads checked",
        l.acked_writes, l.reads_checked
    );
}
