//! Random and mutated packets never panic the handler or stop the server.

mod common;

use std::sync::Arc;

use common::*;
use consul_dns::{DnsConfig, Handler, Transport};
use hickory_proto::rr::RecordType;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

fn seeds() -> Vec<Vec<u8>> {
    let mut v = Vec::new();
    for (name, t, edns) in [
        ("web.service.consul.", RecordType::SRV, Some(1232)),
        ("a1.node.consul.", RecordType::A, None),
        ("_web._tcp.consul.", RecordType::SRV, None),
        ("11.0.0.127.in-addr.arpa.", RecordType::PTR, None),
        ("7f00000b.addr.dc1.consul.", RecordType::ANY, Some(512)),
        ("consul.", RecordType::SOA, None),
    ] {
        v.push(query(name, t, edns).to_vec().unwrap());
    }
    v
}

fn mutate(rng: &mut StdRng, seed: &[u8]) -> Vec<u8> {
    let mut p = seed.to_vec();
    for _ in 0..rng.gen_range(1..8) {
        match rng.gen_range(0..5) {
            0 if !p.is_empty() => {
                let i = rng.gen_range(0..p.len());
                p[i] = rng.gen();
            }
            1 if !p.is_empty() => {
                let i = rng.gen_range(0..p.len());
                p.truncate(i);
            }
            2 => {
                let i = rng.gen_range(0..=p.len());
                p.insert(i, rng.gen());
            }
            3 if p.len() > 4 => {
                // Header counts are the interesting bytes.
                let i = rng.gen_range(4..12.min(p.len()));
                p[i] = rng.gen();
            }
            _ => {
                let i = rng.gen_range(0..=p.len());
                let extra: Vec<u8> = (0..rng.gen_range(0..40)).map(|_| rng.gen()).collect();
                p.splice(i..i, extra);
            }
        }
    }
    p
}

#[tokio::test]
async fn handler_survives_random_and_mutated_packets() {
    let h = Handler::new(DnsConfig::default(), catalog());
    let mut rng = StdRng::seed_from_u64(0xC0FFEE);
    let seeds = seeds();
    for i in 0..20_000 {
        let packet = if i % 4 == 0 {
            let len = rng.gen_range(0..600);
            (0..len).map(|_| rng.gen()).collect()
        } else {
            mutate(&mut rng, &seeds[i % seeds.len()])
        };
        let t = if i % 2 == 0 {
            Transport::Udp
        } else {
            Transport::Tcp
        };
        if let Some(resp) = h.handle(&packet, t).await {
            assert!(resp.len() >= 12);
            if t == Transport::Udp {
                assert!(resp.len() <= 65535 - 68);
            }
        }
    }
}

#[tokio::test]
async fn server_keeps_answering_after_garbage() {
    let srv = start(DnsConfig::default(), "127.0.0.50").await;
    let mut rng = StdRng::seed_from_u64(7);
    let seeds = Arc::new(seeds());
    for i in 0..300 {
        let p = mutate(&mut rng, &seeds[i % seeds.len()]);
        let sock = tokio::net::UdpSocket::bind("127.0.0.50:0").await.unwrap();
        sock.send_to(&p, srv.addr).await.unwrap();
    }
    // Garbage over TCP too, including a length prefix longer than the data.
    {
        use tokio::io::AsyncWriteExt;
        let mut s = tokio::net::TcpStream::connect(srv.addr).await.unwrap();
        s.write_all(&[0x00, 0x20, 1, 2, 3]).await.unwrap();
    }
    let (m, _) = udp(srv.addr, &query("a1.node.consul.", RecordType::A, None)).await;
    assert_eq!(ips(&m), ["127.0.0.11"]);
    let m = tcp(srv.addr, &query("a1.node.consul.", RecordType::A, None)).await;
    assert_eq!(ips(&m), ["127.0.0.11"]);
    srv.stop().await;
}
