//! Run one gossip member for manual interop checks:
//! `node NAME BIND_ADDR [JOIN_ADDR...]` (127.0.0.0/8 only).

use consul_gossip::driver;
use consul_gossip::memberlist::{Config, Memberlist};
use std::net::SocketAddr;
use std::time::Duration;

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let name = args.next().expect("name");
    let bind: SocketAddr = args.next().expect("bind").parse().expect("addr");
    assert!(bind.ip().is_loopback(), "loopback only");
    let joins: Vec<SocketAddr> = args.map(|a| a.parse().expect("addr")).collect();
    let mut cfg = Config::lan(name, bind);
    if let Ok(k) = std::env::var("GOSSIP_KEY") {
        use base64::Engine;
        let raw = base64::engine::general_purpose::STANDARD
            .decode(k)
            .expect("base64");
        let key = consul_gossip::codec::Key::new(&raw).expect("key");
        cfg.wire.keyring = Some(consul_gossip::codec::Keyring::new(key, []));
    }
    let (h, mut events) = driver::spawn(bind, Memberlist::new(cfg, rand::random()))
        .await
        .expect("bind");
    tokio::spawn(async move {
        while let Some(e) = events.recv().await {
            println!("event: {e:?}");
        }
    });
    if !joins.is_empty() {
        println!("join: {:?}", h.join(joins).await);
    }
    loop {
        tokio::time::sleep(Duration::from_secs(2)).await;
        let mut ms = h.members().await.expect("members");
        ms.sort_by(|a, b| a.name.cmp(&b.name));
        for m in ms {
            println!(
                "member {} {} {:?} inc={}",
                m.name, m.addr, m.state, m.incarnation
            );
        }
    }
}
