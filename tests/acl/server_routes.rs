//! The ACL matrix for the routes the servers decide (`Need::Server` in the
//! agent's route table): for each, a request with a token holding exactly
//! the permission Consul requires is served, and one with a token holding
//! nothing is refused (403) — or, for lists and reads Consul filters, is
//! answered without what the token may not see. Every `Need::Server` route
//! must have a row here, so a new route fails this test until its
//! permission is written down.

use consul_agent::http::acl_routes::{Need, ROUTES};
use serde_json::json;

use super::*;

/// How a route treats a token without the permission.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mode {
    /// Refused with this status; served (not that status) with the rules.
    Refuse(u16),
    /// Answered 200 without `marker`; with the rules, 200 with it.
    Filter(&'static str),
    /// Served to anyone (no permission), or checked before the token
    /// (`routes.rs` covers those).
    NotApplicable,
}

/// One row: the route pattern, a concrete request, the rules granting
/// exactly what it needs, and how it refuses.
struct Row {
    pattern: &'static str,
    method: &'static str,
    path: String,
    body: String,
    rules: String,
    mode: Mode,
}

fn row(
    pattern: &'static str,
    method: &'static str,
    path: &str,
    body: &str,
    rules: &str,
    mode: Mode,
) -> Row {
    Row {
        pattern,
        method,
        path: path.to_string(),
        body: body.to_string(),
        rules: rules.to_string(),
        mode,
    }
}

/// Objects the rows point at, made with the management token.
struct Fixture {
    session: String,
    policy_id: String,
    role_id: String,
    accessor: String,
    binding_rule: String,
    legacy: String,
}

