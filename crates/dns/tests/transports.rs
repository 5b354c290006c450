//! The server over real UDP and TCP sockets on 127.0.0.x, queried with
//! hickory-proto messages.

mod common;

use common::*;
use consul_dns::DnsConfig;
use hickory_proto::op::ResponseCode;
use hickory_proto::rr::{RData, RecordType};

#[tokio::test]
async fn every_form_over_udp_and_tcp() {
    let srv = start(DnsConfig::default(), "127.0.0.1").await;
    let cases: &[(&str, RecordType, &[&str])] = &[
        ("a1.node.consul.", RecordType::A, &["127.0.0.11"]),
        ("a2.node.dc1.consul.", RecordType::A, &["127.0.0.12"]),
        (
            "web.service.consul.",
            RecordType::A,
            &["127.0.0.11", "127.0.0.12"],
        ),
        ("v1.web.service.consul.", RecordType::A, &["127.0.0.11"]),
        ("7f00000b.addr.dc1.consul.", RecordType::A, &["127.0.0.11"]),
    ];
    for (name, qtype, want) in cases {
        let q = query(name, *qtype, None);
        let (m, _) = udp(srv.addr, &q).await;
        assert_eq!(ips(&m), *want, "udp {name}");
        assert!(m.metadata.authoritative);
        let m = tcp(srv.addr, &q).await;
        assert_eq!(ips(&m), *want, "tcp {name}");
    }
    for q in [
        query("web.service.consul.", RecordType::SRV, None),
        query("_web._tcp.service.consul.", RecordType::SRV, None),
    ] {
        let (m, _) = udp(srv.addr, &q).await;
        assert_eq!(m.answers.len(), 2);
        assert_eq!(
            m.additionals
                .iter()
                .filter(|r| r.record_type() == RecordType::A)
                .count(),
            2
        );
    }
    let (m, _) = udp(
        srv.addr,
        &query("11.0.0.127.in-addr.arpa.", RecordType::PTR, None),
    )
    .await;
    assert!(matches!(&m.answers[0].data, RData::PTR(p) if p.0.to_ascii() == "a1.node.dc1.consul."));
    let (m, _) = udp(srv.addr, &query("consul.", RecordType::NS, None)).await;
    assert!(matches!(&m.answers[0].data, RData::NS(n) if n.0.to_ascii() == "s1.node.dc1.consul."));
    let (m, _) = udp(srv.addr, &query("consul.", RecordType::SOA, None)).await;
    assert_eq!(m.answers[0].record_type(), RecordType::SOA);
    for name in [
        "nope.node.consul.",
        "web.service.dc9.consul.",
        "x.query.consul.",
    ] {
        let (m, _) = udp(srv.addr, &query(name, RecordType::A, None)).await;
        assert_eq!(m.metadata.response_code, ResponseCode::NXDomain, "{name}");
        assert_eq!(m.authorities[0].record_type(), RecordType::SOA);
    }
    let (m, _) = udp(srv.addr, &query("example.com.", RecordType::A, None)).await;
    assert_eq!(m.metadata.response_code, ResponseCode::Refused);
    srv.stop().await;
}

#[tokio::test]
async fn truncation_over_udp_not_tcp() {
    let cfg = DnsConfig {
        enable_truncate: true,
        ..DnsConfig::default()
    };
    let srv = start(cfg, "127.0.0.2").await;
    // No EDNS: at most udp_answer_limit (3) answers, TC set.
    let (m, len) = udp(srv.addr, &query("big.service.consul.", RecordType::A, None)).await;
    assert_eq!(m.answers.len(), 3);
    assert!(m.metadata.truncation);
    assert!(len <= 512);
    // EDNS: up to the advertised size, OPT echoed.
    let (m, len) = udp(
        srv.addr,
        &query("big.service.consul.", RecordType::SRV, Some(1024)),
    )
    .await;
    assert!(len <= 1024);
    assert!(m.answers.len() > 3 && m.answers.len() < 30);
    assert!(m.metadata.truncation);
    assert_eq!(m.edns.as_ref().unwrap().max_payload(), 1024);
    // TCP: everything.
    let m = tcp(
        srv.addr,
        &query("big.service.consul.", RecordType::SRV, None),
    )
    .await;
    assert_eq!(m.answers.len(), 30);
    assert!(!m.metadata.truncation);
    srv.stop().await;
}

#[tokio::test]
async fn no_tc_without_enable_truncate() {
    let srv = start(DnsConfig::default(), "127.0.0.3").await;
    let (m, _) = udp(srv.addr, &query("big.service.consul.", RecordType::A, None)).await;
    assert_eq!(m.answers.len(), 3);
    assert!(!m.metadata.truncation);
    srv.stop().await;
}

#[tokio::test]
async fn tcp_connection_carries_many_queries() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let srv = start(DnsConfig::default(), "127.0.0.4").await;
    let mut s = tokio::net::TcpStream::connect(srv.addr).await.unwrap();
    let qs: Vec<_> = (0..10)
        .map(|_| query("web.service.consul.", RecordType::A, None))
        .collect();
    for q in &qs {
        let b = q.to_vec().unwrap();
        s.write_all(&(b.len() as u16).to_be_bytes()).await.unwrap();
        s.write_all(&b).await.unwrap();
    }
    let mut ids = std::collections::HashSet::new();
    for _ in 0..10 {
        let len = s.read_u16().await.unwrap() as usize;
        let mut buf = vec![0u8; len];
        s.read_exact(&mut buf).await.unwrap();
        let m = hickory_proto::op::Message::from_vec(&buf).unwrap();
        assert_eq!(m.answers.len(), 2);
        ids.insert(m.metadata.id);
    }
    assert_eq!(
        ids.len(),
        qs.iter()
            .map(|q| q.metadata.id)
            .collect::<std::collections::HashSet<_>>()
            .len()
    );
    srv.stop().await;
}
