//! The answer cache through [`Handler`]: answers follow catalog changes,
//! and a replayed answer is the full path's answer with the query's ID.

use std::collections::HashSet;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use consul_types::catalog::{CheckServiceNode, HealthCheck, Node, NodeService, ServiceNode};
use hickory_proto::op::{Message, Query, ResponseCode};
use hickory_proto::rr::{Name, RData, RecordType};

use crate::backend::{BackendError, BoxFuture, DnsBackend, ReadOptions};
use crate::config::DnsConfig;
use crate::handler::{Handler, Transport};
use crate::memory::MemoryBackend;

fn instance(node: &str, addr: &str, svc: &str, status: &str) -> CheckServiceNode {
    CheckServiceNode {
        node: Node {
            node: node.into(),
            address: addr.into(),
            datacenter: "dc1".into(),
            ..Default::default()
        },
        service: NodeService {
            id: svc.into(),
            service: svc.into(),
            port: 80,
            ..Default::default()
        },
        checks: vec![HealthCheck {
            node: node.into(),
            check_id: format!("{svc}-check"),
            service_id: svc.into(),
            status: status.into(),
            ..Default::default()
        }],
    }
}

fn catalog() -> Arc<MemoryBackend> {
    let b = Arc::new(MemoryBackend::new(&["dc1"]));
    b.add_instance(instance("n1", "10.0.0.1", "web", "passing"));
    b.add_instance(instance("n2", "10.0.0.2", "web", "passing"));
    b.add_instance(instance("n3", "10.0.0.3", "solo", "passing"));
    b
}

fn config() -> DnsConfig {
    let mut cfg = DnsConfig {
        node_ttl: Duration::from_secs(7),
        ..DnsConfig::default()
    };
    cfg.service_ttl.insert("*".into(), Duration::from_secs(9));
    cfg
}

fn packet(id: u16, name: &str, qtype: RecordType) -> Vec<u8> {
    let mut m = Message::query();
    m.metadata.id = id;
    m.metadata.recursion_desired = true;
    m.add_query(Query::query(Name::from_ascii(name).unwrap(), qtype));
    m.to_vec().unwrap()
}

async fn ask(h: &Handler, id: u16, name: &str, qtype: RecordType) -> (Vec<u8>, Message) {
    let bytes = h
        .handle(&packet(id, name, qtype), Transport::Udp)
        .await
        .unwrap();
    let m = Message::from_vec(&bytes).unwrap();
    (bytes, m)
}

fn ips(m: &Message) -> Vec<String> {
    let mut v: Vec<String> = m
        .answers
        .iter()
        .filter_map(|r| match &r.data {
            RData::A(a) => Some(a.0.to_string()),
            _ => None,
        })
        .collect();
    v.sort();
    v
}

/// The same catalog without a cache version: every query takes the full path.
struct Uncached(Arc<MemoryBackend>);

impl DnsBackend for Uncached {
    fn node<'a>(
        &'a self,
        dc: &'a str,
        name: &'a str,
        opts: ReadOptions,
    ) -> BoxFuture<'a, Result<Option<Node>, BackendError>> {
        self.0.node(dc, name, opts)
    }
    fn service_nodes<'a>(
        &'a self,
        dc: &'a str,
        service: &'a str,
        tag: Option<&'a str>,
        opts: ReadOptions,
    ) -> BoxFuture<'a, Result<Vec<CheckServiceNode>, BackendError>> {
        self.0.service_nodes(dc, service, tag, opts)
    }
    fn nodes_by_address<'a>(
        &'a self,
        dc: &'a str,
        addr: IpAddr,
        opts: ReadOptions,
    ) -> BoxFuture<'a, Result<Vec<Node>, BackendError>> {
        self.0.nodes_by_address(dc, addr, opts)
    }
    fn services_by_address<'a>(
        &'a self,
        dc: &'a str,
        addr: IpAddr,
        opts: ReadOptions,
    ) -> BoxFuture<'a, Result<Vec<ServiceNode>, BackendError>> {
        self.0.services_by_address(dc, addr, opts)
    }
    fn servers<'a>(
        &'a self,
        dc: &'a str,
        opts: ReadOptions,
    ) -> BoxFuture<'a, Result<Vec<Node>, BackendError>> {
        self.0.servers(dc, opts)
    }
    fn datacenters(&self) -> BoxFuture<'_, Result<Vec<String>, BackendError>> {
        self.0.datacenters()
    }
}

#[tokio::test]
async fn a_new_instance_is_served_by_the_next_query() {
    let b = catalog();
    let h = Handler::new(config(), b.clone());
    for id in 1..5 {
        let (_, m) = ask(&h, id, "web.service.consul.", RecordType::A).await;
        assert_eq!(ips(&m), ["10.0.0.1", "10.0.0.2"]);
    }
    assert!(h.cached_entries() > 0);
    b.add_instance(instance("n4", "10.0.0.4", "web", "passing"));
    let (_, m) = ask(&h, 9, "web.service.consul.", RecordType::A).await;
    assert_eq!(ips(&m), ["10.0.0.1", "10.0.0.2", "10.0.0.4"]);
    // SRV too, and a name that did not exist before.
    let (_, m) = ask(&h, 10, "web.service.consul.", RecordType::SRV).await;
    assert_eq!(m.answers.len(), 3);
    let (_, m) = ask(&h, 11, "db.service.consul.", RecordType::A).await;
    assert_eq!(m.metadata.response_code, ResponseCode::NXDomain);
    b.add_instance(instance("n5", "10.0.0.5", "db", "passing"));
    let (_, m) = ask(&h, 12, "db.service.consul.", RecordType::A).await;
    assert_eq!(m.metadata.response_code, ResponseCode::NoError);
    assert_eq!(ips(&m), ["10.0.0.5"]);
}

