//! Catalog and health: registration cascade, index bookkeeping, filters.

mod common;

use common::*;
use consul_state::{StateError, Store, Table, WatchSet};
use consul_types::catalog::{DeregisterRequest, HealthCheck, RegisterRequest};

fn ws() -> WatchSet {
    WatchSet::new()
}

fn dereg(node: &str, service: &str, check: &str) -> DeregisterRequest {
    DeregisterRequest {
        node: node.into(),
        service_id: service.into(),
        check_id: check.into(),
        ..Default::default()
    }
}

#[test]
fn register_node_service_and_checks() {
    let s = Store::new();
    let mut req = svc_req("n1", "web1", "web", &["v1", "Primary"]);
    req.checks = vec![
        check("", "web-alive", "web1", "passing"),
        check("", "mem", "", ""),
    ];
    s.ensure_registration(1, &req).unwrap();
    let snap = s.snapshot();
    let (idx, node) = snap.node(&mut ws(), "n1");
    let node = node.unwrap();
    assert_eq!(
        (idx, node.create_index, node.address.as_str()),
        (1, 1, "10.0.0.1")
    );
    let (_, checks) = snap.node_checks(&mut ws(), "n1");
    assert_eq!(checks.len(), 2);
    let mem = checks.iter().find(|c| c.check_id == "mem").unwrap();
    assert_eq!(mem.status, "critical");
    assert_eq!(mem.node, "n1");
    let alive = checks.iter().find(|c| c.check_id == "web-alive").unwrap();
    assert_eq!(alive.service_name, "web");
    assert_eq!(alive.service_tags, vec!["v1", "Primary"]);
    for t in [Table::Nodes, Table::Services, Table::Checks] {
        assert_eq!(snap.table_index(t), 1);
    }
}

#[test]
fn missing_node_and_service_errors() {
    let s = Store::new();
    let mut req = svc_req("n1", "web1", "web", &[]);
    req.skip_node_update = true;
    let err = s.ensure_registration(1, &req).unwrap_err();
    assert_eq!(err, StateError::MissingNode("n1".into()));
    assert_eq!(err.to_string(), "Missing node registration");
    assert_eq!(s.snapshot().seq(), 0);

    s.ensure_registration(2, &node_req("n1", "10.0.0.1"))
        .unwrap();
    let err = s
        .ensure_registration(3, &check_req("n1", check("n1", "c", "nope", "passing")))
        .unwrap_err();
    assert_eq!(err.to_string(), "Missing service registration");
    // The failed write left nothing behind.
    assert_eq!(s.snapshot().table_index(Table::Checks), 0);

    let mut no_addr = node_req("n2", "");
    assert!(matches!(
        s.ensure_registration(4, &no_addr),
        Err(StateError::InvalidRequest(_))
    ));
    no_addr.node = String::new();
    assert!(s.ensure_registration(4, &no_addr).is_err());
}

#[test]
fn no_op_registration_moves_no_index() {
    let s = Store::new();
    let mut req = svc_req("n1", "web1", "web", &["a"]);
    req.check = Some(check("n1", "c1", "web1", "passing"));
    s.ensure_registration(5, &req).unwrap();
    let before = s.snapshot();
    s.ensure_registration(9, &req).unwrap();
    let after = s.snapshot();
    assert_eq!(after.seq(), before.seq());
    assert_eq!(after.latest_index(), 5);
    let (idx, rows) = after.service_nodes(&mut ws(), "web", &[], &[]);
    assert_eq!((idx, rows[0].modify_index), (5, 5));

    // A real change moves exactly what changed.
    let mut changed = req.clone();
    changed.service.as_mut().unwrap().port = 9;
    changed.check = None;
    s.ensure_registration(10, &changed).unwrap();
    let snap = s.snapshot();
    assert_eq!(snap.table_index(Table::Services), 10);
    assert_eq!(snap.table_index(Table::Nodes), 5);
    assert_eq!(snap.table_index(Table::Checks), 5);
    let (idx, rows) = snap.service_nodes(&mut ws(), "web", &[], &[]);
    assert_eq!(
        (idx, rows[0].create_index, rows[0].modify_index),
        (10, 5, 10)
    );
}

