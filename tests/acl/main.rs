//! ACLs end to end on real processes: a single server with `default_policy
//! = "deny"` and an initial management token (tokens, policies and roles
//! through the HTTP API as Consul serves them; enforcement on KV, catalog,
//! agent endpoints and the agent-token endpoint; the anonymous token
//! following the default policy), an agent with ACLs disabled (401), and a
//! 3-server cluster bootstrapped through the API with a client agent that
//! registers itself with its agent token, where tokens work on every server
//! and survive a leader kill.
//!
//! Every process binds a leased 127.0.x.y address; every wait is bounded.

#[path = "../common/mod.rs"]
mod common;

mod cli;
mod cli_auth;
mod cluster;
mod dns;
mod down_policy;
mod legacy;
mod login;
mod registration_tokens;
mod routes;
mod server_routes;
mod txn;

use std::time::Duration;

use common::*;
use serde_json::{json, Value};

/// The initial management token of the single-server tests.
pub const ROOT: &str = "root-secret";

/// `acl` block: enabled, default deny, the management token `root`.
pub fn acl_hcl(extra: &str) -> String {
    format!(
        r#"acl {{ enabled = true default_policy = "deny" tokens {{ initial_management = "{ROOT}" {extra} }} }}"#
    )
}

/// A dev agent with ACLs as `hcl`, ready.
pub fn acl_agent(ip: &IpLease, hcl: &str) -> Agent {
    let mut a = AgentBuilder::new(bin(), ip.ip())
        .dev(true)
        .arg("-hcl")
        .arg(hcl)
        .start()
        .expect("agent starts");
    a.wait_ready(Duration::from_secs(30)).expect("ready");
    a
}

/// `method path` with `token` (none when empty); status and body.
pub fn req(a: &Agent, method: &str, path: &str, token: &str, body: Option<&str>) -> (u16, String) {
    let headers: Vec<(&str, &str)> = if token.is_empty() {
        vec![]
    } else {
        vec![("X-Consul-Token", token)]
    };
    let (s, _, b) = http_with_headers(method, &a.url(path), &headers, body.map(str::as_bytes))
        .expect("request");
    (s, String::from_utf8_lossy(&b).into_owned())
}

/// A 200 answer as JSON.
pub fn ok_json(a: &Agent, method: &str, path: &str, token: &str, body: Option<&str>) -> Value {
    let (s, b) = req(a, method, path, token, body);
    assert_eq!(s, 200, "{method} {path}: {b}");
    serde_json::from_str(&b).unwrap_or(Value::Null)
}

