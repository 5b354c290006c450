//! KV locks: exclusion between contenders (checked from a ledger), the
//! holder-only release, flags, conflicting flags, and lock-delay.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::common::*;
use super::{acquire, create_session, holder, release};

#[test]
fn eight_contenders_never_hold_the_lock_together() {
    let (_ip, a) = dev_agent();
    let a = Arc::new(a);
    // The ledger: who holds the lock, per the answers the contenders got.
    let holder_slot: Arc<Mutex<Option<usize>>> = Arc::new(Mutex::new(None));
    let turns = Arc::new(AtomicUsize::new(0));
    const ROUNDS: usize = 5;
    let threads: Vec<_> = (0..8)
        .map(|me| {
            let (a, slot, turns) = (a.clone(), holder_slot.clone(), turns.clone());
            std::thread::spawn(move || {
                let s = create_session(&a, r#"{"LockDelay":"0s"}"#);
                let deadline = Instant::now() + Duration::from_secs(120);
                let mut won = 0;
                while won < ROUNDS {
                    assert!(Instant::now() < deadline, "contender {me} starved");
                    if !acquire(&a, "contended", &s) {
                        // Wait for a change of the key (a blocking query).
                        let idx = index_of(&a, "/v1/kv/contended");
                        let _ = http(
                            "GET",
                            &a.url(&format!("/v1/kv/contended?index={idx}&wait=2s")),
                            None,
                        );
                        continue;
                    }
                    {
                        let mut g = slot.lock().unwrap();
                        assert_eq!(*g, None, "contender {me} acquired while {g:?} held it");
                        *g = Some(me);
                    }
                    turns.fetch_add(1, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(5));
                    *slot.lock().unwrap() = None;
                    assert!(release(&a, "contended", &s));
                    won += 1;
                }
                s
            })
        })
        .collect();
    for t in threads {
        t.join().expect("a contender failed");
    }
    assert_eq!(turns.load(Ordering::SeqCst), 8 * ROUNDS);
    let e = get_json(&a, "/v1/kv/contended");
    assert_eq!(e[0]["LockIndex"].as_u64(), Some((8 * ROUNDS) as u64));
}

#[test]
fn acquire_and_release_follow_consuls_rules() {
    let (_ip, a) = dev_agent();
    let s1 = create_session(&a, "");
    let s2 = create_session(&a, "");
    // acquire with flags sets Session, bumps LockIndex, writes value and flags.
    assert_eq!(
        put_ok(&a, &format!("/v1/kv/k?acquire={s1}&flags=42"), "v1"),
        "true"
    );
    let e = &get_json(&a, "/v1/kv/k")[0];
    assert_eq!(
        (
            e["Session"].as_str(),
            e["LockIndex"].as_u64(),
            e["Flags"].as_u64(),
            e["Value"].as_str()
        ),
        (Some(s1.as_str()), Some(1), Some(42), Some("djE="))
    );
    // Re-acquiring by the holder is fine and does not bump LockIndex.
    assert!(acquire(&a, "k", &s1));
    assert!(!acquire(&a, "k", &s2));
    assert!(!release(&a, "k", &s2), "only the holder releases");
    assert!(release(&a, "k", &s1));
    let e = &get_json(&a, "/v1/kv/k")[0];
    assert!(e.get("Session").is_none());
    assert_eq!(e["LockIndex"].as_u64(), Some(1));
    // An explicit release arms no lock-delay.
    assert!(acquire(&a, "k", &s2));
    assert_eq!(get_json(&a, "/v1/kv/k")[0]["LockIndex"].as_u64(), Some(2));
    // A plain PUT keeps the lock.
    put_ok(&a, "/v1/kv/k", "new");
    assert_eq!(holder(&a, "k").as_deref(), Some(s2.as_str()));
    // Releasing a missing key, or with an unknown session: false.
    assert!(!release(&a, "nokey", &s1));
    let unknown = "00000000-0000-0000-0000-000000000000";
    assert_eq!(
        call(&a, "PUT", &format!("/v1/kv/k2?acquire={unknown}"), None),
        (
            500,
            format!("raft apply failed: invalid session \"{unknown}\"")
        )
    );
    assert_eq!(
        call(&a, "PUT", "/v1/kv/k2?acquire=", None),
        (500, "raft apply failed: missing session".to_string())
    );
    assert_eq!(
        call(&a, "PUT", "/v1/kv/k?release=x&cas=5&flags=3", None),
        (
            400,
            "Conflicting flags: cas=5&flags=3&release=x".to_string()
        )
    );
}

#[test]
fn lock_delay_blocks_reacquiring_after_invalidation() {
    let (_ip, a) = dev_agent();
    let s1 = create_session(&a, r#"{"LockDelay":"3s"}"#);
    let s2 = create_session(&a, "");
    assert!(acquire(&a, "delayed", &s1));
    let destroyed = Instant::now();
    put_ok(&a, &format!("/v1/session/destroy/{s1}"), "");
    assert_eq!(holder(&a, "delayed").as_deref(), Some(""));
    // Free, yet refused within the delay.
    assert!(!acquire(&a, "delayed", &s2));
    assert!(
        wait_until(Duration::from_secs(15), || acquire(&a, "delayed", &s2)),
        "the lock-delay never ran out"
    );
    let waited = destroyed.elapsed();
    assert!(
        waited >= Duration::from_millis(2900),
        "lock-delay too short: {waited:?}"
    );
    let e: Value = get_json(&a, "/v1/kv/delayed");
    assert_eq!(e[0]["LockIndex"].as_u64(), Some(2));
}