#[test]
fn indexes_are_per_service_and_never_go_backwards() {
    let s = Store::new();
    s.ensure_registration(3, &svc_req("n1", "web1", "web", &[]))
        .unwrap();
    s.ensure_registration(4, &svc_req("n1", "db1", "db", &[]))
        .unwrap();
    let snap = s.snapshot();
    assert_eq!(snap.service_nodes(&mut ws(), "web", &[], &[]).0, 3);
    assert_eq!(snap.service_nodes(&mut ws(), "db", &[], &[]).0, 4);
    // A service check bumps only its service.
    s.ensure_registration(6, &check_req("n1", check("n1", "c", "db1", "passing")))
        .unwrap();
    let snap = s.snapshot();
    assert_eq!(
        snap.check_service_nodes(&mut ws(), "web", &[], &[], false)
            .0,
        3
    );
    assert_eq!(
        snap.check_service_nodes(&mut ws(), "db", &[], &[], false).0,
        6
    );
    // A node-level check bumps every service on the node.
    s.ensure_registration(
        7,
        &check_req("n1", check("n1", "serfHealth", "", "passing")),
    )
    .unwrap();
    let snap = s.snapshot();
    assert_eq!(snap.service_nodes(&mut ws(), "web", &[], &[]).0, 7);
    assert_eq!(snap.service_nodes(&mut ws(), "db", &[], &[]).0, 7);
    // A write at a lower index (restore replay) never lowers an index.
    s.ensure_registration(2, &svc_req("n2", "web2", "web", &[]))
        .unwrap();
    assert_eq!(s.snapshot().table_index(Table::Services), 4);
    assert_eq!(s.snapshot().service_nodes(&mut ws(), "web", &[], &[]).0, 7);
}

#[test]
fn deregister_cascades() {
    let s = Store::new();
    let mut req = svc_req("n1", "web1", "web", &[]);
    req.checks = vec![
        check("n1", "svc", "web1", "passing"),
        check("n1", "node", "", "passing"),
    ];
    s.ensure_registration(1, &req).unwrap();
    s.ensure_registration(2, &svc_req("n1", "db1", "db", &[]))
        .unwrap();
    s.ensure_registration(3, &svc_req("n2", "web2", "web", &[]))
        .unwrap();

    // Service: goes with its checks.
    s.deregister(4, &dereg("n1", "web1", "")).unwrap();
    let snap = s.snapshot();
    let (_, checks) = snap.node_checks(&mut ws(), "n1");
    assert_eq!(
        checks
            .iter()
            .map(|c| c.check_id.as_str())
            .collect::<Vec<_>>(),
        ["node"]
    );
    assert_eq!(snap.service_nodes(&mut ws(), "web", &[], &[]).1.len(), 1);
    assert_eq!(snap.table_index(Table::Checks), 4);

    // Check alone.
    s.deregister(5, &dereg("n1", "", "node")).unwrap();
    assert!(s.snapshot().node_checks(&mut ws(), "n1").1.is_empty());

    // Node: everything on it goes; the last db instance goes extinct.
    s.ensure_registration(6, &check_req("n1", check("n1", "x", "db1", "warning")))
        .unwrap();
    s.deregister(7, &dereg("n1", "", "")).unwrap();
    let snap = s.snapshot();
    assert!(snap.node(&mut ws(), "n1").1.is_none());
    assert!(snap.node_services(&mut ws(), "n1").1.is_none());
    assert!(snap.node_checks(&mut ws(), "n1").1.is_empty());
    assert_eq!(
        snap.services(&mut ws(), &[]).1.keys().collect::<Vec<_>>(),
        ["web"]
    );
    let (idx, rows) = snap.service_nodes(&mut ws(), "db", &[], &[]);
    assert_eq!((idx, rows.len()), (7, 0));
    for t in [Table::Nodes, Table::Services, Table::Checks] {
        assert_eq!(snap.table_index(t), 7);
    }
    // Deregistering what is gone is fine and changes nothing.
    let seq = snap.seq();
    s.deregister(8, &dereg("n1", "", "")).unwrap();
    s.deregister(8, &dereg("n2", "nope", "")).unwrap();
    assert_eq!(s.snapshot().seq(), seq);
}

#[test]
fn catalog_reads_filter_by_tags_and_meta() {
    let s = Store::new();
    let mut a = svc_req("a", "web1", "web", &["Primary", "v1"]);
    a.node_meta.insert("rack".into(), "r1".into());
    s.ensure_registration(1, &a).unwrap();
    let mut b = svc_req("b", "web2", "web", &["v2"]);
    b.node_meta.insert("rack".into(), "r2".into());
    s.ensure_registration(2, &b).unwrap();
    // Re-registering a node replaces its meta, so carry it along.
    let mut db = svc_req("b", "db", "db", &["x", "v2"]);
    db.node_meta = b.node_meta.clone();
    s.ensure_registration(3, &db).unwrap();
    let snap = s.snapshot();
    let tags = |t: &[&str]| t.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let meta = |k: &str, v: &str| vec![(k.to_string(), v.to_string())];

    let (_, rows) = snap.service_nodes(&mut ws(), "web", &tags(&["primary"]), &[]);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].node, "a");
    assert!(snap
        .service_nodes(&mut ws(), "web", &tags(&["primary", "v2"]), &[])
        .1
        .is_empty());
    let (_, rows) = snap.service_nodes(&mut ws(), "web", &[], &meta("rack", "r2"));
    assert_eq!(
        rows.iter()
            .map(|r| r.service_id.as_str())
            .collect::<Vec<_>>(),
        ["web2"]
    );

    let (idx, services) = snap.services(&mut ws(), &[]);
    assert_eq!(idx, 3);
    assert_eq!(services["web"], tags(&["Primary", "v1", "v2"]));
    assert_eq!(services["db"], tags(&["v2", "x"]));
    let (_, services) = snap.services(&mut ws(), &meta("rack", "r1"));
    assert_eq!(services.keys().collect::<Vec<_>>(), ["web"]);

    let (idx, nodes) = snap.nodes(&mut ws(), &meta("rack", "r2"));
    assert_eq!((idx, nodes.len(), nodes[0].node.as_str()), (2, 1, "b"));
    assert_eq!(snap.nodes(&mut ws(), &[]).1.len(), 2);

    let (_, ns) = snap.node_services(&mut ws(), "b");
    assert_eq!(
        ns.unwrap().services.keys().collect::<Vec<_>>(),
        ["db", "web2"]
    );
}