/// Create a policy named `name` with `rules`; its ID.
pub fn policy(a: &Agent, name: &str, rules: &str) -> String {
    let body = json!({"Name": name, "Rules": rules}).to_string();
    ok_json(a, "PUT", "/v1/acl/policy", ROOT, Some(&body))["ID"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Create a token with the named policies; its secret.
pub fn token(a: &Agent, policies: &[&str]) -> String {
    let links: Vec<Value> = policies.iter().map(|p| json!({"Name": p})).collect();
    let body = json!({"Description": "test", "Policies": links}).to_string();
    ok_json(a, "PUT", "/v1/acl/token", ROOT, Some(&body))["SecretID"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Wait until the leader has written the builtins (the management token works).
pub fn wait_builtins(a: &Agent) {
    assert!(
        wait_until(Duration::from_secs(20), || req(
            a,
            "GET",
            "/v1/acl/token/self",
            ROOT,
            None
        )
        .0 == 200),
        "management token never became usable:\n{}",
        a.log()
    );
}

#[test]
fn tokens_policies_and_roles_as_consul_serves_them() {
    let ip = reserve_ip();
    let a = acl_agent(&ip, &acl_hcl(""));
    wait_builtins(&a);

    // The builtins.
    let me = ok_json(&a, "GET", "/v1/acl/token/self", ROOT, None);
    assert_eq!(me["Description"], "Master Token");
    assert_eq!(me["Policies"][0]["Name"], "global-management");
    let gm = ok_json(
        &a,
        "GET",
        "/v1/acl/policy/00000000-0000-0000-0000-000000000001",
        ROOT,
        None,
    );
    assert!(gm["Rules"].as_str().unwrap().contains("acl = \"write\""));
    let anon = ok_json(
        &a,
        "GET",
        "/v1/acl/token/00000000-0000-0000-0000-000000000002",
        ROOT,
        None,
    );
    assert_eq!(
        (anon["SecretID"].as_str(), anon["Description"].as_str()),
        (Some("anonymous"), Some("Anonymous Token"))
    );
    // A configured management token ended the bootstrap window.
    let (s, b) = req(&a, "PUT", "/v1/acl/bootstrap", "", None);
    assert_eq!(s, 403, "{b}");
    assert!(
        b.starts_with("Permission denied: ACL bootstrap no longer allowed (reset index: "),
        "{b}"
    );

    // Policies: create, read by ID and name, duplicate name refused, list stub.
    let pid = policy(&a, "kv-read", r#"key_prefix "" { policy = "read" }"#);
    let by_name = ok_json(&a, "GET", "/v1/acl/policy/name/kv-read", ROOT, None);
    assert_eq!(by_name["ID"], pid.as_str());
    assert!(by_name["Hash"].as_str().is_some_and(|h| !h.is_empty()));
    let dup = json!({"Name": "kv-read", "Rules": ""}).to_string();
    let (s, b) = req(&a, "PUT", "/v1/acl/policy", ROOT, Some(&dup));
    assert_eq!(
        (s, b.as_str()),
        (
            500,
            "Invalid Policy: A Policy with Name \"kv-read\" already exists"
        )
    );
    let bad = json!({"Name": "bad", "Rules": "key_prefix \"\" { policy = \"reed\" }"}).to_string();
    assert_eq!(req(&a, "PUT", "/v1/acl/policy", ROOT, Some(&bad)).0, 500);
    let list = ok_json(&a, "GET", "/v1/acl/policies", ROOT, None);
    let stub = list
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["ID"] == pid.as_str())
        .unwrap();
    assert!(
        stub.get("Rules").is_none() && stub["Datacenters"].is_null(),
        "{stub}"
    );

    // Tokens: a chosen 32-hex secret (as client harnesses use), a policy by
    // name, Go's nulls; unknown policy names refused with Consul's text.
    let body = r#"{"Description":"reader","SecretID":"0123456789abcdef0123456789abcdef","Policies":[{"Name":"kv-read"}],"Roles":null,"ServiceIdentities":null,"ExpirationTime":null}"#;
    let t = ok_json(&a, "PUT", "/v1/acl/token", ROOT, Some(body));
    let accessor = t["AccessorID"].as_str().unwrap().to_string();
    assert_eq!(t["Policies"][0]["ID"], pid.as_str());
    assert!(t["CreateTime"].as_str().unwrap().ends_with('Z'));
    let (s, b) = req(
        &a,
        "PUT",
        "/v1/acl/token",
        ROOT,
        Some(r#"{"Policies":[{"Name":"nope"}]}"#),
    );
    assert_eq!(
        (s, b.as_str()),
        (500, "No such ACL policy with name \"nope\"")
    );
    let (s, b) = req(&a, "GET", "/v1/acl/token/zz", ROOT, None);
    assert_eq!(
        (s, b.as_str()),
        (
            500,
            "failed acl token lookup: index error: UUID must be 36 characters"
        )
    );
    let reader = "0123456789abcdef0123456789abcdef";
    assert_eq!(
        ok_json(&a, "GET", "/v1/acl/token/self", reader, None)["AccessorID"],
        accessor.as_str()
    );
    // The reader may not manage ACLs.
    assert_eq!(req(&a, "GET", "/v1/acl/tokens", reader, None).0, 403);

    // Roles carry policies to the tokens that link them.
    let role = json!({"Name": "ops", "Policies": [{"ID": pid}]}).to_string();
    let r = ok_json(&a, "PUT", "/v1/acl/role", ROOT, Some(&role));
    assert_eq!(r["Policies"][0]["Name"], "kv-read");
    let via_role = ok_json(
        &a,
        "PUT",
        "/v1/acl/token",
        ROOT,
        Some(r#"{"Roles":[{"Name":"ops"}]}"#),
    );
    let via_role = via_role["SecretID"].as_str().unwrap().to_string();
    put_kv(&a, "app/x", "1");
    assert_eq!(req(&a, "GET", "/v1/kv/app/x", &via_role, None).0, 200);
    let filtered = ok_json(
        &a,
        "GET",
        &format!("/v1/acl/tokens?role={}", r["ID"].as_str().unwrap()),
        ROOT,
        None,
    );
    assert_eq!(filtered.as_array().unwrap().len(), 1);

    // Clone, update, delete.
    let clone = ok_json(
        &a,
        "PUT",
        &format!("/v1/acl/token/{accessor}/clone"),
        ROOT,
        Some(r#"{"Description":"copy"}"#),
    );
    assert_eq!(clone["Description"], "copy");
    assert_ne!(clone["SecretID"], reader);
    assert_eq!(clone["Policies"][0]["Name"], "kv-read");
    let upd = json!({"Description": "renamed", "Policies": []}).to_string();
    let u = ok_json(
        &a,
        "PUT",
        &format!("/v1/acl/token/{accessor}"),
        ROOT,
        Some(&upd),
    );
    assert_eq!(
        (u["Description"].as_str(), u["SecretID"].as_str()),
        (Some("renamed"), Some(reader))
    );
    assert_eq!(
        req(&a, "GET", "/v1/kv/app/x", reader, None).0,
        403,
        "its grant is gone"
    );
    assert_eq!(
        ok_json(
            &a,
            "DELETE",
            &format!("/v1/acl/token/{accessor}"),
            ROOT,
            None
        ),
        true
    );
    let (s, b) = req(&a, "GET", "/v1/kv/app/x", reader, None);
    assert_eq!((s, b.as_str()), (403, "ACL not found"));
    // Deleting a policy unlinks it from the role, and the role's token loses it.
    ok_json(&a, "DELETE", &format!("/v1/acl/policy/{pid}"), ROOT, None);
    assert_eq!(req(&a, "GET", "/v1/kv/app/x", &via_role, None).0, 403);
    let (s, b) = req(
        &a,
        "DELETE",
        "/v1/acl/policy/00000000-0000-0000-0000-000000000001",
        ROOT,
        None,
    );
    assert_eq!(s, 500, "{b}");
}

fn put_kv(a: &Agent, key: &str, v: &str) {
    let (s, b) = req(a, "PUT", &format!("/v1/kv/{key}"), ROOT, Some(v));
    assert_eq!((s, b.as_str()), (200, "true"));
}

#[test]
fn every_path_enforces_and_lists_are_filtered() {
    let ip = reserve_ip();
    let a = acl_agent(&ip, &acl_hcl(""));
    wait_builtins(&a);
    for k in ["app/a", "app/b", "secret/c"] {
        put_kv(&a, k, "v");
    }
    policy(
        &a,
        "app-rw",
        r#"key_prefix "app/" { policy = "write" } key "app/b" { policy = "deny" }"#,
    );
    policy(
        &a,
        "web",
        r#"service "web" { policy = "write" } node_prefix "" { policy = "read" }"#,
    );
    let app = token(&a, &["app-rw"]);
    let web = token(&a, &["web"]);

    // KV: exact deny beats the prefix, lists are filtered, writes checked.
    assert_eq!(req(&a, "GET", "/v1/kv/app/a", &app, None).0, 200);
    assert_eq!(req(&a, "GET", "/v1/kv/app/b", &app, None).0, 403);
    assert_eq!(req(&a, "GET", "/v1/kv/secret/c", &app, None).0, 403);
    let keys = ok_json(&a, "GET", "/v1/kv/?keys", &app, None);
    assert_eq!(keys, json!(["app/a"]));
    let (s, b) = req(&a, "PUT", "/v1/kv/app/new", &app, Some("1"));
    assert_eq!((s, b.as_str()), (200, "true"));
    assert_eq!(req(&a, "PUT", "/v1/kv/secret/c", &app, Some("1")).0, 403);
    assert_eq!(
        req(&a, "DELETE", "/v1/kv/app?recurse", &app, None).0,
        403,
        "app/b is denied below"
    );
    // The anonymous token follows default_policy = deny.
    let (s, b) = req(&a, "GET", "/v1/kv/app/a", "", None);
    assert_eq!((s, b.as_str()), (403, "Permission denied"));
    // A list filtered to nothing is a 404, like any empty KV list.
    assert_eq!(req(&a, "GET", "/v1/kv/?recurse", "", None).0, 404);
    assert_eq!(
        ok_json(&a, "GET", "/v1/kv/?recurse", &app, None)
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // An unknown secret is "ACL not found".
    assert_eq!(
        req(&a, "GET", "/v1/kv/app/a", "bogus", None),
        (403, "ACL not found".into())
    );

    // Agent endpoints: registering needs service:write on its name.
    let svc = |name: &str| json!({"Name": name, "Port": 80}).to_string();
    assert_eq!(
        req(
            &a,
            "PUT",
            "/v1/agent/service/register",
            &web,
            Some(&svc("web"))
        )
        .0,
        200
    );
    assert_eq!(
        req(
            &a,
            "PUT",
            "/v1/agent/service/register",
            &web,
            Some(&svc("db"))
        )
        .0,
        403
    );
    assert_eq!(
        req(
            &a,
            "PUT",
            "/v1/agent/service/register",
            ROOT,
            Some(&svc("db"))
        )
        .0,
        200
    );
    let seen = ok_json(&a, "GET", "/v1/agent/services", &web, None);
    assert!(
        seen.get("web").is_some() && seen.get("db").is_none(),
        "{seen}"
    );
    assert_eq!(
        req(&a, "PUT", "/v1/agent/service/deregister/db", &web, None).0,
        403
    );
    assert_eq!(req(&a, "GET", "/v1/agent/self", &web, None).0, 403);
    assert_eq!(req(&a, "GET", "/v1/agent/self", ROOT, None).0, 200);
    assert_eq!(req(&a, "PUT", "/v1/agent/reload", &web, None).0, 403);
    // The catalog is filtered on the server.
    assert!(wait_until(Duration::from_secs(10), || {
        ok_json(&a, "GET", "/v1/catalog/services", ROOT, None)
            .get("db")
            .is_some()
    }));
    let cat = ok_json(&a, "GET", "/v1/catalog/services", &web, None);
    assert!(cat.get("web").is_some() && cat.get("db").is_none(), "{cat}");
    assert_eq!(
        ok_json(&a, "GET", "/v1/catalog/service/db", &web, None),
        json!([])
    );
    assert!(!ok_json(&a, "GET", "/v1/catalog/nodes", &web, None)
        .as_array()
        .unwrap()
        .is_empty());
    assert_eq!(
        ok_json(&a, "GET", "/v1/catalog/nodes", &app, None),
        json!([])
    );
    // Members need node:read.
    assert_eq!(
        ok_json(&a, "GET", "/v1/agent/members", &app, None),
        json!([])
    );
    assert_eq!(
        ok_json(&a, "GET", "/v1/agent/members", &web, None)
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // Status needs nothing.
    assert_eq!(req(&a, "GET", "/v1/status/leader", "", None).0, 200);

    // What a UI asks before showing a page.
    let asks = r#"[{"Resource":"key","Segment":"app/a","Access":"write"},{"Resource":"operator","Access":"read"},{"Resource":"service","Segment":"web","Access":"write"}]"#;
    let answers = ok_json(&a, "POST", "/v1/internal/acl/authorize", &app, Some(asks));
    let allowed: Vec<bool> = answers
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["Allow"].as_bool().unwrap())
        .collect();
    assert_eq!(allowed, [true, false, false]);
    let (s, b) = req(
        &a,
        "POST",
        "/v1/internal/acl/authorize",
        &app,
        Some(r#"[{"Resource":"nope","Access":"read"}]"#),
    );
    assert_eq!(
        (s, b.as_str()),
        (400, "Invalid ACL resource requested: \"nope\"")
    );

    // Agent tokens need acl:write; unknown kinds are 404.
    let body = r#"{"Token":"abc"}"#;
    assert_eq!(
        req(&a, "PUT", "/v1/agent/token/default", &web, Some(body)).0,
        403
    );
    assert_eq!(
        req(&a, "PUT", "/v1/agent/token/acl_token", ROOT, Some(body)).0,
        200
    );
    assert_eq!(
        req(&a, "PUT", "/v1/agent/token/nope", ROOT, Some(body)).0,
        404
    );
    // A default token now stands in for requests without one.
    let t = format!(r#"{{"Token":"{app}"}}"#);
    assert_eq!(
        req(&a, "PUT", "/v1/agent/token/default", ROOT, Some(&t)).0,
        200
    );
    assert_eq!(req(&a, "GET", "/v1/kv/app/a", "", None).0, 200);
}

#[test]
fn acl_endpoints_answer_401_when_acls_are_disabled() {
    let (_ip, a) = dev_agent();
    for (m, p) in [
        ("PUT", "/v1/acl/bootstrap"),
        ("GET", "/v1/acl/tokens"),
        ("GET", "/v1/acl/token/self"),
        ("PUT", "/v1/acl/policy"),
        ("PUT", "/v1/agent/token/default"),
        ("POST", "/v1/internal/acl/authorize"),
    ] {
        let (s, b) = req(&a, m, p, "", Some("{}"));
        assert_eq!((s, b.as_str()), (401, "ACL support disabled"), "{m} {p}");
    }
    // Everything else is open, whatever token is sent.
    assert_eq!(req(&a, "PUT", "/v1/kv/k", "whatever", Some("v")).0, 200);
}
