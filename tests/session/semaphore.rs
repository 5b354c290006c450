//! The Go `api` package's recipes, step by step over HTTP: `Semaphore`
//! (contender keys `<prefix>/<session>` acquired with the semaphore flag,
//! `<prefix>/.lock` holding `{"Limit":N,"Holders":{…}}` updated by CAS) and
//! `Lock` (one key with the lock flag), as client libraries run them
//! unchanged against Consul.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::common::*;
use super::{create_session, holder};

/// `api.SemaphoreFlagValue`.
const SEMAPHORE_FLAG: u64 = 0xe0f69a2baa414de0;
/// `api.LockFlagValue`.
const LOCK_FLAG: u64 = 0x2ddccbc058a50c18;
const PREFIX: &str = "service/sema";
const LIMIT: usize = 3;

/// The `.lock` entry: its ModifyIndex (0 when absent) and holders.
fn read_lock(entries: &[Value]) -> (u64, BTreeMap<String, bool>) {
    let Some(e) = entries
        .iter()
        .find(|e| e["Key"] == format!("{PREFIX}/.lock"))
    else {
        return (0, BTreeMap::new());
    };
    let raw = e["Value"].as_str().unwrap_or("");
    let bytes = base64_decode(raw);
    let v: Value = serde_json::from_slice(&bytes).unwrap_or(json!({}));
    assert_eq!(
        v["Limit"].as_u64(),
        Some(LIMIT as u64),
        "limit mismatch: {v}"
    );
    let holders = v["Holders"]
        .as_object()
        .map(|m| m.keys().map(|k| (k.clone(), true)).collect())
        .unwrap_or_default();
    (e["ModifyIndex"].as_u64().unwrap_or(0), holders)
}

fn base64_decode(s: &str) -> Vec<u8> {
    const T: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let mut buf = 0u32;
    let mut bits = 0;
    for c in s.bytes().filter(|c| *c != b'=') {
        let Some(v) = T.iter().position(|t| *t == c) else {
            continue;
        };
        buf = (buf << 6) | v as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
        }
    }
    out
}

/// GET the prefix recursively (blocking past `index`); entries and index.
fn list(a: &Agent, index: u64) -> (Vec<Value>, u64) {
    let (_, headers, body) = http(
        "GET",
        &a.url(&format!("/v1/kv/{PREFIX}?recurse&index={index}&wait=2s")),
        None,
    )
    .unwrap();
    let idx = header(&headers, "X-Consul-Index")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    (serde_json::from_slice(&body).unwrap_or_default(), idx)
}

/// One semaphore slot, taken as the Go recipe does: returns once this
/// session is among the `.lock` holders.
fn sema_acquire(a: &Agent, session: &str) {
    let contender = format!("/v1/kv/{PREFIX}/{session}?acquire={session}&flags={SEMAPHORE_FLAG}");
    assert_eq!(put_ok(a, &contender, "contender"), "true");
    let mut index = 0;
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        assert!(Instant::now() < deadline, "{session} never got a slot");
        let (entries, idx) = list(a, index);
        index = idx;
        let (cas, mut holders) = read_lock(&entries);
        // Prune holders whose contender key lost its session (the recipe's
        // pruneDeadHolders).
        holders.retain(|h, _| {
            entries.iter().any(|e| {
                e["Key"] == format!("{PREFIX}/{h}") && e["Session"].as_str() == Some(h.as_str())
            })
        });
        if holders.len() >= LIMIT {
            continue;
        }
        holders.insert(session.to_string(), true);
        let body = json!({"Limit": LIMIT, "Holders": holders}).to_string();
        let url = format!("/v1/kv/{PREFIX}/.lock?cas={cas}&flags={SEMAPHORE_FLAG}");
        if put_ok(a, &url, &body) == "true" {
            return;
        }
    }
}

/// Give the slot back (CAS out of the holders) and drop the contender key.
fn sema_release(a: &Agent, session: &str) {
    loop {
        let (entries, _) = list(a, 0);
        let (cas, mut holders) = read_lock(&entries);
        holders.remove(session);
        let body = json!({"Limit": LIMIT, "Holders": holders}).to_string();
        let url = format!("/v1/kv/{PREFIX}/.lock?cas={cas}&flags={SEMAPHORE_FLAG}");
        if put_ok(a, &url, &body) == "true" {
            break;
        }
    }
    call(a, "DELETE", &format!("/v1/kv/{PREFIX}/{session}"), None);
}

#[test]
fn the_go_semaphore_recipe_admits_at_most_its_limit() {
    let (_ip, a) = dev_agent();
    let a = Arc::new(a);
    let inside = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let (a, inside, most) = (a.clone(), inside.clone(), most.clone());
            std::thread::spawn(move || {
                let s = create_session(&a, r#"{"Name":"Consul API Semaphore","TTL":"15s"}"#);
                for _ in 0..3 {
                    sema_acquire(&a, &s);
                    let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    assert!(now <= LIMIT, "{now} holders in a semaphore of {LIMIT}");
                    std::thread::sleep(Duration::from_millis(30));
                    inside.fetch_sub(1, Ordering::SeqCst);
                    sema_release(&a, &s);
                    put_ok(&a, &format!("/v1/session/renew/{s}"), "");
                }
            })
        })
        .collect();
    for t in threads {
        t.join().expect("a semaphore contender failed");
    }
    assert!(most.load(Ordering::SeqCst) >= 1);
    eprintln!(
        "semaphore: at most {} holders at once",
        most.load(Ordering::SeqCst)
    );

    // A dead holder's slot is pruned: its contender key loses its session
    // when the session is destroyed, so others may take the slot.
    let dead = create_session(&a, "");
    sema_acquire(&a, &dead);
    put_ok(&a, &format!("/v1/session/destroy/{dead}"), "");
    let live: Vec<String> = (0..LIMIT).map(|_| create_session(&a, "")).collect();
    for s in &live {
        sema_acquire(&a, s);
    }
}

#[test]
fn the_go_lock_recipe_key_carries_the_lock_flag() {
    let (_ip, a) = dev_agent();
    let s = create_session(
        &a,
        r#"{"Name":"Consul API Lock","TTL":"15s","LockDelay":"15s"}"#,
    );
    let url = format!("/v1/kv/locks/job/.lock?acquire={s}&flags={LOCK_FLAG}");
    assert_eq!(put_ok(&a, &url, ""), "true");
    let e = &get_json(&a, "/v1/kv/locks/job/.lock")[0];
    assert_eq!(e["Flags"].as_u64(), Some(LOCK_FLAG));
    assert_eq!(holder(&a, "locks/job/.lock").as_deref(), Some(s.as_str()));
    // The recipe's Unlock: release with the same flag.
    let url = format!("/v1/kv/locks/job/.lock?release={s}&flags={LOCK_FLAG}");
    assert_eq!(put_ok(&a, &url, ""), "true");
    assert_eq!(holder(&a, "locks/job/.lock").as_deref(), Some(""));
}