#[tokio::test]
async fn a_health_change_is_served_by_the_next_query() {
    let b = catalog();
    let h = Handler::new(config(), b.clone());
    for id in 1..5 {
        let (_, m) = ask(&h, id, "web.service.consul.", RecordType::A).await;
        assert_eq!(ips(&m), ["10.0.0.1", "10.0.0.2"]);
    }
    b.update(|c| {
        for i in c.instances.iter_mut().filter(|i| i.node.node == "n2") {
            i.checks[0].status = "critical".into();
        }
    });
    for id in 5..10 {
        let (_, m) = ask(&h, id, "web.service.consul.", RecordType::A).await;
        assert_eq!(ips(&m), ["10.0.0.1"]);
    }
    b.update(|c| {
        for i in c.instances.iter_mut() {
            i.checks[0].status = "critical".into();
        }
    });
    let (_, m) = ask(&h, 10, "web.service.consul.", RecordType::A).await;
    assert_eq!(m.metadata.response_code, ResponseCode::NXDomain);
}

#[tokio::test]
async fn replayed_answers_are_the_full_answer_with_the_query_id() {
    let b = catalog();
    let cached = Handler::new(config(), b.clone());
    let full = Handler::new(config(), Arc::new(Uncached(b.clone())));
    for (name, qtype) in [
        ("solo.service.consul.", RecordType::A),
        ("solo.service.consul.", RecordType::SRV),
        ("n1.node.consul.", RecordType::A),
        ("n1.node.dc1.consul.", RecordType::TXT),
        ("SoLo.Service.Consul.", RecordType::A),
        ("0a000001.addr.dc1.consul.", RecordType::A),
        ("n1.node.consul.", RecordType::AAAA),   // no data: SOA
        ("nope.service.consul.", RecordType::A), // NXDOMAIN: SOA
    ] {
        let mut seen = Vec::new();
        for id in [100u16, 0xABCD, 7, 65535] {
            let (bytes, m) = ask(&cached, id, name, qtype).await;
            assert_eq!(m.metadata.id, id, "{name} {qtype}");
            assert_eq!(&bytes[..2], &id.to_be_bytes());
            // The question is echoed as asked.
            assert_eq!(m.queries[0].name().to_ascii(), name);
            let (reference, _) = ask(&full, id, name, qtype).await;
            // Byte-for-byte the uncached response (SOA serials may differ
            // across a second boundary).
            if reference != bytes {
                let r = Message::from_vec(&reference).unwrap();
                assert_eq!(r.metadata, m.metadata, "{name} {qtype}");
                assert_eq!(r.answers, m.answers, "{name} {qtype}");
                assert_eq!(r.additionals, m.additionals, "{name} {qtype}");
                assert_eq!(r.authorities.len(), m.authorities.len());
            }
            seen.push(m);
        }
        // TTLs and flags do not change between the first and later answers.
        for m in &seen[1..] {
            let first = &seen[0];
            let ttls = |m: &Message| m.answers.iter().map(|r| r.ttl).collect::<Vec<_>>();
            assert_eq!(ttls(m), ttls(first));
            assert_eq!(m.metadata.authoritative, first.metadata.authoritative);
            assert_eq!(
                m.metadata.recursion_desired,
                first.metadata.recursion_desired
            );
            assert_eq!(m.metadata.response_code, first.metadata.response_code);
            assert_eq!(m.answers, first.answers);
        }
    }
    assert!(cached.cached_entries() >= 8);
    assert_eq!(full.cached_entries(), 0);
    let (_, m) = ask(&cached, 1, "solo.service.consul.", RecordType::A).await;
    assert_eq!(m.answers[0].ttl, 9);
    let (_, m) = ask(&cached, 1, "n1.node.consul.", RecordType::A).await;
    assert_eq!(m.answers[0].ttl, 7);
}

#[tokio::test]
async fn cached_service_answers_still_come_in_every_order() {
    let h = Handler::new(config(), catalog());
    let mut firsts = HashSet::new();
    let mut bytes = None;
    let mut out = Vec::new();
    for id in 0..200u16 {
        let (_, m) = ask(&h, id, "web.service.consul.", RecordType::A).await;
        firsts.insert(format!("{:?}", m.answers[0].data));
        // The fast path answers the same bytes once both orders are cached.
        let p = packet(id, "web.service.consul.", RecordType::A);
        if h.answer_cached(&p, Transport::Udp, &mut out) {
            assert_eq!(&out[..2], &id.to_be_bytes());
            bytes = Some(out.clone());
        }
    }
    assert_eq!(firsts.len(), 2, "{firsts:?}");
    assert!(bytes.is_some());
}

#[tokio::test]
async fn transports_and_edns_sizes_are_cached_apart() {
    let b = catalog();
    for i in 0..12 {
        b.add_instance(instance(
            &format!("m{i}"),
            &format!("10.1.0.{i}"),
            "many",
            "passing",
        ));
    }
    let h = Handler::new(config(), b);
    for _ in 0..40 {
        let p = packet(1, "many.service.consul.", RecordType::A);
        let udp = Message::from_vec(&h.handle(&p, Transport::Udp).await.unwrap()).unwrap();
        assert_eq!(udp.answers.len(), 3, "UDP answer limit without EDNS");
        let tcp = Message::from_vec(&h.handle(&p, Transport::Tcp).await.unwrap()).unwrap();
        assert_eq!(tcp.answers.len(), 12);
    }
}
