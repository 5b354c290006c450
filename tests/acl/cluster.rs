//! ACLs on a 3-server cluster bootstrapped through the API, with a client
//! agent that runs `default_policy = "deny"` and registers itself with its
//! agent token: tokens replicate to every server (they live in the Raft
//! log), the client resolves callers' tokens through a server, and every
//! grant survives the leader being killed, and the killed server restarts
//! with every token.

use super::*;

fn server(ip: &IpLease, n: usize, dir: &std::path::Path, join: &IpLease) -> Agent {
    AgentBuilder::new(bin(), ip.ip())
        .server(true)
        .bootstrap_expect(3)
        .data_dir(dir)
        .node(&format!("s{n}"))
        .arg("-retry-join")
        .arg(&join.ip().to_string())
        .arg("-retry-interval")
        .arg("1s")
        .arg("-hcl")
        .arg(r#"acl { enabled = true default_policy = "deny" }"#)
        .start()
        .unwrap()
}

fn leader_of(a: &Agent) -> String {
    match http("GET", &a.url("/v1/status/leader"), None) {
        Ok((200, _, b)) => String::from_utf8_lossy(&b)
            .trim()
            .trim_matches('"')
            .to_string(),
        _ => String::new(),
    }
}

#[test]
fn bootstrap_replicate_resolve_on_a_client_and_survive_failover() {
    let ips: Vec<IpLease> = (0..4).map(|_| reserve_ip()).collect();
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let mut servers: Vec<Agent> = (0..3)
        .map(|i| server(&ips[i], i + 1, dirs[i].path(), &ips[0]))
        .collect();
    assert!(
        wait_until(Duration::from_secs(60), || servers
            .iter()
            .all(|s| !leader_of(s).is_empty())),
        "no leader:\n{}",
        servers[0].log()
    );

    // Bootstrap once, through any server; the second attempt is refused.
    let mut boot = Value::Null;
    assert!(wait_until(Duration::from_secs(20), || {
        let (s, b) = req(&servers[1], "PUT", "/v1/acl/bootstrap", "", None);
        if s == 200 {
            boot = serde_json::from_str(&b).unwrap();
        }
        s == 200
    }));
    let root = boot["SecretID"].as_str().unwrap().to_string();
    assert_eq!(boot["Description"], "Bootstrap Token (Global Management)");
    assert_eq!(boot["Policies"][0]["Name"], "global-management");
    assert_eq!(
        req(&servers[2], "PUT", "/v1/acl/bootstrap", "", None).0,
        403
    );

    // Tokens for the client agent (node write) and a KV reader.
    let mk_policy = |name: &str, rules: &str| {
        let body = json!({"Name": name, "Rules": rules}).to_string();
        ok_json(&servers[0], "PUT", "/v1/acl/policy", &root, Some(&body));
    };
    mk_policy(
        "client",
        r#"node "c1" { policy = "write" } service_prefix "" { policy = "read" }"#,
    );
    mk_policy("kv", r#"key_prefix "cfg/" { policy = "read" }"#);
    let mk_token = |secret: &str, policy: &str| {
        let body = json!({"SecretID": secret, "Policies": [{"Name": policy}]}).to_string();
        ok_json(&servers[0], "PUT", "/v1/acl/token", &root, Some(&body));
    };
    mk_token("client-agent-token", "client");
    mk_token("kv-reader", "kv");
    // Every server answers with them, even a stale read.
    for s in &servers {
        assert!(wait_until(Duration::from_secs(10), || req(
            s,
            "GET",
            "/v1/acl/token/self?stale",
            "kv-reader",
            None
        )
        .0 == 200));
    }

    let mut client = AgentBuilder::new(bin(), ips[3].ip())
        .node("c1")
        .arg("-retry-join")
        .arg(&ips[0].ip().to_string())
        .arg("-retry-interval")
        .arg("1s")
        .arg("-hcl")
        .arg(r#"acl { enabled = true default_policy = "deny" tokens { agent = "client-agent-token" } }"#)
        .start()
        .unwrap();
    client.wait_ready(Duration::from_secs(30)).unwrap();
    // The client registered itself with its agent token.
    assert!(
        wait_until(Duration::from_secs(30), || ok_json(
            &servers[0],
            "GET",
            "/v1/catalog/nodes",
            &root,
            None
        )
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n["Node"] == "c1")),
        "client never registered:\n{}",
        client.log()
    );
    // Callers' tokens are resolved through a server.
    assert_eq!(
        req(&servers[0], "PUT", "/v1/kv/cfg/a", &root, Some("1")).1,
        "true"
    );
    assert_eq!(
        req(&client, "GET", "/v1/kv/cfg/a", "kv-reader", None).0,
        200
    );
    assert_eq!(req(&client, "GET", "/v1/kv/cfg/a", "", None).0, 403);
    assert_eq!(
        req(&client, "PUT", "/v1/kv/cfg/a", "kv-reader", Some("2")).0,
        403
    );
    assert_eq!(
        req(&client, "GET", "/v1/agent/self", "kv-reader", None).0,
        403
    );
    assert_eq!(req(&client, "GET", "/v1/agent/self", &root, None).0, 200);
    assert_eq!(
        req(&client, "GET", "/v1/kv/cfg/a", "bogus", None),
        (403, "ACL not found".into())
    );

    // Kill the leader: the others elect one and every grant still holds.
    let leader = leader_of(&servers[0]);
    let li = servers
        .iter()
        .position(|s| leader.starts_with(&s.ip.to_string()))
        .expect("leader is ours");
    servers[li].kill9();
    let alive: Vec<usize> = (0..3).filter(|i| *i != li).collect();
    assert!(wait_until(Duration::from_secs(30), || {
        let l = leader_of(&servers[alive[0]]);
        !l.is_empty() && l != leader
    }));
    assert!(wait_until(Duration::from_secs(20), || req(
        &servers[alive[0]],
        "PUT",
        "/v1/kv/cfg/b",
        &root,
        Some("1")
    )
    .1 == "true"));
    assert_eq!(
        req(&servers[alive[1]], "GET", "/v1/kv/cfg/b", "kv-reader", None).0,
        200
    );
    assert_eq!(
        req(&servers[alive[1]], "GET", "/v1/kv/cfg/b", "", None).0,
        403
    );
    assert!(wait_until(Duration::from_secs(20), || req(
        &client,
        "GET",
        "/v1/kv/cfg/b",
        "kv-reader",
        None
    )
    .0 == 200));
    // A new leader does not bootstrap again.
    assert_eq!(
        req(&servers[alive[0]], "PUT", "/v1/acl/bootstrap", "", None).0,
        403
    );

    // The killed server restarts from its data dir with every token.
    servers[li].restart().unwrap();
    assert!(
        wait_until(Duration::from_secs(30), || {
            let ok = |path: &str, token: &str| {
                http_with_headers(
                    "GET",
                    &servers[li].url(path),
                    &[("X-Consul-Token", token)],
                    None,
                )
                .map_or(0, |r| r.0)
                    == 200
            };
            ok("/v1/kv/cfg/b?stale", "kv-reader") && ok("/v1/acl/token/self", &root)
        }),
        "the restarted server lost its ACLs:\n{}",
        servers[li].log()
    );
    assert_eq!(
        req(&servers[li], "GET", "/v1/kv/cfg/b?stale", "", None).0,
        403
    );
}