fn health_fixture() -> Store {
    let s = Store::new();
    let mut r = svc_req("n1", "web1", "web", &[]);
    r.checks = vec![
        check("n1", "serfHealth", "", "passing"),
        check("n1", "web1-http", "web1", "passing"),
    ];
    s.ensure_registration(1, &r).unwrap();
    let mut r = svc_req("n2", "web2", "web", &[]);
    r.checks = vec![
        check("n2", "serfHealth", "", "passing"),
        check("n2", "web2-http", "web2", "warning"),
    ];
    s.ensure_registration(2, &r).unwrap();
    let mut r = svc_req("n2", "db", "db", &[]);
    r.checks = vec![check("n2", "db-tcp", "db", "critical")];
    s.ensure_registration(3, &r).unwrap();
    s
}

fn ids(checks: &[HealthCheck]) -> Vec<String> {
    checks
        .iter()
        .map(|c| format!("{}/{}", c.node, c.check_id))
        .collect()
}

#[test]
fn health_state_filters() {
    let s = health_fixture();
    let snap = s.snapshot();
    let state = |st: &str| ids(&snap.checks_in_state(&mut ws(), st, &[]).1);
    assert_eq!(state("any").len(), 5);
    assert_eq!(
        state("passing"),
        ["n1/serfHealth", "n1/web1-http", "n2/serfHealth"]
    );
    assert_eq!(state("warning"), ["n2/web2-http"]);
    assert_eq!(state("critical"), ["n2/db-tcp"]);
    assert_eq!(snap.checks_in_state(&mut ws(), "any", &[]).0, 3);

    let (_, checks) = snap.service_checks(&mut ws(), "web", &[]);
    assert_eq!(ids(&checks), ["n1/web1-http", "n2/web2-http"]);
}

#[test]
fn check_service_nodes_join_node_and_instance_checks() {
    let s = health_fixture();
    let snap = s.snapshot();
    let (idx, rows) = snap.check_service_nodes(&mut ws(), "web", &[], &[], false);
    assert_eq!(idx, 2);
    assert_eq!(rows.len(), 2);
    assert_eq!(ids(&rows[0].checks), ["n1/serfHealth", "n1/web1-http"]);
    // n2's db check is not part of web2's row.
    assert_eq!(ids(&rows[1].checks), ["n2/serfHealth", "n2/web2-http"]);
    let (_, rows) = snap.check_service_nodes(&mut ws(), "web", &[], &[], true);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].service.id, "web1");
    // Unknown service: empty, with a sane index.
    let (idx, rows) = snap.check_service_nodes(&mut ws(), "nope", &[], &[], false);
    assert!(rows.is_empty());
    assert_eq!(idx, 3);
}

#[test]
fn service_rename_moves_instance_between_names() {
    let s = Store::new();
    s.ensure_registration(1, &svc_req("n1", "s1", "old", &[]))
        .unwrap();
    s.ensure_registration(2, &svc_req("n1", "s1", "new", &[]))
        .unwrap();
    let snap = s.snapshot();
    assert!(snap.service_nodes(&mut ws(), "old", &[], &[]).1.is_empty());
    assert_eq!(snap.service_nodes(&mut ws(), "old", &[], &[]).0, 2);
    assert_eq!(snap.service_nodes(&mut ws(), "new", &[], &[]).1.len(), 1);
    assert_eq!(snap.services(&mut ws(), &[]).1.len(), 1);
}

#[test]
fn service_id_defaults_to_name_and_check_id_to_check_name() {
    let s = Store::new();
    let mut req = svc_req("n1", "", "redis", &[]);
    let mut c = check("", "", "redis", "passing");
    c.name = "redis alive".into();
    req.check = Some(c);
    s.ensure_registration(1, &req).unwrap();
    let snap = s.snapshot();
    let (_, rows) = snap.service_nodes(&mut ws(), "redis", &[], &[]);
    assert_eq!(rows[0].service_id, "redis");
    let (_, checks) = snap.node_checks(&mut ws(), "n1");
    assert_eq!(checks[0].check_id, "redis alive");
    let _ = RegisterRequest::default();
}
