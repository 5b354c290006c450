//! Forwarding to recursors, against a tiny DNS responder started on
//! 127.0.0.x by the test.

mod common;

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use common::*;
use consul_dns::{DnsConfig, RecursorStrategy};
use hickory_proto::op::{Message, ResponseCode};
use hickory_proto::rr::rdata::A;
use hickory_proto::rr::{RData, Record, RecordType};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, UdpSocket};

/// Answer for the upstream: `example.com.` → 192.0.2.1; `big.example.` →
/// 40 A records (TC over UDP, complete over TCP); `fail.example.` →
/// SERVFAIL; anything else → NXDOMAIN.
fn upstream_answer(query: &[u8], tcp: bool) -> Option<Vec<u8>> {
    let req = Message::from_vec(query).ok()?;
    let q = req.queries.first()?.clone();
    let mut resp = Message::response(req.metadata.id, req.metadata.op_code);
    resp.metadata.recursion_desired = req.metadata.recursion_desired;
    resp.add_query(q.clone());
    match q.name().to_ascii().as_str() {
        "example.com." => {
            resp.add_answer(Record::from_rdata(
                q.name().clone(),
                60,
                RData::A(A(Ipv4Addr::new(192, 0, 2, 1))),
            ));
        }
        "big.example." if tcp => {
            for i in 0..40 {
                resp.add_answer(Record::from_rdata(
                    q.name().clone(),
                    60,
                    RData::A(A(Ipv4Addr::new(192, 0, 2, i))),
                ));
            }
        }
        "big.example." => resp.metadata.truncation = true,
        "fail.example." => resp.metadata.response_code = ResponseCode::ServFail,
        _ => resp.metadata.response_code = ResponseCode::NXDomain,
    }
    resp.to_vec().ok()
}

/// Start the responder on UDP and TCP of one port of `ip`.
async fn start_upstream(ip: &str) -> SocketAddr {
    let (udp, tcp): (UdpSocket, TcpListener) = bind_pair(ip.parse().unwrap()).await;
    let addr = udp.local_addr().unwrap();
    tokio::spawn(async move {
        let mut buf = vec![0u8; 4096];
        while let Ok((n, peer)) = udp.recv_from(&mut buf).await {
            if let Some(r) = upstream_answer(&buf[..n], false) {
                let _ = udp.send_to(&r, peer).await;
            }
        }
    });
    tokio::spawn(async move {
        while let Ok((mut s, _)) = tcp.accept().await {
            tokio::spawn(async move {
                let len = s.read_u16().await.ok()? as usize;
                let mut buf = vec![0u8; len];
                s.read_exact(&mut buf).await.ok()?;
                let r = upstream_answer(&buf, true)?;
                s.write_all(&(r.len() as u16).to_be_bytes()).await.ok()?;
                s.write_all(&r).await.ok()
            });
        }
    });
    addr
}

/// A UDP port that swallows queries without answering.
async fn start_black_hole(ip: &str) -> SocketAddr {
    let sock = UdpSocket::bind((ip, 0)).await.unwrap();
    let addr = sock.local_addr().unwrap();
    tokio::spawn(async move {
        let mut buf = vec![0u8; 4096];
        while sock.recv_from(&mut buf).await.is_ok() {}
    });
    addr
}

fn cfg(recursors: Vec<SocketAddr>, strategy: RecursorStrategy) -> DnsConfig {
    DnsConfig {
        recursors,
        recursor_strategy: strategy,
        recursor_timeout: Duration::from_millis(300),
        ..DnsConfig::default()
    }
}

#[tokio::test]
async fn forwards_with_ra_and_skips_dead_recursors() {
    let dead = start_black_hole("127.0.0.31").await;
    let up = start_upstream("127.0.0.32").await;
    let srv = start(
        cfg(vec![dead, up], RecursorStrategy::Sequential),
        "127.0.0.30",
    )
    .await;
    let q = query("example.com.", RecordType::A, None);
    let (m, _) = udp(srv.addr, &q).await;
    assert_eq!(m.metadata.response_code, ResponseCode::NoError);
    assert!(m.metadata.recursion_available);
    assert_eq!(ips(&m), ["192.0.2.1"]);
    let m = tcp(srv.addr, &q).await;
    assert_eq!(ips(&m), ["192.0.2.1"]);
    // NXDOMAIN from upstream is an answer, passed on.
    let (m, _) = udp(srv.addr, &query("nothing.example.", RecordType::A, None)).await;
    assert_eq!(m.metadata.response_code, ResponseCode::NXDomain);
    // Our own zone still answers, with RA set now that recursors exist.
    let (m, _) = udp(srv.addr, &query("a1.node.consul.", RecordType::A, None)).await;
    assert!(m.metadata.recursion_available && m.metadata.authoritative);
    // Unknown reverse names go upstream too.
    let (m, _) = udp(
        srv.addr,
        &query("9.9.9.9.in-addr.arpa.", RecordType::PTR, None),
    )
    .await;
    assert_eq!(m.metadata.response_code, ResponseCode::NXDomain);
    assert!(m.metadata.recursion_available);
    srv.stop().await;
}

#[tokio::test]
async fn truncated_upstream_reply_is_retried_over_tcp_for_tcp_clients() {
    let up = start_upstream("127.0.0.33").await;
    let srv = start(cfg(vec![up], RecursorStrategy::Random), "127.0.0.34").await;
    let q = query("big.example.", RecordType::A, None);
    let (m, _) = udp(srv.addr, &q).await;
    assert!(m.metadata.truncation);
    let m = tcp(srv.addr, &q).await;
    assert_eq!(m.answers.len(), 40);
    srv.stop().await;
}

#[tokio::test]
async fn all_recursors_failing_is_servfail() {
    let dead = start_black_hole("127.0.0.35").await;
    let up = start_upstream("127.0.0.36").await;
    let srv = start(
        cfg(vec![dead, up], RecursorStrategy::Sequential),
        "127.0.0.37",
    )
    .await;
    let (m, _) = udp(srv.addr, &query("fail.example.", RecordType::A, None)).await;
    assert_eq!(m.metadata.response_code, ResponseCode::ServFail);
    assert!(m.metadata.recursion_available);
    srv.stop().await;
}
