//! The ACL matrix, generated from the agent's route table
//! (`consul_agent::http::acl_routes::ROUTES`): every registered route
//! consults ACLs — an unknown secret gets 403 "ACL not found" on each one,
//! except the few Consul serves without a token — and every route the agent
//! checks itself answers 403 to a token lacking its permission and passes a
//! token holding exactly that permission. A route added without a
//! declaration fails the agent's unit test; one that forgets to resolve its
//! token fails here.

use consul_agent::http::acl_routes::{Need, ROUTES};

use super::*;

/// A concrete path for a route pattern.
fn sample(pattern: &str) -> String {
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let end = rest[i..].find('}').unwrap() + i;
        let var = rest[i + 1..end].trim_start_matches('*');
        out.push_str(match var {
            "kind" => "default",
            "id" => "00000000-0000-0000-0000-0000000000aa",
            "addr" => "127.0.0.1",
            _ => "x",
        });
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

/// The first method `path` accepts (from `Allow` on OPTIONS).
fn method_of(a: &Agent, path: &str) -> String {
    let (_, headers, _) = http("OPTIONS", &a.url(path), None).unwrap();
    header(&headers, "Allow")
        .unwrap_or("GET")
        .split(',')
        .find(|m| *m != "OPTIONS")
        .unwrap_or("GET")
        .to_string()
}

/// Routes whose handler refuses a missing argument (400) before it reads
/// the token, in Consul as here.
const VALIDATES_FIRST: &[&str] = &[
    "/v1/kv/",
    "/v1/event/fire/",
    "/v1/session/destroy/",
    "/v1/session/renew/",
    "/v1/session/info/",
    "/v1/session/node/",
    "/v1/acl/update",
];

/// A well-formed request for `pattern`: its path (with query) and body.
fn request_for(pattern: &str) -> (String, &'static str) {
    match pattern {
        "/v1/txn" | "/v1/internal/acl/authorize" => (sample(pattern), "[]"),
        "/v1/operator/raft/peer" => (format!("{}?id=x", sample(pattern)), "{}"),
        // A real level would stream until the client leaves.
        "/v1/agent/monitor" => (format!("{}?loglevel=bogus", sample(pattern)), "{}"),
        _ => (sample(pattern), "{}"),
    }
}

/// Routes Consul answers without resolving a token.
const OPEN: &[&str] = &[
    "/v1/status/leader",
    "/v1/status/peers",
    "/v1/catalog/datacenters",
    "/v1/acl/replication",
    "/v1/acl/login",
    "/v1/agent/version",
];

/// The rules granting exactly what `need` asks for on node `node`.
fn rules_for(need: Need, node: &str) -> Option<String> {
    Some(match need {
        Need::AgentRead => format!(r#"agent "{node}" {{ policy = "read" }}"#),
        Need::AgentWrite => format!(r#"agent "{node}" {{ policy = "write" }}"#),
        Need::NodeWrite => format!(r#"node "{node}" {{ policy = "write" }}"#),
        Need::OperatorRead => r#"operator = "read""#.into(),
        Need::OperatorWrite => r#"operator = "write""#.into(),
        Need::Keyring => r#"keyring = "write""#.into(),
        Need::AclWrite => r#"acl = "write""#.into(),
        Need::Server | Need::Anyone | Need::Handler => return None,
    })
}

#[test]
fn every_route_resolves_its_token_and_agent_routes_need_their_permission() {
    let ip = reserve_ip();
    let a = acl_agent(&ip, &acl_hcl(""));
    wait_builtins(&a);
    let node = ok_json(&a, "GET", "/v1/agent/self", ROOT, None)["Config"]["NodeName"]
        .as_str()
        .unwrap()
        .to_string();
    let mut checked = 0;
    let mut wrong = Vec::new();
    for (pattern, need) in ROUTES {
        let (path, body) = request_for(pattern);
        // Leave, reload and force-leave would stop or change the agent under test.
        let disruptive = ["/v1/agent/leave", "/v1/agent/reload"].contains(pattern);
        let method = method_of(&a, &path);
        let (s, b) = req(&a, &method, &path, "bogus-secret", Some(body));
        if VALIDATES_FIRST.contains(pattern) {
            assert_eq!(s, 400, "{method} {path}: {b}");
            continue;
        }
        if OPEN.contains(pattern) {
            assert_ne!(
                (s, b.as_str()),
                (403, "ACL not found"),
                "{method} {path} is open in Consul"
            );
            continue;
        }
        if (s, b.as_str()) != (403, "ACL not found") {
            wrong.push(format!("{method} {path}: {s} {b}"));
            continue;
        }
        checked += 1;
        let Some(rules) = rules_for(*need, &node) else {
            continue;
        };
        let without = token(&a, &[]);
        assert_eq!(
            req(&a, &method, &path, &without, Some(body)).0,
            403,
            "{method} {path} without permission"
        );
        if disruptive {
            continue;
        }
        let name = format!("p{checked}");
        policy(&a, &name, &rules);
        let with = token(&a, &[&name]);
        let (s, b) = req(&a, &method, &path, &with, Some(body));
        assert_ne!(s, 403, "{method} {path} with exactly {rules:?}: {b}");
    }
    assert!(
        wrong.is_empty(),
        "routes that did not resolve their token:\n{}",
        wrong.join("\n")
    );
    assert!(checked >= 55, "only {checked} routes checked");
}
