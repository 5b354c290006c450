//! Three servers and a client agent: sessions and locks made through the
//! client outlive a leader kill (the new leader re-arms every TTL timer, no
//! lock is lost or doubly held), and a held lock is released when its
//! holder's node fails in gossip.

use std::time::{Duration, Instant};

use serde_json::Value;

use super::common::*;
use super::{acquire, create_session, holder, session_exists};

fn agent(ip: &IpLease, name: &str, join: &IpLease, dir: Option<&std::path::Path>) -> Agent {
    let mut b = AgentBuilder::new(bin(), ip.ip())
        .node(name)
        .arg("-retry-join")
        .arg(&join.ip().to_string())
        .arg("-retry-interval")
        .arg("1s");
    if let Some(dir) = dir {
        b = b
            .server(true)
            .bootstrap_expect(3)
            .data_dir(dir)
            .arg("-hcl")
            .arg("performance { raft_multiplier = 1 }");
    }
    b.start().unwrap()
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

fn logs(agents: &[&Agent]) -> String {
    agents
        .iter()
        .map(|a| format!("== {}\n{}", a.node, a.log()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A default (leader) read through `a` answers.
fn reads(a: &Agent) -> bool {
    matches!(
        http("GET", &a.url("/v1/session/list"), None),
        Ok((200, _, _))
    )
}

#[test]
fn sessions_and_locks_survive_a_leader_kill_and_die_with_their_node() {
    let ips: Vec<IpLease> = (0..4).map(|_| reserve_ip()).collect();
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let mut servers: Vec<Agent> = (0..3)
        .map(|i| {
            agent(
                &ips[i],
                &format!("s{}", i + 1),
                &ips[0],
                Some(dirs[i].path()),
            )
        })
        .collect();
    let mut c = agent(&ips[3], "c1", &ips[0], None);
    let formed = wait_until(Duration::from_secs(90), || {
        let l = leader_of(&servers[0]);
        !l.is_empty()
            && servers.iter().all(|s| leader_of(s) == l)
            && reads(&c)
            // The client's own node (with its serfHealth) is in the catalog.
            && call(&c, "PUT", "/v1/session/create", Some(b"{\"Name\":\"probe\"}")).0 == 200
    });
    let all = |s: &[Agent], c: &Agent| logs(&s.iter().chain([c]).collect::<Vec<_>>());
    assert!(formed, "cluster did not form:\n{}", all(&servers, &c));

    // Through the client: a session on the client's node holding a lock, and
    // a TTL session.
    let s = create_session(&c, r#"{"Name":"holder","LockDelay":"1s"}"#);
    assert_eq!(
        get_json(&c, &format!("/v1/session/info/{s}"))[0]["Node"],
        "c1"
    );
    assert!(acquire(&c, "cluster/lock", &s));
    let ttl = create_session(&c, r#"{"Name":"ttl","TTL":"10s","LockDelay":0}"#);
    // The rival lives on a server that survives the kill below (a session on
    // the killed node dies with its serfHealth, as it should).
    let leader_addr = leader_of(&servers[0]);
    let li = servers
        .iter()
        .position(|a| leader_addr.starts_with(&format!("{}:", a.ip)))
        .expect("leader is one of ours");
    let survivors: Vec<usize> = (0..3).filter(|i| *i != li).collect();
    let other = survivors[0];
    let rival = create_session(
        &servers[other],
        &format!(r#"{{"Node":"{}","LockDelay":0}}"#, servers[other].node),
    );
    assert!(!acquire(&servers[other], "cluster/lock", &rival));

    // Kill -9 the leader.
    servers[li].kill9();
    let new_leader = wait_until(Duration::from_secs(60), || {
        let l = leader_of(&servers[survivors[0]]);
        !l.is_empty() && l != leader_addr && leader_of(&servers[survivors[1]]) == l && reads(&c)
    });
    assert!(new_leader, "no new leader:\n{}", all(&servers, &c));
    let killed_at = Instant::now();

    // The session and its lock are intact; the rival still cannot take it.
    assert!(session_exists(&c, &s));
    assert_eq!(holder(&c, "cluster/lock").as_deref(), Some(s.as_str()));
    assert!(!acquire(&servers[other], "cluster/lock", &rival));

    // The new leader re-armed the TTL timer at full TTL: renewing keeps it
    // alive past 2 × TTL of the old timer, and it lapses once renewals stop.
    let mut last_renew = Instant::now();
    while killed_at.elapsed() < Duration::from_secs(22) {
        let (status, body) = call(&c, "PUT", &format!("/v1/session/renew/{ttl}"), None);
        assert_eq!(status, 200, "renew through the client: {body}");
        last_renew = Instant::now();
        std::thread::sleep(Duration::from_secs(2));
    }
    assert!(session_exists(&c, &ttl), "a renewed session expired");
    assert!(
        wait_until(Duration::from_secs(40), || !session_exists(&c, &ttl)),
        "the new leader never expired the TTL session"
    );
    let lapse = last_renew.elapsed();
    assert!(
        lapse >= Duration::from_secs(10),
        "expired before its TTL: {lapse:?}"
    );
    assert!(lapse <= Duration::from_secs(30), "expired late: {lapse:?}");

    // Kill -9 the holder's agent: gossip marks its node failed, serfHealth
    // goes critical, and the session dies releasing the lock.
    c.kill9();
    let released = wait_until(Duration::from_secs(90), || {
        holder(&servers[other], "cluster/lock").as_deref() == Some("")
    });
    assert!(
        released,
        "the lock outlived its holder's node:\n{}",
        all(&servers, &c)
    );
    assert!(!session_exists(&servers[other], &s));
    // After its lock-delay the rival takes it.
    assert!(wait_until(Duration::from_secs(15), || acquire(
        &servers[other],
        "cluster/lock",
        &rival
    )));
    let e: Value = get_json(&servers[other], "/v1/kv/cluster/lock");
    assert_eq!(e[0]["LockIndex"].as_u64(), Some(2));
}
