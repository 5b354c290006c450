//! `?filter=` (Consul's bexpr expressions) on every endpoint that takes it,
//! against real agents: a dev server alone, and a client agent whose reads
//! the servers filter.

#[path = "../common/mod.rs"]
mod common;

mod acl;
mod client;

use common::*;
use serde_json::{json, Value};

/// `expr` percent-encoded for a query string.
fn enc(expr: &str) -> String {
    let mut out = String::new();
    for b in expr.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `path` with `?filter=<expr>` (or `&filter=` when it has a query already).
fn filtered(path: &str, expr: &str) -> String {
    let sep = if path.contains('?') { '&' } else { '?' };
    format!("{path}{sep}filter={}", enc(expr))
}

/// GET `path` filtered by `expr`; the JSON answer.
fn get_filtered(agent: &Agent, path: &str, expr: &str) -> Value {
    get_json(agent, &filtered(path, expr))
}

/// The `field` of every element of a JSON list, in order.
fn field(v: &Value, field: &str) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("not a list: {v}"))
        .iter()
        .map(|e| e[field].as_str().unwrap_or_default().to_string())
        .collect()
}

/// The keys of a JSON object, sorted.
fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {v}"))
        .keys()
        .cloned()
        .collect();
    k.sort();
    k
}

/// Three catalog nodes: web1 (prod, a primary `web` whose check passes),
/// web2 (dev, a secondary `web` whose check is critical) and db1 (prod, a
/// primary `db`, an untagged `cache` and a node check in warning).
fn register_catalog(agent: &Agent) {
    register_catalog_as(agent, "");
}

/// [`register_catalog`] with `token` ("" = the agent's default).
fn register_catalog_as(agent: &Agent, token: &str) {
    let path = if token.is_empty() {
        "/v1/catalog/register".to_string()
    } else {
        format!("/v1/catalog/register?token={token}")
    };
    let regs = [
        json!({
            "Node": "web1", "Address": "10.0.0.1", "NodeMeta": {"env": "prod"},
            "Service": {"ID": "web1", "Service": "web", "Tags": ["primary", "v1"],
                        "Meta": {"a b": "x"}, "Port": 80},
            "Check": {"CheckID": "web1-alive", "Name": "alive", "Status": "passing",
                      "ServiceID": "web1"}
        }),
        json!({
            "Node": "web2", "Address": "10.0.0.2", "NodeMeta": {"env": "dev"},
            "Service": {"ID": "web2", "Service": "web", "Tags": ["secondary"], "Port": 80},
            "Check": {"CheckID": "web2-alive", "Name": "alive", "Status": "critical",
                      "ServiceID": "web2"}
        }),
        json!({
            "Node": "db1", "Address": "10.0.0.3", "NodeMeta": {"env": "prod"},
            "Service": {"ID": "db", "Service": "db", "Tags": ["primary"], "Port": 5432},
            "Check": {"CheckID": "disk", "Name": "disk", "Status": "warning"}
        }),
        json!({
            "Node": "db1", "Address": "10.0.0.3", "NodeMeta": {"env": "prod"},
            "Service": {"ID": "cache", "Service": "cache", "Port": 6379}
        }),
    ];
    for r in regs {
        put_ok(agent, &path, &r.to_string());
    }
}

/// A 400 whose body is one line starting with Consul's words.
fn assert_refused(agent: &Agent, path: &str, expr: &str, reason: &str) {
    let (status, body) = call(agent, "GET", &filtered(path, expr), None);
    assert_eq!(status, 400, "GET {path} filter {expr:?}: {body}");
    let body = body.trim_end();
    assert_eq!(
        body,
        format!("Failed to create boolean expression evaluator: {reason}"),
        "GET {path} filter {expr:?}"
    );
    assert!(!body.contains('\n'), "one line: {body:?}");
}

