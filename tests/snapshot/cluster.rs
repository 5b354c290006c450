//! A restore through a follower of a three-server cluster reaches every
//! server at once, and the cluster keeps writing above it.

use super::*;

fn server(ip: &IpLease, n: usize, dir: &Path, join: &IpLease) -> Agent {
    AgentBuilder::new(bin(), ip.ip())
        .server(true)
        .bootstrap_expect(3)
        .data_dir(dir)
        .node(&format!("s{n}"))
        .arg("-retry-join")
        .arg(&join.ip().to_string())
        .arg("-retry-interval")
        .arg("1s")
        .start()
        .unwrap()
}

fn leader_of(a: &Agent) -> String {
    http("GET", &a.url("/v1/status/leader"), None)
        .ok()
        .filter(|(s, _, _)| *s == 200)
        .map(|(_, _, b)| {
            String::from_utf8_lossy(&b)
                .trim()
                .trim_matches('"')
                .to_string()
        })
        .unwrap_or_default()
}

#[test]
fn a_restore_through_a_follower_reaches_every_server() {
    // The archive: keys from a dev server.
    let (_dip, dev) = dev_agent();
    for i in 0..5 {
        put_ok(&dev, &format!("/v1/kv/restored/{i}"), "v");
    }
    // Incompressible values, so the image (one Raft entry) is larger than a
    // group-commit batch (4 MiB) and travels to the followers whole.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for i in 0..12 {
        let value: Vec<u8> = (0..400_000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        let (s, _, _) = http(
            "PUT",
            &dev.url(&format!("/v1/kv/restored/big/{i}")),
            Some(&value),
        )
        .unwrap();
        assert_eq!(s, 200);
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("c.snap");
    let saved = cli(&dev, &["snapshot", "save", file.to_str().unwrap()]);
    assert_eq!(saved.code, 0, "{}", saved.err());
    let want = get_json(&dev, "/v1/kv/restored/?recurse");

    let ips: Vec<IpLease> = (0..3).map(|_| reserve_ip()).collect();
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let servers: Vec<Agent> = (0..3)
        .map(|i| server(&ips[i], i + 1, dirs[i].path(), &ips[0]))
        .collect();
    let formed = wait_until(Duration::from_secs(60), || {
        let l: Vec<String> = servers.iter().map(leader_of).collect();
        !l[0].is_empty() && l.iter().all(|x| *x == l[0])
    });
    assert!(formed, "no leader; log:\n{}", servers[0].log());
    let leader = leader_of(&servers[0]);
    let follower = servers
        .iter()
        .find(|a| !leader.starts_with(&format!("{}:", a.ip)))
        .expect("a follower");
    put_ok(follower, "/v1/kv/before", "gone after restore");
    let seen = servers
        .iter()
        .map(|a| index_of(a, "/v1/kv/?recurse&stale"))
        .max()
        .unwrap();

    let out = cli(follower, &["snapshot", "restore", file.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}\n{}", out.err(), follower.log());

    for a in &servers {
        let same = wait_until(Duration::from_secs(10), || {
            http("GET", &a.url("/v1/kv/restored/?recurse&stale"), None).is_ok_and(|(s, _, b)| {
                s == 200 && serde_json::from_slice::<Value>(&b).ok() == Some(want.clone())
            })
        });
        assert!(same, "{} does not serve the restored keys", a.ip);
        assert_eq!(
            call(a, "GET", "/v1/kv/before?stale", None).0,
            404,
            "{}",
            a.ip
        );
        assert!(index_of(a, "/v1/kv/?recurse&stale") > seen, "{}", a.ip);
    }
    // A follower answers a stale save itself, at the same index.
    let (s, h, stale) = http("GET", &follower.url("/v1/snapshot?stale"), None).unwrap();
    assert_eq!(s, 200);
    let stale_index: u64 = header(&h, "X-Consul-Index").unwrap().parse().unwrap();
    assert!(stale_index > seen);
    assert_eq!(
        consul_types::snapshot::read(&stale).unwrap().meta.index,
        stale_index
    );

    // A client agent saves through a server (one RPC frame).
    let cip = reserve_ip();
    let client = AgentBuilder::new(bin(), cip.ip())
        .node("c1")
        .arg("-retry-join")
        .arg(&ips[0].ip().to_string())
        .arg("-retry-interval")
        .arg("1s")
        .start()
        .unwrap();
    let through = dir.path().join("client.snap");
    let saved = wait_until(Duration::from_secs(20), || {
        cli(&client, &["snapshot", "save", through.to_str().unwrap()]).code == 0
    });
    assert!(saved, "client save failed; log:\n{}", client.log());
    let again = std::fs::read(&through).unwrap();
    let a = consul_types::snapshot::read(&again).expect("a verified archive");
    assert!(a.meta.index > seen, "{} <= {seen}", a.meta.index);

    // Writes go on above the restore, on every server alike.
    put_ok(follower, "/v1/kv/after", "1");
    let idx = get_json(follower, "/v1/kv/after")[0]["ModifyIndex"]
        .as_u64()
        .unwrap();
    assert!(idx > seen);
    for a in &servers {
        assert!(
            wait_until(Duration::from_secs(10), || {
                http("GET", &a.url("/v1/kv/after?stale"), None).is_ok_and(|(s, _, b)| {
                    s == 200
                        && serde_json::from_slice::<Value>(&b)
                            .ok()
                            .and_then(|v| v[0]["ModifyIndex"].as_u64())
                            == Some(idx)
                })
            }),
            "{} disagrees on the next index",
            a.ip
        );
    }
}

#[test]
fn a_restored_state_survives_a_restart_with_its_indexes() {
    let (_dip, dev) = dev_agent();
    for i in 0..30 {
        put_ok(&dev, &format!("/v1/kv/big/{i}"), "v");
    }
    let (s, _, archive) = http("GET", &dev.url("/v1/snapshot"), None).unwrap();
    assert_eq!(s, 200);
    let want = get_json(&dev, "/v1/kv/big/?recurse");

    let ip = reserve_ip();
    let dir = tempfile::tempdir().unwrap();
    let mut srv = AgentBuilder::new(bin(), ip.ip())
        .server(true)
        .bootstrap_expect(1)
        .data_dir(dir.path())
        .start()
        .unwrap();
    srv.wait_ready(Duration::from_secs(30)).unwrap();
    let (s, text) = call(&srv, "PUT", "/v1/snapshot", Some(&archive));
    assert_eq!(s, 200, "{text}");
    // The server re-registers itself at once, over the restored catalog.
    let me = format!(
        "/v1/catalog/node/n-{}",
        srv.ip.to_string().replace('.', "-")
    );
    assert!(
        wait_until(Duration::from_secs(5), || call(&srv, "GET", &me, None)
            .1
            .contains("\"consul\"")),
        "{}",
        srv.log()
    );
    let index = index_of(&srv, "/v1/kv/?recurse");

    srv.restart().unwrap();
    srv.wait_ready(Duration::from_secs(30)).unwrap();
    assert_eq!(get_json(&srv, "/v1/kv/big/?recurse"), want, "{}", srv.log());
    assert!(index_of(&srv, "/v1/kv/?recurse") >= index);
    put_ok(&srv, "/v1/kv/next", "1");
    let next = get_json(&srv, "/v1/kv/next")[0]["ModifyIndex"]
        .as_u64()
        .unwrap();
    assert!(next > index, "write at {next} after a restore at {index}");
}
