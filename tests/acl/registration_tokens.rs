//! A service registered through a client agent keeps syncing with the
//! token it was registered with, across a restart of that agent (the token
//! is persisted with the definition, as Consul does), while the agent's
//! own token may not write it.

use super::*;

#[test]
fn a_restarted_client_syncs_persisted_services_with_their_tokens() {
    let ips: Vec<IpLease> = (0..2).map(|_| reserve_ip()).collect();
    let s = acl_agent(&ips[0], &acl_hcl(""));
    wait_builtins(&s);
    policy(&s, "c1-node", r#"node "c1" { policy = "write" }"#);
    let agent_token = token(&s, &["c1-node"]);
    policy(&s, "web-write", r#"service "web" { policy = "write" }"#);
    let web_token = token(&s, &["web-write"]);

    let dir = tempfile::tempdir().unwrap();
    let mut c = AgentBuilder::new(bin(), ips[1].ip())
        .node("c1")
        .data_dir(dir.path())
        .arg("-retry-join")
        .arg(&ips[0].ip().to_string())
        .arg("-hcl")
        .arg(&format!(
            r#"acl {{ enabled = true default_policy = "deny" tokens {{ agent = "{agent_token}" }} }}"#
        ))
        .start()
        .unwrap();
    let in_catalog = || {
        http_with_headers(
            "GET",
            &s.url("/v1/catalog/service/web"),
            &[("X-Consul-Token", ROOT)],
            None,
        )
        .is_ok_and(|(st, _, b)| st == 200 && String::from_utf8_lossy(&b).contains("\"c1\""))
    };
    let registered = wait_until(Duration::from_secs(30), || {
        http_with_headers(
            "PUT",
            &c.url("/v1/agent/service/register"),
            &[("X-Consul-Token", web_token.as_str())],
            Some(br#"{"Name":"web","Port":80}"#),
        )
        .is_ok_and(|r| r.0 == 200)
    });
    assert!(registered, "registration failed:\n{}", c.log());
    assert!(
        wait_until(Duration::from_secs(30), in_catalog),
        "never synced"
    );

    // Take it out of the catalog behind the agent's back, then restart the
    // agent: it comes back only if the restored definition syncs with the
    // token it was registered with (the agent token may not write `web`).
    c.stop();
    let body = r#"{"Node":"c1","ServiceID":"web"}"#;
    assert_eq!(
        req(&s, "PUT", "/v1/catalog/deregister", ROOT, Some(body)).0,
        200
    );
    assert!(!in_catalog());
    c.restart().unwrap();
    assert!(
        wait_until(Duration::from_secs(30), in_catalog),
        "the restored service did not sync with its token:\n{}",
        c.log()
    );
}
