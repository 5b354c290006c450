//! With ACLs on, the filter sees only what the token may read: it is
//! applied after the ACL filter, so it can neither reveal nor count what
//! the token cannot see.

use std::time::Duration;

use serde_json::json;

use super::common::*;
use super::{field, filtered, register_catalog_as};

const ROOT: &str = "root-secret";

#[test]
fn the_filter_applies_to_what_the_token_may_read() {
    let ip = reserve_ip();
    let hcl = format!(
        r#"acl {{ enabled = true default_policy = "deny" tokens {{ initial_management = "{ROOT}" }} }}"#
    );
    let mut agent = AgentBuilder::new(bin(), ip.ip())
        .dev(true)
        .arg("-hcl")
        .arg(&hcl)
        .start()
        .expect("agent starts");
    agent.wait_ready(Duration::from_secs(30)).expect("ready");
    let as_root = |method: &str, path: &str, body: &str| {
        let sep = if path.contains('?') { '&' } else { '?' };
        call(
            &agent,
            method,
            &format!("{path}{sep}token={ROOT}"),
            Some(body.as_bytes()),
        )
    };
    assert!(
        wait_until(Duration::from_secs(20), || as_root(
            "GET",
            "/v1/acl/token/self",
            ""
        )
        .0 == 200),
        "management token never became usable:\n{}",
        agent.log()
    );
    register_catalog_as(&agent, ROOT);
    let rules = r#"node_prefix "web" { policy = "read" } service_prefix "" { policy = "read" }"#;
    let (status, body) = as_root(
        "PUT",
        "/v1/acl/policy",
        &json!({"Name": "web-nodes", "Rules": rules}).to_string(),
    );
    assert_eq!(status, 200, "{body}");
    let (status, body) = as_root(
        "PUT",
        "/v1/acl/token",
        &json!({"Policies": [{"Name": "web-nodes"}]}).to_string(),
    );
    assert_eq!(status, 200, "{body}");
    let token: serde_json::Value = serde_json::from_str(&body).unwrap();
    let secret = token["SecretID"].as_str().unwrap();

    let read = |path: &str, expr: &str, token: &str| {
        get_json(&agent, &format!("{}&token={token}", filtered(path, expr)))
    };
    // db1 is prod too, but not readable with this token.
    let prod = read("/v1/catalog/nodes", "Meta.env == prod", secret);
    assert_eq!(field(&prod, "Node"), ["web1"]);
    let prod = read("/v1/catalog/nodes", "Meta.env == prod", ROOT);
    assert_eq!(field(&prod, "Node"), ["db1", "web1"]);
    let checks = read("/v1/health/state/any", "Status != passing", secret);
    assert_eq!(field(&checks, "CheckID"), ["web2-alive"]);
}
