//! User events end to end on real processes: fired on a client agent, delivered by LAN
//! gossip to three servers, the client itself and a HashiCorp `serf agent` in the pool;
//! the filters each receiver applies; one copy per event; the 256-event ring; `?index=`
//! long-polls woken by the next event; Consul's refusals; and `consul event`.
//!
//! Every process binds a leased 127.0.x.y address; every wait is bounded.

mod cluster;
#[path = "../common/mod.rs"]
mod common;
mod reference;

use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::*;
use consul_testkit::run_cli;
use serde_json::Value;

/// Consul's `uuidToUint64`, recomputed here so the test checks the agent's index.
fn uuid_to_u64(id: &str) -> u64 {
    let hex: String = id.chars().filter(|c| *c != '-').collect();
    u64::from_str_radix(&hex[..16], 16).unwrap() ^ u64::from_str_radix(&hex[16..], 16).unwrap()
}

/// The events an agent lists (empty on any error).
fn events(agent: &Agent, query: &str) -> Vec<Value> {
    match http("GET", &agent.url(&format!("/v1/event/list{query}")), None) {
        Ok((200, _, b)) => serde_json::from_slice::<Value>(&b)
            .ok()
            .and_then(|v| v.as_array().cloned())
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

fn fire(agent: &Agent, path: &str, body: &[u8]) -> Value {
    let (status, _, b) = http("PUT", &agent.url(path), Some(body)).expect("fire");
    assert_eq!(status, 200, "PUT {path}: {}", String::from_utf8_lossy(&b));
    serde_json::from_slice(&b).expect("event json")
}

#[test]
fn fire_answers_the_event_and_list_returns_it() {
    let (_ip, a) = dev_agent();
    let ev = fire(
        &a,
        "/v1/event/fire/deploy?node=n-&service=web&tag=v2",
        b"hello",
    );
    let id = ev["ID"].as_str().unwrap().to_string();
    assert_eq!(id.len(), 36, "{ev}");
    let keys: Vec<&str> = ev.as_object().unwrap().keys().map(String::as_str).collect();
    let mut want = vec![
        "ID",
        "Name",
        "Payload",
        "NodeFilter",
        "ServiceFilter",
        "TagFilter",
        "Version",
        "LTime",
    ];
    want.sort();
    assert_eq!(keys, want);
    assert_eq!(ev["Name"], "deploy");
    assert_eq!(ev["Payload"], "aGVsbG8=");
    assert_eq!(
        (&ev["NodeFilter"], &ev["ServiceFilter"], &ev["TagFilter"]),
        (&Value::from("n-"), &Value::from("web"), &Value::from("v2"))
    );
    assert_eq!(
        (&ev["Version"], &ev["LTime"]),
        (&Value::from(1), &Value::from(0))
    );

    // No payload is `null`; the agent (no service `web`) drops the filtered one.
    let plain = fire(&a, "/v1/event/fire/plain", b"");
    assert_eq!(plain["Payload"], Value::Null);
    assert!(wait_until(Duration::from_secs(10), || events(&a, "")
        .iter()
        .any(|e| e["ID"] == plain["ID"])));
    let listed = events(&a, "");
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert!(listed[0]["LTime"].as_u64().unwrap() > 0);
    let (_, headers, _) = http("GET", &a.url("/v1/event/list"), None).unwrap();
    assert_eq!(
        header(&headers, "X-Consul-Index").unwrap(),
        uuid_to_u64(plain["ID"].as_str().unwrap()).to_string()
    );
    assert!(events(&a, "?name=deploy").is_empty());
    assert_eq!(events(&a, "?name=plain").len(), 1);
}

#[test]
fn refusals_use_consuls_words() {
    let (_ip, a) = dev_agent();
    let (s, t) = call(&a, "PUT", "/v1/event/fire/", None);
    assert_eq!((s, t.as_str()), (400, "Missing name"));
    let (s, t) = call(&a, "PUT", "/v1/event/fire/x?tag=a", None);
    assert_eq!(
        (s, t.as_str()),
        (500, "Cannot provide tag filter without service filter")
    );
    let (s, t) = call(&a, "PUT", "/v1/event/fire/x?node=(", None);
    assert_eq!(s, 500);
    assert!(
        t.starts_with("Invalid node filter: error parsing regexp"),
        "{t}"
    );
    // Name + encoded event over serf's 512 bytes.
    let (s, t) = call(&a, "PUT", "/v1/event/fire/big", Some(&[b'a'; 600]));
    assert_eq!(s, 500);
    assert_eq!(
        t,
        "1 error occurred:\n\t* error broadcasting event to segment \"\": user event exceeds configured limit of 512 bytes before encoding\n\n"
    );
    let (s, _) = call(&a, "GET", "/v1/event/fire/x", None);
    assert_eq!(s, 405);
    let (s, t) = call(&a, "PUT", "/v1/event/fire/x?dc=elsewhere", None);
    assert_eq!((s, t.as_str()), (500, "No path to datacenter"));
    // Nothing refused was delivered.
    assert!(events(&a, "").is_empty());
}

#[test]
fn list_index_blocks_until_the_next_event() {
    let (_ip, a) = dev_agent();
    // No events: index 1, never 0 (a watch would spin on 0).
    let (_, h, _) = http("GET", &a.url("/v1/event/list"), None).unwrap();
    assert_eq!(header(&h, "X-Consul-Index"), Some("1"));

    // The index unchanged: a `wait` runs out and answers the same list.
    let t0 = Instant::now();
    let (s, h, _) = http("GET", &a.url("/v1/event/list?index=1&wait=1s"), None).unwrap();
    assert_eq!((s, header(&h, "X-Consul-Index")), (200, Some("1")));
    assert!(
        t0.elapsed() >= Duration::from_millis(900),
        "{:?}",
        t0.elapsed()
    );

    // A long-poll wakes on the next event.
    let url = a.url("/v1/event/list?index=1&wait=30s");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(http("GET", &url, None).map(|(_, h, b)| (h, b)));
    });
    assert!(
        rx.recv_timeout(Duration::from_millis(300)).is_err(),
        "answered before any event"
    );
    let fired = Instant::now();
    let ev = fire(&a, "/v1/event/fire/wake", b"");
    let (h, b) = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("long-poll woke")
        .expect("request ok");
    eprintln!("long-poll woke {:?} after the fire", fired.elapsed());
    let list: Value = serde_json::from_slice(&b).unwrap();
    assert_eq!(list[0]["ID"], ev["ID"]);
    let idx = uuid_to_u64(ev["ID"].as_str().unwrap());
    assert_eq!(header(&h, "X-Consul-Index"), Some(idx.to_string().as_str()));
}