fn fixture(a: &Agent) -> Fixture {
    let reg = json!({"Node": "n1", "Address": "10.0.0.1",
        "Service": {"Service": "web", "Port": 80},
        "Check": {"CheckID": "c1", "Name": "c1", "Status": "passing", "ServiceID": "web"}})
    .to_string();
    ok_json(a, "PUT", "/v1/catalog/register", ROOT, Some(&reg));
    assert_eq!(req(a, "PUT", "/v1/kv/k/x", ROOT, Some("v")).0, 200);
    let session = ok_json(
        a,
        "PUT",
        "/v1/session/create",
        ROOT,
        Some(r#"{"Node":"n1","Checks":[],"Name":"fixture"}"#),
    )["ID"]
        .as_str()
        .unwrap()
        .to_string();
    let policy_id = policy(a, "fixture-policy", r#"key "nothing" { policy = "read" }"#);
    let role = json!({"Name": "fixture-role", "Policies": [{"ID": policy_id}]}).to_string();
    let role_id = ok_json(a, "PUT", "/v1/acl/role", ROOT, Some(&role))["ID"]
        .as_str()
        .unwrap()
        .to_string();
    let t = ok_json(
        a,
        "PUT",
        "/v1/acl/token",
        ROOT,
        Some(r#"{"Description":"fixture"}"#),
    );
    let accessor = t["AccessorID"].as_str().unwrap().to_string();
    let method = json!({"Name": "fixture-jwt", "Type": "jwt", "Config": {
        "JWTValidationPubKeys": [include_str!("fixtures/jwt-test-key.pub.pem")]}})
    .to_string();
    ok_json(a, "PUT", "/v1/acl/auth-method", ROOT, Some(&method));
    let rule =
        json!({"AuthMethod": "fixture-jwt", "BindType": "service", "BindName": "web"}).to_string();
    let binding_rule = ok_json(a, "PUT", "/v1/acl/binding-rule", ROOT, Some(&rule))["ID"]
        .as_str()
        .unwrap()
        .to_string();
    let legacy = ok_json(
        a,
        "PUT",
        "/v1/acl/create",
        ROOT,
        Some(r#"{"Name":"fixture-legacy","Type":"client"}"#),
    )["ID"]
        .as_str()
        .unwrap()
        .to_string();
    Fixture {
        session,
        policy_id,
        role_id,
        accessor,
        binding_rule,
        legacy,
    }
}

fn rows(f: &Fixture) -> Vec<Row> {
    use Mode::*;
    let node_web = r#"node "n1" { policy = "read" } service "web" { policy = "read" }"#;
    let acl_read = r#"acl = "read""#;
    let acl_write = r#"acl = "write""#;
    let op_read = r#"operator = "read""#;
    let s = &f.session;
    vec![
        row("/v1/kv/", "GET", "/v1/kv/", "", "", NotApplicable),
        row(
            "/v1/kv/{*key}",
            "GET",
            "/v1/kv/k/x",
            "",
            r#"key "k/x" { policy = "read" }"#,
            Refuse(403),
        ),
        row(
            "/v1/catalog/register",
            "PUT",
            "/v1/catalog/register",
            r#"{"Node":"n2","Address":"10.0.0.2"}"#,
            r#"node "n2" { policy = "write" }"#,
            Refuse(403),
        ),
        row(
            "/v1/catalog/deregister",
            "PUT",
            "/v1/catalog/deregister",
            r#"{"Node":"n3"}"#,
            r#"node "n3" { policy = "write" }"#,
            Refuse(403),
        ),
        row(
            "/v1/catalog/datacenters",
            "GET",
            "/v1/catalog/datacenters",
            "",
            "",
            NotApplicable,
        ),
        row(
            "/v1/catalog/nodes",
            "GET",
            "/v1/catalog/nodes",
            "",
            r#"node "n1" { policy = "read" }"#,
            Filter("\"n1\""),
        ),
        row(
            "/v1/catalog/services",
            "GET",
            "/v1/catalog/services",
            "",
            r#"service "web" { policy = "read" }"#,
            Filter("\"web\""),
        ),
        row(
            "/v1/catalog/service/{*name}",
            "GET",
            "/v1/catalog/service/web",
            "",
            node_web,
            Filter("\"n1\""),
        ),
        row(
            "/v1/catalog/node/{*name}",
            "GET",
            "/v1/catalog/node/n1",
            "",
            node_web,
            Filter("\"web\""),
        ),
        row(
            "/v1/catalog/node-services/{*name}",
            "GET",
            "/v1/catalog/node-services/n1",
            "",
            node_web,
            Filter("\"web\""),
        ),
        row(
            "/v1/health/node/{*name}",
            "GET",
            "/v1/health/node/n1",
            "",
            node_web,
            Filter("\"c1\""),
        ),
        row(
            "/v1/health/checks/{*name}",
            "GET",
            "/v1/health/checks/web",
            "",
            node_web,
            Filter("\"c1\""),
        ),
        row(
            "/v1/health/service/{*name}",
            "GET",
            "/v1/health/service/web",
            "",
            node_web,
            Filter("\"n1\""),
        ),
        row(
            "/v1/health/state/{*name}",
            "GET",
            "/v1/health/state/any",
            "",
            node_web,
            Filter("\"c1\""),
        ),
        row(
            "/v1/operator/raft/configuration",
            "GET",
            "/v1/operator/raft/configuration",
            "",
            op_read,
            Refuse(403),
        ),
        row(
            "/v1/operator/raft/peer",
            "DELETE",
            "/v1/operator/raft/peer?id=x",
            "",
            r#"operator = "write""#,
            Refuse(403),
        ),
        row(
            "/v1/operator/raft/transfer-leader",
            "POST",
            "/v1/operator/raft/transfer-leader",
            "",
            r#"operator = "write""#,
            Refuse(403),
        ),
        row(
            "/v1/operator/autopilot/configuration",
            "GET",
            "/v1/operator/autopilot/configuration",
            "",
            op_read,
            Refuse(403),
        ),
        row(
            "/v1/operator/autopilot/state",
            "GET",
            "/v1/operator/autopilot/state",
            "",
            op_read,
            Refuse(403),
        ),
        row(
            "/v1/operator/autopilot/health",
            "GET",
            "/v1/operator/autopilot/health",
            "",
            op_read,
            Refuse(403),
        ),
        row(
            "/v1/event/fire/",
            "PUT",
            "/v1/event/fire/",
            "",
            "",
            NotApplicable,
        ),
        row(
            "/v1/event/fire/{*name}",
            "PUT",
            "/v1/event/fire/deploy",
            "",
            r#"event "deploy" { policy = "write" }"#,
            Refuse(403),
        ),
        row(
            "/v1/session/create",
            "PUT",
            "/v1/session/create",
            r#"{"Node":"n1","Checks":[]}"#,
            r#"session "n1" { policy = "write" }"#,
            Refuse(403),
        ),
        row(
            "/v1/session/renew/{*id}",
            "PUT",
            &format!("/v1/session/renew/{s}"),
            "",
            r#"session "n1" { policy = "write" }"#,
            Refuse(403),
        ),
        row(
            "/v1/session/renew/",
            "PUT",
            "/v1/session/renew/",
            "",
            "",
            NotApplicable,
        ),
        row(
            "/v1/session/info/{*id}",
            "GET",
            &format!("/v1/session/info/{s}"),
            "",
            r#"session "n1" { policy = "read" }"#,
            Filter("fixture"),
        ),
        row(
            "/v1/session/info/",
            "GET",
            "/v1/session/info/",
            "",
            "",
            NotApplicable,
        ),
        row(
            "/v1/session/node/{*node}",
            "GET",
            "/v1/session/node/n1",
            "",
            r#"session "n1" { policy = "read" }"#,
            Filter("fixture"),
        ),
        row(
            "/v1/session/node/",
            "GET",
            "/v1/session/node/",
            "",
            "",
            NotApplicable,
        ),
        row(
            "/v1/session/list",
            "GET",
            "/v1/session/list",
            "",
            r#"session "n1" { policy = "read" }"#,
            Filter("fixture"),
        ),
        // Last among the session rows: it ends the fixture session.
        row(
            "/v1/session/destroy/{*id}",
            "PUT",
            &format!("/v1/session/destroy/{s}"),
            "",
            r#"session "n1" { policy = "write" }"#,
            Refuse(403),
        ),
        row(
            "/v1/session/destroy/",
            "PUT",
            "/v1/session/destroy/",
            "",
            "",
            NotApplicable,
        ),
        row(
            "/v1/txn",
            "PUT",
            "/v1/txn",
            r#"[{"KV":{"Verb":"set","Key":"k/x","Value":"dg=="}}]"#,
            r#"key "k/x" { policy = "write" }"#,
            Refuse(409),
        ),
        // A snapshot holds every secret: Consul's `Snapshot` permission is
        // acl:write, for a save and a restore alike (the restore's body is
        // not an archive, so with the permission it fails after the check).
        row(
            "/v1/snapshot",
            "GET",
            "/v1/snapshot",
            "",
            acl_write,
            Refuse(403),
        ),
        row(
            "/v1/snapshot",
            "PUT",
            "/v1/snapshot",
            "x",
            acl_write,
            Refuse(403),
        ),
        row(
            "/v1/internal/ui/services",
            "GET",
            "/v1/internal/ui/services",
            "",
            node_web,
            Filter("\"web\""),
        ),
        row(
            "/v1/internal/ui/nodes",
            "GET",
            "/v1/internal/ui/nodes",
            "",
            node_web,
            Filter("\"n1\""),
        ),
        row(
            "/v1/internal/ui/kv-search",
            "GET",
            "/v1/internal/ui/kv-search?prefix=k/",
            "",
            r#"key_prefix "k/" { policy = "read" }"#,
            Filter("k/x"),
        ),
        row(
            "/v1/acl/bootstrap",
            "PUT",
            "/v1/acl/bootstrap",
            "",
            "",
            NotApplicable,
        ),
        row(
            "/v1/acl/token",
            "PUT",
            "/v1/acl/token",
            r#"{"Description":"x"}"#,
            acl_write,
            Refuse(403),
        ),
        row(
            "/v1/acl/token/self",
            "GET",
            "/v1/acl/token/self",
            "",
            "",
            NotApplicable,
        ),
        row(
            "/v1/acl/token/{id}",
            "GET",
            &format!("/v1/acl/token/{}", f.accessor),
            "",
            acl_read,
            Refuse(403),
        ),
        row(
            "/v1/acl/token/{id}/clone",
            "PUT",
            &format!("/v1/acl/token/{}/clone", f.accessor),
            "",
            acl_write,
            Refuse(403),
        ),
        row(
            "/v1/acl/tokens",
            "GET",
            "/v1/acl/tokens",
            "",
            acl_read,
            Refuse(403),
        ),
        row(
            "/v1/acl/policy",
            "PUT",
            "/v1/acl/policy",
            r#"{"Name":"made-by-row"}"#,
            acl_write,
            Refuse(403),
        ),
        row(
            "/v1/acl/policy/name/{name}",
            "GET",
            "/v1/acl/policy/name/fixture-policy",
            "",
            acl_read,
            Refuse(403),
        ),
        row(
            "/v1/acl/policy/{id}",
            "GET",
            &format!("/v1/acl/policy/{}", f.policy_id),
            "",
            acl_read,
            Refuse(403),
        ),
        row(
            "/v1/acl/policies",
            "GET",
            "/v1/acl/policies",
            "",
            acl_read,
            Refuse(403),
        ),
        row(
            "/v1/acl/role",
            "PUT",
            "/v1/acl/role",
            r#"{"Name":"made-by-row"}"#,
            acl_write,
            Refuse(403),
        ),
        row(
            "/v1/acl/role/name/{name}",
            "GET",
            "/v1/acl/role/name/fixture-role",
            "",
            acl_read,
            Refuse(403),
        ),
        row(
            "/v1/acl/role/{id}",
            "GET",
            &format!("/v1/acl/role/{}", f.role_id),
            "",
            acl_read,
            Refuse(403),
        ),
        row(
            "/v1/acl/roles",
            "GET",
            "/v1/acl/roles",
            "",
            acl_read,
            Refuse(403),
        ),
        row(
            "/v1/acl/replication",
            "GET",
            "/v1/acl/replication",
            "",
            "",
            NotApplicable,
        ),
        row(
            "/v1/acl/auth-method",
            "PUT",
            "/v1/acl/auth-method",
            r#"{"Name":"made-by-row","Type":"jwt"}"#,
            acl_write,
            Refuse(403),
        ),
        row(
            "/v1/acl/auth-method/{name}",
            "GET",
            "/v1/acl/auth-method/fixture-jwt",
            "",
            acl_read,
            Refuse(403),
        ),
        row(
            "/v1/acl/auth-methods",
            "GET",
            "/v1/acl/auth-methods",
            "",
            acl_read,
            Refuse(403),
        ),
        row(
            "/v1/acl/binding-rule",
            "PUT",
            "/v1/acl/binding-rule",
            r#"{"AuthMethod":"fixture-jwt"}"#,
            acl_write,
            Refuse(403),
        ),
        row(
            "/v1/acl/binding-rule/{id}",
            "GET",
            &format!("/v1/acl/binding-rule/{}", f.binding_rule),
            "",
            acl_read,
            Refuse(403),
        ),
        row(
            "/v1/acl/binding-rules",
            "GET",
            "/v1/acl/binding-rules",
            "",
            acl_read,
            Refuse(403),
        ),
        row(
            "/v1/acl/login",
            "POST",
            "/v1/acl/login",
            "",
            "",
            NotApplicable,
        ),
        row(
            "/v1/acl/logout",
            "POST",
            "/v1/acl/logout",
            "",
            "",
            NotApplicable,
        ),
        row(
            "/v1/acl/create",
            "PUT",
            "/v1/acl/create",
            r#"{"Name":"made-by-row"}"#,
            acl_write,
            Refuse(403),
        ),
        row(
            "/v1/acl/update",
            "PUT",
            "/v1/acl/update",
            "",
            "",
            NotApplicable,
        ),
        row(
            "/v1/acl/destroy/{id}",
            "PUT",
            "/v1/acl/destroy/not-a-token",
            "",
            acl_write,
            Refuse(403),
        ),
        row(
            "/v1/acl/info/{id}",
            "GET",
            &format!("/v1/acl/info/{}", f.legacy),
            "",
            "",
            NotApplicable,
        ),
        row(
            "/v1/acl/clone/{id}",
            "PUT",
            &format!("/v1/acl/clone/{}", f.legacy),
            "",
            acl_write,
            Refuse(403),
        ),
        row(
            "/v1/acl/list",
            "GET",
            "/v1/acl/list",
            "",
            acl_write,
            Refuse(403),
        ),
    ]
}

#[test]
fn every_server_route_needs_exactly_consuls_permission() {
    let ip = reserve_ip();
    let a = acl_agent(&ip, &acl_hcl(""));
    wait_builtins(&a);
    let f = fixture(&a);
    let table = rows(&f);
    let missing: Vec<&str> = ROUTES
        .iter()
        .filter(|(_, n)| *n == Need::Server)
        .map(|(p, _)| *p)
        .filter(|p| !table.iter().any(|r| r.pattern == *p))
        .collect();
    assert!(
        missing.is_empty(),
        "server routes without a row (write down the permission they need): {missing:?}"
    );
    let without = token(&a, &[]);
    let mut wrong = Vec::new();
    for (i, r) in table.iter().enumerate() {
        let body = (!r.body.is_empty()).then_some(r.body.as_str());
        match r.mode {
            Mode::NotApplicable => continue,
            Mode::Refuse(code) => {
                let (s, b) = req(&a, r.method, &r.path, &without, body);
                if s != code {
                    wrong.push(format!(
                        "{} {} without permission: {s} {b}",
                        r.method, r.path
                    ));
                }
                let name = format!("row-{i}");
                policy(&a, &name, &r.rules);
                let with = token(&a, &[&name]);
                let (s, b) = req(&a, r.method, &r.path, &with, body);
                if s == code {
                    wrong.push(format!(
                        "{} {} with {:?}: {s} {b}",
                        r.method, r.path, r.rules
                    ));
                }
            }
            Mode::Filter(marker) => {
                let (s, b) = req(&a, r.method, &r.path, &without, body);
                if s != 200 || b.contains(marker) {
                    wrong.push(format!(
                        "{} {} without permission shows {marker}: {s} {b}",
                        r.method, r.path
                    ));
                }
                let name = format!("row-{i}");
                policy(&a, &name, &r.rules);
                let with = token(&a, &[&name]);
                let (s, b) = req(&a, r.method, &r.path, &with, body);
                if s != 200 || !b.contains(marker) {
                    wrong.push(format!(
                        "{} {} with {:?} lacks {marker}: {s} {b}",
                        r.method, r.path, r.rules
                    ));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "routes off Consul's permission:\n{}",
        wrong.join("\n")
    );
}
