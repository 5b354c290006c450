//! A client agent sends the filter with its read; the server filters, so
//! the client answers exactly what the server does (and the same 400).

use std::time::Duration;

use super::common::*;
use super::{assert_refused, filtered, register_catalog};

#[test]
fn a_client_agent_answers_what_the_server_filters() {
    let (_sip, server) = dev_agent();
    let cip = reserve_ip();
    let client = AgentBuilder::new(bin(), cip.ip())
        .node("c1")
        .arg("-retry-join")
        .arg(&server.ip.to_string())
        .arg("-retry-interval")
        .arg("1s")
        .start()
        .expect("client starts");
    register_catalog(&server);

    let reads = [
        ("/v1/catalog/nodes", "Meta.env == prod"),
        (
            "/v1/catalog/service/web",
            r#"ServiceTags contains "primary""#,
        ),
        ("/v1/catalog/node/db1", "Tags is empty"),
        ("/v1/health/service/web", "Checks.Status != passing"),
        ("/v1/health/state/any", r#"Node matches "^web""#),
        ("/v1/internal/ui/nodes", "Meta.env == dev"),
    ];
    // (0, None) while the agent is not listening yet.
    let on = |a: &Agent, path: &str, expr: &str| {
        http("GET", &a.url(&filtered(path, expr)), None).map_or((0, None), |(status, _, body)| {
            (
                status,
                serde_json::from_slice::<serde_json::Value>(&body).ok(),
            )
        })
    };
    let joined = wait_until(Duration::from_secs(30), || {
        on(&client, "/v1/catalog/nodes", "Node == db1").0 == 200
    });
    assert!(joined, "client never reached the server:\n{}", client.log());
    for (path, expr) in reads {
        let want = on(&server, path, expr);
        assert_eq!(want.0, 200, "{path} {expr} on the server");
        let got = on(&client, path, expr);
        assert_eq!(got, want, "{path} filtered by {expr:?} on the client");
    }
    let nodes = on(&client, "/v1/catalog/nodes", "Meta.env == prod")
        .1
        .unwrap();
    assert_eq!(super::field(&nodes, "Node"), ["db1", "web1"]);

    assert_refused(
        &client,
        "/v1/health/checks/web",
        "Nope == 1",
        r#"Selector "Nope" is not valid"#,
    );
}