#[test]
fn the_ring_keeps_the_last_256_events_oldest_first() {
    let (_ip, a) = dev_agent();
    for i in 0..260 {
        fire(&a, &format!("/v1/event/fire/e{i}"), b"");
    }
    assert!(
        wait_until(Duration::from_secs(20), || events(&a, "?name=e259").len()
            == 1),
        "last event not received"
    );
    let all = events(&a, "");
    assert_eq!(all.len(), 256);
    let names: Vec<String> = all
        .iter()
        .map(|e| e["Name"].as_str().unwrap().to_string())
        .collect();
    let want: Vec<String> = (4..260).map(|i| format!("e{i}")).collect();
    assert_eq!(names, want);
    assert!(events(&a, "?name=e3").is_empty(), "oldest were dropped");
}

#[test]
fn consul_event_prints_the_event_id() {
    let (_ip, a) = dev_agent();
    let out = run_cli(
        bin(),
        &["event", "-http-addr", &a.http_addr, "-name", "deploy", "v2"],
        &[],
        None,
    );
    assert_eq!(out.code, 0, "{}", out.err());
    let line = out.out();
    let id = line
        .strip_prefix("Event ID: ")
        .and_then(|s| s.strip_suffix('\n'))
        .unwrap_or_else(|| panic!("{line:?}"));
    assert_eq!(id.len(), 36);
    assert!(wait_until(Duration::from_secs(10), || events(
        &a,
        "?name=deploy"
    )
    .iter()
    .any(|e| e["ID"] == id && e["Payload"] == "djI=")));

    let err = |args: &[&str]| {
        let mut v = vec!["event", "-http-addr", &a.http_addr];
        v.extend_from_slice(args);
        let o = run_cli(bin(), &v, &[], None);
        (o.code, o.err())
    };
    let (code, e) = err(&[]);
    assert_eq!(code, 1);
    assert!(
        e.starts_with("Event name must be specified\n\nUsage: consul event [options] [payload]"),
        "{e}"
    );
    let (code, e) = err(&["-name", "x", "a", "b"]);
    assert_eq!(code, 1);
    assert!(
        e.starts_with("Too many command line arguments.\n\nUsage:"),
        "{e}"
    );
    assert_eq!(
        err(&["-name", "x", "-tag", "a"]),
        (
            1,
            "Cannot provide tag filter without service filter.\n".to_string()
        )
    );
    let (code, e) = err(&["-name", "x", "-node", "("]);
    assert_eq!(code, 1);
    assert!(
        e.starts_with("Failed to compile node filter regexp: error parsing regexp: "),
        "{e}"
    );
    let o = run_cli(
        bin(),
        &["event", "-http-addr", "127.0.0.1:1", "-name", "x"],
        &[],
        None,
    );
    assert_eq!(o.code, 1);
    assert!(
        o.err().starts_with("Error querying Consul agent: "),
        "{}",
        o.err()
    );
}
