//! Run one serf member for manual interop checks (127.0.0.0/8 only):
//! `serf_node NAME BIND_ADDR [JOIN_ADDR...]`; env `GOSSIP_KEY` (base64),
//! `TAGS` (`k=v,k=v`), `EVENT_AFTER` (seconds, sends user event "ours"),
//! `LEAVE_AFTER` (seconds, leaves gracefully and exits).

use consul_gossip::driver;
use consul_gossip::memberlist::{Config, Event};
use consul_gossip::serf::{Serf, SerfConfig};
use std::net::SocketAddr;
use std::time::Duration;

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let name = args.next().expect("name");
    let bind: SocketAddr = args.next().expect("bind").parse().expect("addr");
    assert!(bind.ip().is_loopback(), "loopback only");
    let joins: Vec<SocketAddr> = args.map(|a| a.parse().expect("addr")).collect();
    let mut ml = Config::lan(name, bind);
    if let Ok(k) = std::env::var("GOSSIP_KEY") {
        use base64::Engine;
        let raw = base64::engine::general_purpose::STANDARD
            .decode(k)
            .expect("base64");
        let key = consul_gossip::codec::Key::new(&raw).expect("key");
        ml.wire.keyring = Some(consul_gossip::codec::Keyring::new(key, []));
    }
    let mut cfg = SerfConfig::new(ml);
    if let Ok(t) = std::env::var("TAGS") {
        for kv in t.split(',').filter(|s| !s.is_empty()) {
            let (k, v) = kv.split_once('=').expect("k=v");
            cfg.tags.insert(k.into(), v.into());
        }
    }
    let serf = Serf::new(cfg, rand::random()).expect("serf");
    let (h, mut events) = driver::spawn(bind, serf).await.expect("bind");
    tokio::spawn(async move {
        while let Some(e) = events.recv().await {
            if let Event::Serf(e) = e {
                println!("event: {e:?}");
            }
        }
    });
    if !joins.is_empty() {
        println!("join: {:?}", h.join(joins).await);
    }
    let event_after: Option<u64> = std::env::var("EVENT_AFTER")
        .ok()
        .and_then(|v| v.parse().ok());
    let leave_after: Option<u64> = std::env::var("LEAVE_AFTER")
        .ok()
        .and_then(|v| v.parse().ok());
    let start = std::time::Instant::now();
    let mut sent = false;
    loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let el = start.elapsed().as_secs();
        if !sent && event_after.is_some_and(|t| el >= t) {
            sent = true;
            let r = h
                .with::<Serf, _>(|s, now, fx| s.user_event("ours", b"hello", false, now, fx))
                .await;
            println!("user event sent: {r:?}");
        }
        if leave_after.is_some_and(|t| el >= t) {
            println!("leave: {:?}", h.leave(Duration::from_secs(5)).await);
            return;
        }
        let ms = h
            .with::<Serf, _>(|s, _, _| s.members().cloned().collect::<Vec<_>>())
            .await
            .expect("members");
        let mut ms = ms;
        ms.sort_by(|a, b| a.name.cmp(&b.name));
        for m in ms {
            println!(
                "member {} {} {} {:?}",
                m.name,
                m.addr,
                m.status.as_str(),
                m.tags
            );
        }
    }
}
