//! Every answer form, through [`Handler`], against a [`MemoryBackend`].

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use consul_types::catalog::{CheckServiceNode, HealthCheck, Node, NodeService, Weights};
use hickory_proto::op::{Edns, Message, OpCode, Query, ResponseCode};
use hickory_proto::rr::{Name, RData, RecordType};

use crate::config::DnsConfig;
use crate::handler::{Handler, Transport};
use crate::memory::MemoryBackend;

fn node(name: &str, addr: &str, dc: &str) -> Node {
    Node {
        node: name.into(),
        address: addr.into(),
        datacenter: dc.into(),
        ..Default::default()
    }
}

fn instance(
    n: &Node,
    svc: &str,
    addr: &str,
    port: u16,
    tags: &[&str],
    checks: &[&str],
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
                warning: 2,
            },
            ..Default::default()
        },
        checks: checks
            .iter()
            .enumerate()
            .map(|(i, s)| HealthCheck {
                node: n.node.clone(),
                check_id: format!("check{i}"),
                status: s.to_string(),
                ..Default::default()
            })
            .collect(),
    }
}

fn backend() -> Arc<MemoryBackend> {
    let b = MemoryBackend::new(&["dc1", "dc2"]);
    let mut n1 = node("n1", "10.0.0.1", "dc1");
    n1.meta = BTreeMap::from([("rack".to_string(), "a".to_string())]);
    let n2 = node("n2", "10.0.0.2", "dc1");
    let n3 = node("n3", "10.0.0.3", "dc1");
    b.add_node(node("n6", "2001:db8::6", "dc1"));
    b.add_node(node("s1", "10.0.1.1", "dc1"));
    b.update(|c| c.servers.push("s1".into()));
    b.add_instance(instance(
        &n1,
        "web",
        "",
        80,
        &["v1", "primary"],
        &["passing"],
    ));
    b.add_instance(instance(&n2, "web", "", 8080, &["v2"], &["warning"]));
    b.add_instance(instance(&n3, "web", "", 80, &["v1"], &["critical"]));
    b.add_instance(instance(&n1, "db", "10.5.0.1", 5432, &[], &[]));
    b.add_instance(instance(&n2, "ext", "ext.example.com", 443, &[], &[]));
    for i in 0..20 {
        let n = node(&format!("big-{i}"), &format!("10.2.0.{i}"), "dc1");
        b.add_instance(instance(&n, "big", "", 1000 + i, &[], &[]));
    }
    b.add_instance(instance(
        &node("far", "10.1.0.1", "dc2"),
        "web",
        "",
        80,
        &[],
        &[],
    ));
    Arc::new(b)
}

fn handler_with(cfg: DnsConfig) -> Handler {
    Handler::new(cfg, backend())
}

fn handler() -> Handler {
    handler_with(DnsConfig {
        alt_domain: Some("alt.test".into()),
        ..DnsConfig::default()
    })
}

fn query_bytes(name: &str, qtype: RecordType, edns: Option<u16>) -> Vec<u8> {
    let mut m = Message::query();
    m.metadata.recursion_desired = true;
    m.add_query(Query::query(Name::from_ascii(name).unwrap(), qtype));
    if let Some(size) = edns {
        let mut e = Edns::new();
        e.set_max_payload(size);
        m.set_edns(e);
    }
    m.to_vec().unwrap()
}

async fn ask_with(
    h: &Handler,
    name: &str,
    qtype: RecordType,
    t: Transport,
    edns: Option<u16>,
) -> Message {
    let bytes = h.handle(&query_bytes(name, qtype, edns), t).await.unwrap();
    Message::from_vec(&bytes).unwrap()
}

async fn ask(h: &Handler, name: &str, qtype: RecordType) -> Message {
    ask_with(h, name, qtype, Transport::Tcp, None).await
}

