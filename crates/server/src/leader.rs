//! Leader duties: while this server leads, it keeps the catalog in line with
//! the members it knows of. Until gossip is wired in, the only member it knows
//! is itself: a node with the `consul` service and a passing `serfHealth` check.

use std::collections::BTreeMap;
use std::time::Duration;

use consul_types::catalog::{
    status, HealthCheck, NodeService, RegisterRequest, CONSUL_SERVICE, SERF_CHECK_ID,
    SERF_CHECK_NAME,
};

use crate::{endpoints, Server};

/// How often the leader re-runs a full reconcile (Consul: 60 s).
pub const RECONCILE_INTERVAL: Duration = Duration::from_secs(60);

/// The registration that describes this server in the catalog.
pub fn self_registration(server: &Server, version: &str) -> RegisterRequest {
    let cfg = server.config();
    let meta = BTreeMap::from([
        ("non_voter".to_string(), "false".to_string()),
        ("read_replica".to_string(), "false".to_string()),
        ("raft_version".to_string(), "3".to_string()),
        ("serf_protocol_current".to_string(), "2".to_string()),
        ("serf_protocol_max".to_string(), "5".to_string()),
        ("serf_protocol_min".to_string(), "1".to_string()),
        ("version".to_string(), version.to_string()),
    ]);
    let mut reg = node_registration(&cfg.node_name, &cfg.node_id, cfg.rpc_addr.ip());
    reg.node_meta.extend(cfg.node_meta.clone());
    reg.service = Some(NodeService {
        id: CONSUL_SERVICE.into(),
        service: CONSUL_SERVICE.into(),
        port: cfg.rpc_addr.port(),
        meta,
        ..Default::default()
    });
    reg.checks = vec![HealthCheck {
        node: cfg.node_name.clone(),
        check_id: SERF_CHECK_ID.into(),
        name: SERF_CHECK_NAME.into(),
        status: status::PASSING.into(),
        output: "Agent alive and reachable".into(),
        ..Default::default()
    }];
    reg
}

/// The node part of a registration, as every agent sends it for itself:
/// name, ID, address and the tagged `lan`/`wan` addresses.
pub fn node_registration(name: &str, id: &str, addr: std::net::IpAddr) -> RegisterRequest {
    let ip = addr.to_string();
    let tagged = BTreeMap::from([
        ("lan".to_string(), ip.clone()),
        ("lan_ipv4".to_string(), ip.clone()),
        ("wan".to_string(), ip.clone()),
        ("wan_ipv4".to_string(), ip.clone()),
    ]);
    RegisterRequest {
        id: id.to_string(),
        node: name.to_string(),
        address: ip,
        tagged_addresses: tagged,
        node_meta: BTreeMap::from([("consul-network-segment".to_string(), String::new())]),
        ..Default::default()
    }
}

/// Whether the catalog already holds `reg` as this server would write it, so a
/// restart does not append a needless Raft entry.
fn already_registered(server: &Server, reg: &RegisterRequest) -> bool {
    let snap = server.store().snapshot();
    let mut ws = consul_state::WatchSet::new();
    let Some(ns) = snap.node_services(&mut ws, &reg.node).1 else {
        return false;
    };
    let node_ok = ns.node.address == reg.address
        && ns.node.id == reg.id
        && ns.node.tagged_addresses == reg.tagged_addresses
        && ns.node.meta == reg.node_meta;
    let svc_ok = ns.services.get(CONSUL_SERVICE).is_some_and(|s| {
        let want = reg
            .service
            .as_ref()
            .expect("self registration has a service");
        s.port == want.port && s.meta == want.meta
    });
    let checks = snap.node_checks(&mut ws, &reg.node).1;
    let check_ok = checks
        .iter()
        .any(|c| c.check_id == SERF_CHECK_ID && c.status == status::PASSING);
    node_ok && svc_ok && check_ok
}

/// Run forever: whenever this server is leader, make sure the catalog holds it;
/// repeat every [`RECONCILE_INTERVAL`].
pub async fn run(server: Server, version: String) {
    let mut was_leader = false;
    let mut last_reconcile = tokio::time::Instant::now();
    let mut restores = server.restores();
    loop {
        let leader = server.is_leader();
        let due = last_reconcile.elapsed() >= RECONCILE_INTERVAL;
        // A restored snapshot replaced the catalog: as a new leadership.
        let restored = server.restores() != restores;
        restores = server.restores();
        if leader && (!was_leader || due || restored) {
            let reg = self_registration(&server, &version);
            if already_registered(&server, &reg) {
                last_reconcile = tokio::time::Instant::now();
            } else if let Err(e) = endpoints::catalog::register(&server, reg).await {
                tracing::warn!(error = %e, "leader: failed to register self in the catalog");
            } else {
                last_reconcile = tokio::time::Instant::now();
            }
        }
        was_leader = leader;
        server.leadership_changed(Duration::from_millis(500)).await;
    }
}
