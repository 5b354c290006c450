//! `down_policy` on client agents when no server answers: a token the
//! client resolved before keeps working under `extend-cache` after its
//! `token_ttl`, is refused under `deny`, and under `allow` even a token the
//! client never saw is let through.

use super::*;

fn client(ip: &IpLease, name: &str, server: &IpLease, down: &str) -> Agent {
    AgentBuilder::new(bin(), ip.ip())
        .node(name)
        .arg("-retry-join")
        .arg(&server.ip().to_string())
        .arg("-hcl")
        .arg(&format!(
            r#"acl {{ enabled = true default_policy = "deny" down_policy = "{down}" token_ttl = "1s" tokens {{ agent = "{ROOT}" }} }}"#
        ))
        .start()
        .unwrap()
}

#[test]
fn down_policy_decides_once_servers_are_gone() {
    let ips: Vec<IpLease> = (0..4).map(|_| reserve_ip()).collect();
    let mut s = acl_agent(&ips[0], &acl_hcl(""));
    wait_builtins(&s);
    policy(&s, "self-read", r#"agent_prefix "" { policy = "read" }"#);
    let seen = token(&s, &["self-read"]);
    let unseen = token(&s, &["self-read"]);
    let clients: Vec<Agent> = [
        ("c-extend", "extend-cache"),
        ("c-deny", "deny"),
        ("c-allow", "allow"),
    ]
    .iter()
    .enumerate()
    .map(|(i, (name, down))| client(&ips[i + 1], name, &ips[0], down))
    .collect();
    // Status of `GET /v1/agent/self` with `t` (0 while the agent is not up).
    let reads = |c: &Agent, t: &str| {
        http_with_headers(
            "GET",
            &c.url("/v1/agent/self"),
            &[("X-Consul-Token", t)],
            None,
        )
        .map_or(0, |r| r.0)
    };
    for c in &clients {
        assert!(
            wait_until(Duration::from_secs(30), || reads(c, &seen) == 200),
            "{} never resolved the token:\n{}",
            c.node,
            c.log()
        );
    }

    s.kill9();
    // Past token_ttl, with no server: deny refuses even the cached token.
    assert!(
        wait_until(Duration::from_secs(30), || reads(&clients[1], &seen) == 403),
        "down_policy=deny kept serving a stale token"
    );
    assert_eq!(
        reads(&clients[0], &seen),
        200,
        "extend-cache dropped a cached token"
    );
    assert_ne!(
        reads(&clients[0], &unseen),
        200,
        "extend-cache granted an unknown token"
    );
    assert_eq!(
        reads(&clients[2], &unseen),
        200,
        "down_policy=allow refused"
    );
}