fn ips(m: &Message) -> Vec<String> {
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

fn srv_targets(m: &Message) -> Vec<(u16, u16, u16, String)> {
    let mut v: Vec<_> = m
        .answers
        .iter()
        .filter_map(|r| match &r.data {
            RData::SRV(s) => Some((s.priority, s.weight, s.port, s.target.to_ascii())),
            _ => None,
        })
        .collect();
    v.sort();
    v
}

fn has_soa(m: &Message) -> bool {
    m.authorities
        .iter()
        .any(|r| r.record_type() == RecordType::SOA)
}

#[tokio::test]
async fn node_a_with_meta_txt_additional() {
    let m = ask(&handler(), "n1.node.consul.", RecordType::A).await;
    assert_eq!(m.metadata.response_code, ResponseCode::NoError);
    assert!(m.metadata.authoritative);
    assert_eq!(ips(&m), ["10.0.0.1"]);
    assert!(m
        .additionals
        .iter()
        .any(|r| matches!(&r.data, RData::TXT(t) if &*t.txt_data[0] == b"rack=a")));
    let m = ask(&handler(), "N1.node.dc1.consul.", RecordType::A).await;
    assert_eq!(ips(&m), ["10.0.0.1"]);
}

#[tokio::test]
async fn node_txt_and_any() {
    let m = ask(&handler(), "n1.node.consul.", RecordType::TXT).await;
    assert_eq!(m.answers.len(), 1);
    assert_eq!(m.answers[0].record_type(), RecordType::TXT);
    let m = ask(&handler(), "n1.node.consul.", RecordType::ANY).await;
    assert_eq!(m.answers.len(), 2);
}

#[tokio::test]
async fn node_aaaa_and_nodata() {
    let m = ask(&handler(), "n6.node.consul.", RecordType::AAAA).await;
    assert_eq!(ips(&m), ["2001:db8::6"]);
    let m = ask(&handler(), "n1.node.consul.", RecordType::AAAA).await;
    assert_eq!(m.metadata.response_code, ResponseCode::NoError);
    assert!(m.answers.is_empty());
    assert!(has_soa(&m));
}

#[tokio::test]
async fn unknown_node_and_datacenter_are_nxdomain_with_soa() {
    for name in [
        "nope.node.consul.",
        "n1.node.dc9.consul.",
        "web.service.dc9.consul.",
        "foo.consul.",
        "consul.",
    ] {
        let m = ask(&handler(), name, RecordType::A).await;
        assert_eq!(m.metadata.response_code, ResponseCode::NXDomain, "{name}");
        assert!(has_soa(&m), "{name}");
    }
}

#[tokio::test]
async fn other_datacenter() {
    let m = ask(&handler(), "far.node.dc2.consul.", RecordType::A).await;
    assert_eq!(ips(&m), ["10.1.0.1"]);
    let m = ask(&handler(), "web.service.dc2.consul.", RecordType::SRV).await;
    assert_eq!(
        srv_targets(&m),
        [(1, 10, 80, "far.node.dc2.consul.".to_string())]
    );
}

#[tokio::test]
async fn service_a_skips_critical_and_only_passing_skips_warning() {
    let m = ask(&handler(), "web.service.consul.", RecordType::A).await;
    assert_eq!(ips(&m), ["10.0.0.1", "10.0.0.2"]);
    let h = handler_with(DnsConfig {
        only_passing: true,
        ..DnsConfig::default()
    });
    let m = ask(&h, "web.service.consul.", RecordType::A).await;
    assert_eq!(ips(&m), ["10.0.0.1"]);
}

#[tokio::test]
async fn tag_filter() {
    let m = ask(&handler(), "v1.web.service.consul.", RecordType::A).await;
    assert_eq!(ips(&m), ["10.0.0.1"]);
    let m = ask(&handler(), "nope.web.service.consul.", RecordType::A).await;
    assert_eq!(m.metadata.response_code, ResponseCode::NXDomain);
}

#[tokio::test]
async fn srv_with_weights_targets_and_glue() {
    let m = ask(&handler(), "web.service.consul.", RecordType::SRV).await;
    assert_eq!(
        srv_targets(&m),
        [
            (1, 2, 8080, "n2.node.dc1.consul.".to_string()),
            (1, 10, 80, "n1.node.dc1.consul.".to_string()),
        ]
    );
    let glue: Vec<_> = m
        .additionals
        .iter()
        .filter(|r| r.record_type() == RecordType::A)
        .map(|r| r.name.to_ascii())
        .collect();
    assert_eq!(glue.len(), 2);
    assert!(glue.contains(&"n1.node.dc1.consul.".to_string()));
}

#[tokio::test]
async fn rfc2782_forms() {
    let h = handler();
    for name in [
        "_web._tcp.service.consul.",
        "_web._tcp.consul.",
        "_web._tcp.service.dc1.consul.",
    ] {
        let m = ask(&h, name, RecordType::SRV).await;
        assert_eq!(srv_targets(&m).len(), 2, "{name}");
    }
    let m = ask(&h, "_web._v1.service.consul.", RecordType::SRV).await;
    assert_eq!(
        srv_targets(&m),
        [(1, 10, 80, "n1.node.dc1.consul.".to_string())]
    );
}

#[tokio::test]
async fn service_address_uses_addr_target() {
    let m = ask(&handler(), "db.service.consul.", RecordType::SRV).await;
    assert_eq!(
        srv_targets(&m),
        [(1, 10, 5432, "0a050001.addr.dc1.consul.".to_string())]
    );
    assert!(m
        .additionals
        .iter()
        .any(|r| r.name.to_ascii() == "0a050001.addr.dc1.consul."
            && matches!(&r.data, RData::A(a) if a.0.to_string() == "10.5.0.1")));
    let m = ask(&handler(), "db.service.consul.", RecordType::A).await;
    assert_eq!(ips(&m), ["10.5.0.1"]);
}

#[tokio::test]
async fn hostname_address_is_cname() {
    let m = ask(&handler(), "ext.service.consul.", RecordType::A).await;
    assert_eq!(m.answers.len(), 1);
    assert!(matches!(&m.answers[0].data, RData::CNAME(c) if c.0.to_ascii() == "ext.example.com."));
    let m = ask(&handler(), "ext.service.consul.", RecordType::SRV).await;
    assert_eq!(
        srv_targets(&m),
        [(1, 10, 443, "ext.example.com.".to_string())]
    );
}

#[tokio::test]
async fn addr_form() {
    let m = ask(&handler(), "0a000001.addr.dc1.consul.", RecordType::A).await;
    assert_eq!(ips(&m), ["10.0.0.1"]);
    let m = ask(
        &handler(),
        "20010db8000000000000000000000006.addr.consul.",
        RecordType::AAAA,
    )
    .await;
    assert_eq!(ips(&m), ["2001:db8::6"]);
}

#[tokio::test]
async fn ptr_nodes_then_services() {
    let h = handler();
    let m = ask(&h, "1.0.0.10.in-addr.arpa.", RecordType::PTR).await;
    assert!(matches!(&m.answers[0].data, RData::PTR(p) if p.0.to_ascii() == "n1.node.dc1.consul."));
    let m = ask(&h, "1.0.5.10.in-addr.arpa.", RecordType::PTR).await;
    assert!(matches!(&m.answers[0].data, RData::PTR(p) if p.0.to_ascii() == "db.service.consul."));
    let v6 = "6.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.";
    let m = ask(&h, v6, RecordType::PTR).await;
    assert!(matches!(&m.answers[0].data, RData::PTR(p) if p.0.to_ascii() == "n6.node.dc1.consul."));
    let m = ask(&h, "9.9.9.9.in-addr.arpa.", RecordType::PTR).await;
    assert_eq!(m.metadata.response_code, ResponseCode::NXDomain);
    assert!(has_soa(&m));
}

#[tokio::test]
async fn soa_and_ns() {
    let h = handler();
    let m = ask(&h, "consul.", RecordType::SOA).await;
    assert_eq!(m.answers.len(), 1);
    match &m.answers[0].data {
        RData::SOA(s) => {
            assert_eq!(s.mname.to_ascii(), "ns.consul.");
            assert_eq!(s.rname.to_ascii(), "hostmaster.consul.");
            assert_eq!(
                (s.refresh, s.retry, s.expire, s.minimum),
                (3600, 600, 86400, 0)
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(m.authorities.len(), 1);
    let m = ask(&h, "consul.", RecordType::NS).await;
    assert!(matches!(&m.answers[0].data, RData::NS(n) if n.0.to_ascii() == "s1.node.dc1.consul."));
    assert!(matches!(&m.additionals[0].data, RData::A(a) if a.0.to_string() == "10.0.1.1"));
}

#[tokio::test]
async fn prepared_queries_are_nxdomain_for_now() {
    let m = ask(&handler(), "anything.query.consul.", RecordType::A).await;
    assert_eq!(m.metadata.response_code, ResponseCode::NXDomain);
}

#[tokio::test]
async fn outside_without_recursors_is_refused() {
    let m = ask(&handler(), "example.com.", RecordType::A).await;
    assert_eq!(m.metadata.response_code, ResponseCode::Refused);
    assert!(!m.metadata.recursion_available);
}

#[tokio::test]
async fn alt_domain_answers_in_kind() {
    let m = ask(&handler(), "web.service.alt.test.", RecordType::SRV).await;
    let t = srv_targets(&m);
    assert_eq!(t.len(), 2);
    assert!(t
        .iter()
        .all(|(_, _, _, name)| name.ends_with(".node.dc1.alt.test.")));
}

#[tokio::test]
async fn udp_limits_and_truncation() {
    let h = handler();
    let m = ask_with(
        &h,
        "big.service.consul.",
        RecordType::A,
        Transport::Udp,
        None,
    )
    .await;
    assert_eq!(m.answers.len(), 3);
    assert!(!m.metadata.truncation);
    let m = ask_with(
        &h,
        "big.service.consul.",
        RecordType::A,
        Transport::Udp,
        Some(4096),
    )
    .await;
    assert_eq!(m.answers.len(), 20);
    assert_eq!(m.edns.as_ref().map(|e| e.max_payload()), Some(4096));
    let m = ask_with(
        &h,
        "big.service.consul.",
        RecordType::A,
        Transport::Tcp,
        None,
    )
    .await;
    assert_eq!(m.answers.len(), 20);
    let h = handler_with(DnsConfig {
        enable_truncate: true,
        udp_answer_limit: 100,
        ..DnsConfig::default()
    });
    let m = ask_with(
        &h,
        "big.service.consul.",
        RecordType::A,
        Transport::Udp,
        None,
    )
    .await;
    assert_eq!(m.answers.len(), 8, "hard cap without EDNS");
    assert!(m.metadata.truncation);
    // SRV with glue: 512 bytes hold fewer than 20.
    let h = handler_with(DnsConfig {
        enable_truncate: true,
        ..DnsConfig::default()
    });
    let m = ask_with(
        &h,
        "big.service.consul.",
        RecordType::SRV,
        Transport::Udp,
        Some(512),
    )
    .await;
    assert!(m.answers.len() <= 3 && m.metadata.truncation);
    let bytes = h
        .handle(
            &query_bytes("big.service.consul.", RecordType::SRV, Some(700)),
            Transport::Udp,
        )
        .await
        .unwrap();
    assert!(bytes.len() <= 700);
    let m = Message::from_vec(&bytes).unwrap();
    assert!(m.answers.len() < 20 && m.metadata.truncation);
    assert_eq!(
        m.additionals
            .iter()
            .filter(|r| r.record_type() == RecordType::A)
            .count(),
        m.answers.len()
    );
}

#[tokio::test]
async fn a_record_limit() {
    let h = handler_with(DnsConfig {
        a_record_limit: 5,
        ..DnsConfig::default()
    });
    let m = ask(&h, "big.service.consul.", RecordType::A).await;
    assert_eq!(m.answers.len(), 5);
}

#[tokio::test]
async fn ttls() {
    let mut cfg = DnsConfig {
        node_ttl: Duration::from_secs(10),
        ..DnsConfig::default()
    };
    cfg.service_ttl.insert("w*".into(), Duration::from_secs(30));
    cfg.service_ttl.insert("*".into(), Duration::from_secs(5));
    let h = handler_with(cfg);
    assert_eq!(
        ask(&h, "n1.node.consul.", RecordType::A).await.answers[0].ttl,
        10
    );
    assert_eq!(
        ask(&h, "web.service.consul.", RecordType::A).await.answers[0].ttl,
        30
    );
    assert_eq!(
        ask(&h, "db.service.consul.", RecordType::A).await.answers[0].ttl,
        5
    );
}

#[tokio::test]
async fn answers_are_shuffled() {
    let h = handler();
    let mut firsts = std::collections::HashSet::new();
    for _ in 0..30 {
        let m = ask(&h, "big.service.consul.", RecordType::A).await;
        firsts.insert(format!("{:?}", m.answers[0].data));
    }
    assert!(firsts.len() > 1);
}

#[tokio::test]
async fn bad_requests() {
    let h = handler();
    // Header parses, body does not: FORMERR.
    let mut bad = query_bytes("web.service.consul.", RecordType::A, None);
    bad.truncate(16);
    let m = Message::from_vec(&h.handle(&bad, Transport::Udp).await.unwrap()).unwrap();
    assert_eq!(m.metadata.response_code, ResponseCode::FormErr);
    // Too short for a header: dropped.
    assert!(h.handle(&bad[..5], Transport::Udp).await.is_none());
    // No question: FORMERR.
    let empty = Message::query().to_vec().unwrap();
    let m = Message::from_vec(&h.handle(&empty, Transport::Udp).await.unwrap()).unwrap();
    assert_eq!(m.metadata.response_code, ResponseCode::FormErr);
    // Not a query opcode: NOTIMP.
    let mut status = Message::new(7, hickory_proto::op::MessageType::Query, OpCode::Status);
    status.add_query(Query::query(
        Name::from_ascii("consul.").unwrap(),
        RecordType::A,
    ));
    let m = Message::from_vec(
        &h.handle(&status.to_vec().unwrap(), Transport::Udp)
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(m.metadata.response_code, ResponseCode::NotImp);
    // Responses are never answered.
    let mut resp = Message::response(9, OpCode::Query);
    resp.add_query(Query::query(
        Name::from_ascii("consul.").unwrap(),
        RecordType::A,
    ));
    assert!(h
        .handle(&resp.to_vec().unwrap(), Transport::Udp)
        .await
        .is_none());
}

#[tokio::test]
async fn client_subnet_is_echoed_with_scope() {
    use hickory_proto::rr::rdata::opt::{ClientSubnet, EdnsCode, EdnsOption};
    let h = handler();
    let ask_ecs = |name: &'static str, qtype| {
        let h = &h;
        async move {
            let mut m = Message::query();
            m.add_query(Query::query(Name::from_ascii(name).unwrap(), qtype));
            let mut e = Edns::new();
            e.set_max_payload(1232);
            e.options_mut().insert(EdnsOption::Subnet(ClientSubnet::new(
                "192.0.2.0".parse().unwrap(),
                24,
                0,
            )));
            m.set_edns(e);
            let bytes = h
                .handle(&m.to_vec().unwrap(), Transport::Udp)
                .await
                .unwrap();
            let resp = Message::from_vec(&bytes).unwrap();
            match resp.edns.unwrap().option(EdnsCode::Subnet) {
                Some(EdnsOption::Subnet(s)) => (s.source_prefix(), s.scope_prefix()),
                other => panic!("{other:?}"),
            }
        }
    };
    assert_eq!(
        ask_ecs("web.service.consul.", RecordType::A).await,
        (24, 24)
    );
    assert_eq!(
        ask_ecs("nope.service.consul.", RecordType::A).await,
        (24, 0)
    );
    assert_eq!(
        ask_ecs("1.0.0.10.in-addr.arpa.", RecordType::PTR).await,
        (24, 0)
    );
}
