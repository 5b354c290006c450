//! Shared fixture: a catalog, a server on 127.0.0.x, and a small client
//! built on hickory-proto messages.
#![allow(dead_code, missing_docs)]

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use consul_dns::{serve, DnsConfig, MemoryBackend};
use consul_types::catalog::{CheckServiceNode, HealthCheck, Node, NodeService, Weights};
use hickory_proto::op::{Edns, Message, Query};
use hickory_proto::rr::{Name, RData, RecordType};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::sync::oneshot;

pub fn node(name: &str, addr: &str, dc: &str) -> Node {
    Node {
        node: name.into(),
        address: addr.into(),
        datacenter: dc.into(),
        ..Default::default()
    }
}

pub fn instance(
    n: &Node,
    svc: &str,
    addr: &str,
    port: u16,
    tags: &[&str],
    status: &str,
) -> CheckServiceNode {
    CheckServiceNode {
        node: n.clone(),
        service: NodeService {
            id: format!("{svc}-{}", n.node),
            service: svc.into(),
            address: addr.into(),
            port,
            tags: tags.iter().map(|s| s.to_string()).collect(),
            weights: Weights {
                passing: 10,
                warning: 1,
            },
            ..Default::default()
        },
        checks: vec![HealthCheck {
            node: n.node.clone(),
            check_id: "serfHealth".into(),
            status: status.into(),
            ..Default::default()
        }],
    }
}

/// dc1: web on a1 (passing, tag v1), a2 (passing, tag v2), a3 (critical);
/// big: 30 instances; server s1; dc2 exists.
pub fn catalog() -> Arc<MemoryBackend> {
    let b = MemoryBackend::new(&["dc1", "dc2"]);
    let mut a1 = node("a1", "127.0.0.11", "dc1");
    a1.meta = BTreeMap::from([("env".to_string(), "test".to_string())]);
    let a2 = node("a2", "127.0.0.12", "dc1");
    let a3 = node("a3", "127.0.0.13", "dc1");
    b.add_instance(instance(&a1, "web", "", 8080, &["v1"], "passing"));
    b.add_instance(instance(&a2, "web", "", 8081, &["v2"], "passing"));
    b.add_instance(instance(&a3, "web", "", 8082, &["v1"], "critical"));
    b.add_node(node("s1", "127.0.0.20", "dc1"));
    b.update(|c| c.servers.push("s1".into()));
    for i in 0..30 {
        let n = node(&format!("big{i}"), &format!("10.9.0.{i}"), "dc1");
        b.add_instance(instance(&n, "big", "", 2000 + i, &[], "passing"));
    }
    Arc::new(b)
}

pub struct Server {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Server {
    pub async fn stop(mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.task.take() {
            let _ = t.await;
        }
    }
}

/// Bind UDP and TCP on the same random port of `ip`.
pub async fn bind_pair(ip: IpAddr) -> (UdpSocket, TcpListener) {
    for _ in 0..50 {
        let udp = UdpSocket::bind(SocketAddr::new(ip, 0)).await.unwrap();
        let port = udp.local_addr().unwrap().port();
        if let Ok(tcp) = TcpListener::bind(SocketAddr::new(ip, port)).await {
            return (udp, tcp);
        }
    }
    panic!("no free port pair on {ip}");
}

pub async fn start(cfg: DnsConfig, ip: &str) -> Server {
    start_with(cfg, ip, catalog()).await
}

pub async fn start_with(cfg: DnsConfig, ip: &str, backend: Arc<MemoryBackend>) -> Server {
    let (udp, tcp) = bind_pair(ip.parse().unwrap()).await;
    let addr = udp.local_addr().unwrap();
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        serve(cfg, backend, Some(udp), Some(tcp), async {
            let _ = rx.await;
        })
        .await
        .unwrap();
    });
    Server {
        addr,
        stop: Some(tx),
        task: Some(task),
    }
}

pub fn query(name: &str, qtype: RecordType, edns: Option<u16>) -> Message {
    let mut m = Message::query();
    m.metadata.recursion_desired = true;
    m.add_query(Query::query(Name::from_ascii(name).unwrap(), qtype));
    if let Some(size) = edns {
        let mut e = Edns::new();
        e.set_max_payload(size);
        m.set_edns(e);
    }
    m
}

pub async fn udp_raw(server: SocketAddr, bytes: &[u8]) -> Option<Vec<u8>> {
    let sock = UdpSocket::bind(SocketAddr::new(server.ip(), 0))
        .await
        .unwrap();
    sock.send_to(bytes, server).await.unwrap();
    let mut buf = vec![0u8; 65535];
    match tokio::time::timeout(Duration::from_secs(3), sock.recv_from(&mut buf)).await {
        Ok(Ok((n, _))) => Some(buf[..n].to_vec()),
        _ => None,
    }
}

pub async fn udp(server: SocketAddr, q: &Message) -> (Message, usize) {
    let bytes = udp_raw(server, &q.to_vec().unwrap())
        .await
        .expect("udp answer");
    let m = Message::from_vec(&bytes).unwrap();
    assert_eq!(m.metadata.id, q.metadata.id);
    (m, bytes.len())
}

pub async fn tcp(server: SocketAddr, q: &Message) -> Message {
    let mut s = TcpStream::connect(server).await.unwrap();
    let b = q.to_vec().unwrap();
    s.write_all(&(b.len() as u16).to_be_bytes()).await.unwrap();
    s.write_all(&b).await.unwrap();
    let len = s.read_u16().await.unwrap() as usize;
    let mut buf = vec![0u8; len];
    s.read_exact(&mut buf).await.unwrap();
    let m = Message::from_vec(&buf).unwrap();
    assert_eq!(m.metadata.id, q.metadata.id);
    m
}

pub fn ips(m: &Message) -> Vec<String> {
    let mut v: Vec<String> = m
        .answers
        .iter()
        .filter_map(|r| match &r.data {
            RData::A(a) => Some(a.0.to_string()),
            RData::AAAA(a) => Some(a.0.to_string()),
            _ => None,
        })
        .collect();
    v.sort();
    v
}