#[test]
fn catalog_endpoints_filter_on_the_server() {
    let (_ip, agent) = dev_agent();
    register_catalog(&agent);

    let prod = get_filtered(&agent, "/v1/catalog/nodes", "Meta.env == prod");
    assert_eq!(field(&prod, "Node"), ["db1", "web1"]);
    let web = get_filtered(&agent, "/v1/catalog/nodes", r#"Node matches "^web""#);
    assert_eq!(field(&web, "Node"), ["web1", "web2"]);
    // An empty filter is no filter.
    let all = get_json(&agent, "/v1/catalog/nodes?filter=");
    assert_eq!(all.as_array().unwrap().len(), 4, "{all}");

    let svc = "/v1/catalog/service/web";
    let primary = get_filtered(&agent, svc, r#"ServiceTags contains "primary""#);
    assert_eq!(field(&primary, "Node"), ["web1"]);
    let spaced = get_filtered(&agent, svc, r#"ServiceMeta["a b"] == x"#);
    assert_eq!(field(&spaced, "ServiceID"), ["web1"]);
    let has_key = get_filtered(&agent, svc, r#""a b" in ServiceMeta"#);
    assert_eq!(field(&has_key, "ServiceID"), ["web1"]);
    // As in bexpr with a Go type, `is empty` applies to maps and lists, not strings.
    let no_meta = get_filtered(&agent, svc, "ServiceMeta is empty");
    assert_eq!(field(&no_meta, "ServiceID"), ["web2"]);
    assert_refused(
        &agent,
        svc,
        r#"ServiceMeta["a b"] is not empty"#,
        r#"Invalid match operator "Is Not Empty" for selector "ServiceMeta.a b""#,
    );
    let both = get_filtered(&agent, &format!("{svc}?tag=primary"), "NodeMeta.env == dev");
    assert_eq!(both, json!([]), "?tag and ?filter both apply");

    // A node's services are filtered; the node itself is always there.
    let node = get_filtered(&agent, "/v1/catalog/node/db1", "Tags contains primary");
    assert_eq!(node["Node"]["Node"], "db1");
    assert_eq!(keys(&node["Services"]), ["db"]);
    let none = get_filtered(&agent, "/v1/catalog/node/db1", "Port == 1");
    assert_eq!(none["Services"], json!({}));
    let list = get_filtered(&agent, "/v1/catalog/node-services/db1", "Tags is empty");
    assert_eq!(field(&list["Services"], "Service"), ["cache"]);

    // Consul 1.10's /v1/catalog/services takes no filter: it is ignored.
    let services = get_filtered(&agent, "/v1/catalog/services", "Nope == 1");
    assert_eq!(keys(&services), ["cache", "consul", "db", "web"]);

    // The index is the table's, not the filtered result's, so blocking
    // queries behave as without a filter.
    assert_eq!(
        index_of(&agent, &filtered("/v1/catalog/nodes", "Node == nosuch")),
        index_of(&agent, "/v1/catalog/nodes")
    );

    assert_refused(
        &agent,
        "/v1/catalog/nodes",
        "Nope == 1",
        r#"Selector "Nope" is not valid"#,
    );
    assert_refused(
        &agent,
        svc,
        "ServicePort == abc",
        r#"Failed to coerce value "abc" for selector "ServicePort": strconv.ParseInt: parsing "abc": invalid syntax"#,
    );
    let (status, body) = call(&agent, "GET", &filtered(svc, "ServiceName =="), None);
    assert_eq!(status, 400, "{body}");
    assert!(
        body.starts_with("Failed to create boolean expression evaluator: 1:"),
        "{body}"
    );
}

#[test]
fn health_agent_and_ui_endpoints_filter() {
    let (_ip, agent) = dev_agent();
    register_catalog(&agent);

    let checks = get_filtered(&agent, "/v1/health/node/db1", "Status == warning");
    assert_eq!(field(&checks, "CheckID"), ["disk"]);
    let failing = get_filtered(&agent, "/v1/health/checks/web", "Status != passing");
    assert_eq!(field(&failing, "CheckID"), ["web2-alive"]);
    let critical = get_filtered(&agent, "/v1/health/state/any", "ServiceName == web");
    assert_eq!(field(&critical, "CheckID"), ["web1-alive", "web2-alive"]);
    let on_web2 = get_filtered(&agent, "/v1/health/state/critical", "Node == web2");
    assert_eq!(field(&on_web2, "CheckID"), ["web2-alive"]);

    let entries = |expr: &str| -> Vec<String> {
        get_filtered(&agent, "/v1/health/service/web", expr)
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["Node"]["Node"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(entries("Checks.Status != passing"), ["web2"]);
    assert_eq!(
        entries(r#"Service.Tags contains "primary" and Node.Meta.env == prod"#),
        ["web1"]
    );
    assert_eq!(entries("not Service.ID == web1"), ["web2"]);
    assert_refused(
        &agent,
        "/v1/health/service/web",
        "Service.Nope == 1",
        r#"Selector "Service.Nope" is not valid"#,
    );
    assert_refused(
        &agent,
        "/v1/health/state/any",
        "ServiceName matches \"(\"",
        &format!(
            "Failed to compile regular expression \"(\": {}",
            consul_filter_regex_reason()
        ),
    );

    // The UI's summaries: node rows (NodeInfo), service instances
    // (CheckServiceNode) before they are summarized.
    let rows = get_filtered(&agent, "/v1/internal/ui/nodes", "Meta.env == prod");
    assert_eq!(field(&rows, "Node"), ["db1", "web1"]);
    let rows = get_filtered(&agent, "/v1/internal/ui/nodes", "Checks.Status == warning");
    assert_eq!(field(&rows, "Node"), ["db1"]);
    let sums = get_filtered(
        &agent,
        "/v1/internal/ui/services",
        "Service.Tags contains primary",
    );
    assert_eq!(field(&sums, "Name"), ["db", "web"]);
    let web = sums.as_array().unwrap().iter().find(|s| s["Name"] == "web");
    assert_eq!(web.unwrap()["InstanceCount"], 1, "{sums}");
    assert_refused(
        &agent,
        "/v1/internal/ui/nodes",
        "Nope == 1",
        r#"Selector "Nope" is not valid"#,
    );

    // The agent's own services and checks are filtered on the agent.
    let api = json!({"Name": "api", "Tags": ["primary"], "Meta": {"env": "prod"}, "Port": 8080,
                     "Check": {"CheckID": "api-ttl", "Name": "api ttl", "TTL": "60s"}});
    let worker = json!({"Name": "worker", "Tags": ["batch"], "Port": 9090});
    put_ok(&agent, "/v1/agent/service/register", &api.to_string());
    put_ok(&agent, "/v1/agent/service/register", &worker.to_string());
    let svcs = get_filtered(&agent, "/v1/agent/services", "Tags contains primary");
    assert_eq!(keys(&svcs), ["api"]);
    let svcs = get_filtered(&agent, "/v1/agent/services", "Meta.env != prod");
    assert_eq!(keys(&svcs), ["worker"]);
    let checks = get_filtered(&agent, "/v1/agent/checks", "ServiceName == api");
    assert_eq!(keys(&checks), ["api-ttl"]);
    let checks = get_filtered(&agent, "/v1/agent/checks", "Status == passing");
    assert_eq!(
        keys(&checks),
        Vec::<String>::new(),
        "a new TTL check is critical"
    );
    assert_refused(
        &agent,
        "/v1/agent/services",
        "Port == abc",
        r#"Failed to coerce value "abc" for selector "Port": strconv.ParseInt: parsing "abc": invalid syntax"#,
    );
    assert_refused(
        &agent,
        "/v1/agent/checks",
        "Nope is empty",
        r#"Selector "Nope" is not valid"#,
    );
}

/// What the filter crate says about the regular expression `(`, so the test
/// does not depend on the regex engine's wording.
fn consul_filter_regex_reason() -> String {
    match consul_filter::Filter::parse(r#"X matches "(""#) {
        Err(consul_filter::FilterError::Regex { reason, .. }) => reason,
        other => panic!("expected a regex error, got {other:?}"),
    }
}

/// A blocking query with a filter waits on the table's index, as without
/// one: any change to the table wakes it, and it answers the filtered list
/// with the table's new index.
#[test]
fn a_blocking_query_with_a_filter_keeps_the_table_index() {
    let (_ip, agent) = dev_agent();
    register_catalog(&agent);
    let path = filtered("/v1/catalog/nodes", "Meta.env == prod");
    let before = index_of(&agent, &path);
    let url = agent.url(&format!("{path}&index={before}&wait=10s"));
    let waiter = std::thread::spawn(move || http("GET", &url, None).expect("blocking read"));
    std::thread::sleep(std::time::Duration::from_millis(300));
    let reg = json!({"Node": "web3", "Address": "10.0.0.4", "NodeMeta": {"env": "dev"}});
    put_ok(&agent, "/v1/catalog/register", &reg.to_string());
    let (status, headers, body) = waiter.join().unwrap();
    assert_eq!(status, 200);
    let after: u64 = header(&headers, "X-Consul-Index").unwrap().parse().unwrap();
    assert!(after > before, "{after} > {before}");
    assert_eq!(after, index_of(&agent, "/v1/catalog/nodes"));
    let nodes: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(field(&nodes, "Node"), ["db1", "web1"]);
}

/// `consul catalog nodes -filter` sends the expression (to
/// /v1/catalog/nodes, or with `-service` to /v1/catalog/service/<s>).
#[test]
fn catalog_nodes_cli_takes_a_filter() {
    let (_ip, agent) = dev_agent();
    register_catalog(&agent);
    let addr = format!("-http-addr={}", agent.http_addr);
    let run = |extra: &[&str]| {
        let mut args = vec!["catalog", "nodes", addr.as_str()];
        args.extend_from_slice(extra);
        consul_testkit::run_cli(bin(), &args, &[], None)
    };
    let nodes = |out: &str| -> Vec<String> {
        out.lines()
            .skip(1)
            .filter_map(|l| l.split_whitespace().next().map(str::to_string))
            .collect()
    };
    let o = run(&["-filter", "Meta.env == prod"]);
    assert_eq!(o.code, 0, "{}", o.err());
    assert_eq!(nodes(&o.out()), ["db1", "web1"]);
    let o = run(&[
        "-service",
        "web",
        "-filter",
        "ServiceTags contains secondary",
    ]);
    assert_eq!(o.code, 0, "{}", o.err());
    assert_eq!(nodes(&o.out()), ["web2"]);
    let o = run(&["-filter", "Meta.env == nowhere"]);
    assert_eq!(o.code, 0, "{}", o.err());
    assert!(
        o.err().contains("No nodes match the given query"),
        "{}",
        o.err()
    );
    let o = run(&["-filter", "Nope == 1"]);
    assert_eq!(o.code, 1);
    assert!(
        o.err().contains(
            r#"Failed to create boolean expression evaluator: Selector "Nope" is not valid"#
        ),
        "{}",
        o.err()
    );
}
