//! Snapshots against real agents: `consul snapshot save` from a server with
//! KV, catalog, session and ACL data; `restore` into a fresh server (the same
//! data, no index going backwards, a blocking query woken); `inspect`; damaged
//! and too-new archives refused with nothing changed; and a restore into a
//! three-server cluster seen by every server (`cluster.rs`).

#[path = "../common/mod.rs"]
mod common;

mod cluster;
mod damage;

use std::path::Path;
use std::time::Duration;

use common::*;
use consul_testkit::{run_cli, CliOutput};
use serde_json::{json, Value};

/// The management token of the ACL-enabled agents.
const ROOT: &str = "snap-root";

/// A dev agent with ACLs on (default deny, management token [`ROOT`]).
fn acl_agent(ip: &IpLease) -> Agent {
    let hcl = format!(
        r#"acl {{ enabled = true default_policy = "deny" tokens {{ initial_management = "{ROOT}" }} }}"#
    );
    let mut a = AgentBuilder::new(bin(), ip.ip())
        .dev(true)
        .arg("-hcl")
        .arg(&hcl)
        .start()
        .expect("agent starts");
    a.wait_ready(Duration::from_secs(30)).expect("ready");
    a
}

/// `method path` with `token` (none when empty); status and body.
fn req(a: &Agent, method: &str, path: &str, token: &str, body: Option<&[u8]>) -> (u16, String) {
    let headers: Vec<(&str, &str)> = if token.is_empty() {
        vec![]
    } else {
        vec![("X-Consul-Token", token)]
    };
    let (s, _, b) = http_with_headers(method, &a.url(path), &headers, body).expect("request");
    (s, String::from_utf8_lossy(&b).into_owned())
}

/// A 200 answer as JSON, with the management token.
fn root_json(a: &Agent, method: &str, path: &str, body: Option<&str>) -> Value {
    let (s, b) = req(a, method, path, ROOT, body.map(str::as_bytes));
    assert_eq!(s, 200, "{method} {path}: {b}");
    serde_json::from_str(&b).unwrap_or(Value::Null)
}

/// `consul <args…>` against `a`.
fn cli(a: &Agent, args: &[&str]) -> CliOutput {
    let addr = a
        .url("")
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let mut argv: Vec<&str> = args.to_vec();
    argv.insert(2, "-http-addr");
    argv.insert(3, &addr);
    run_cli(bin(), &argv, &[], None)
}

/// `X-Consul-Index` of a GET with the management token.
fn root_index(a: &Agent, path: &str) -> u64 {
    let (_, h, _) =
        http_with_headers("GET", &a.url(path), &[("X-Consul-Token", ROOT)], None).expect("GET");
    header(&h, "X-Consul-Index")
        .expect("index")
        .parse()
        .expect("number")
}

/// What a restore must carry across, read with the management token.
fn observed(a: &Agent, session: &str, accessor: &str) -> Vec<Value> {
    vec![
        root_json(a, "GET", "/v1/kv/?recurse", None),
        root_json(a, "GET", "/v1/catalog/node/ext", None),
        root_json(a, "GET", "/v1/health/node/ext", None),
        root_json(a, "GET", &format!("/v1/session/info/{session}"), None),
        root_json(a, "GET", &format!("/v1/acl/token/{accessor}"), None),
        root_json(a, "GET", "/v1/acl/policy/name/snap-readers", None),
    ]
}

/// KV, catalog, session and ACL data on `a`; the session ID, the token's
/// accessor and secret.
fn populate(a: &Agent) -> (String, String, String) {
    for (k, v) in [("app/one", "1"), ("app/two", "2"), ("other", "x")] {
        let (s, b) = req(a, "PUT", &format!("/v1/kv/{k}"), ROOT, Some(v.as_bytes()));
        assert_eq!((s, b.as_str()), (200, "true"));
    }
    let reg = json!({
        "Node": "ext", "Address": "10.0.0.9",
        "Service": {"ID": "web1", "Service": "web", "Port": 80, "Tags": ["a"]},
        "Check": {"CheckID": "ext-up", "Name": "up", "Status": "passing"},
    });
    root_json(a, "PUT", "/v1/catalog/register", Some(&reg.to_string()));
    let session = root_json(
        a,
        "PUT",
        "/v1/session/create",
        Some(r#"{"Node":"ext","Name":"snap","NodeChecks":["ext-up"]}"#),
    )["ID"]
        .as_str()
        .expect("session id")
        .to_string();
    let rules = r#"key_prefix "app/" { policy = "read" }"#;
    root_json(
        a,
        "PUT",
        "/v1/acl/policy",
        Some(&json!({"Name": "snap-readers", "Rules": rules}).to_string()),
    );
    let token = root_json(
        a,
        "PUT",
        "/v1/acl/token",
        Some(r#"{"Description":"snap reader","Policies":[{"Name":"snap-readers"}]}"#),
    );
    (
        session,
        token["AccessorID"].as_str().expect("accessor").to_string(),
        token["SecretID"].as_str().expect("secret").to_string(),
    )
}

#[test]
fn save_inspect_and_restore_into_a_fresh_server() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("backup.snap");
    let file_s = file.to_str().unwrap();
    let (ip_a, ip_b) = (reserve_ip(), reserve_ip());
    let a = acl_agent(&ip_a);
    let (session, accessor, secret) = populate(&a);

    // Without acl:write the save is refused and no file is left behind.
    let refused = cli(&a, &["snapshot", "save", file_s]);
    assert_eq!(refused.code, 1, "{}", refused.out());
    assert!(
        refused.err().contains("Error saving snapshot"),
        "{}",
        refused.err()
    );
    assert!(
        refused.err().contains("Permission denied"),
        "{}",
        refused.err()
    );
    let reader = cli(&a, &["snapshot", "save", "-token", &secret, file_s]);
    assert_eq!(reader.code, 1, "a read-only token may not save");
    assert!(!file.exists() && !dir.path().join("backup.snap.unverified").exists());

    let saved = cli(&a, &["snapshot", "save", "-token", ROOT, file_s]);
    assert_eq!(saved.code, 0, "{}", saved.err());
    assert!(
        saved.err().is_empty(),
        "no progress when stderr is not a terminal"
    );
    let index: u64 = saved
        .out()
        .trim()
        .strip_prefix("Saved and verified snapshot to index ")
        .unwrap_or_else(|| panic!("{}", saved.out()))
        .parse()
        .unwrap();
    assert!(index >= root_index(&a, "/v1/acl/tokens"));
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let before = observed(&a, &session, &accessor);

    // inspect: Consul's layout, with our tables and their rows.
    let insp = run_cli(bin(), &["snapshot", "inspect", file_s], &[], None);
    assert_eq!(insp.code, 0, "{}", insp.err());
    let out = insp.out();
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with(" ID           "), "{out}");
    assert_eq!(lines[2], format!(" Index        {index}"), "{out}");
    assert_eq!(lines[4], " Version      1", "{out}");
    assert!(
        lines[6].starts_with(" Type ") && lines[6].contains("Count"),
        "{out}"
    );
    let count = |table: &str| -> Option<String> {
        lines
            .iter()
            .find(|l| l.split_whitespace().next() == Some(table))
            .and_then(|l| l.split_whitespace().nth(1).map(str::to_string))
    };
    assert_eq!(count("kvs").as_deref(), Some("3"), "{out}");
    assert_eq!(count("sessions").as_deref(), Some("1"), "{out}");
    assert_eq!(count("acl-policies").as_deref(), Some("2"), "{out}");
    assert!(
        count("nodes").is_some() && count("acl-tokens").is_some(),
        "{out}"
    );
    assert!(lines.last().unwrap().starts_with(" Total "), "{out}");
    let kv = run_cli(
        bin(),
        &["snapshot", "inspect", "-kvdetails", "-kvdepth", "1", file_s],
        &[],
        None,
    );
    let kv_part = kv.out();
    let kv_part = kv_part
        .split("\n\n")
        .nth(2)
        .unwrap_or_else(|| panic!("{}", kv.out()));
    let row = |name: &str| {
        kv_part
            .lines()
            .find(|l| l.split_whitespace().next() == Some(name))
            .and_then(|l| l.split_whitespace().nth(1).map(str::to_string))
    };
    assert!(kv_part.starts_with(" Key Name "), "{kv_part}");
    assert_eq!(row("app").as_deref(), Some("2"), "{kv_part}");
    assert_eq!(row("other").as_deref(), Some("1"), "{kv_part}");
    let js = run_cli(
        bin(),
        &["snapshot", "inspect", "-format=json", file_s],
        &[],
        None,
    );
    let v: Value = serde_json::from_str(&js.out()).expect("inspect JSON");
    assert_eq!(v["Meta"]["Index"], index);
    assert!(v["Stats"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["Name"] == "kvs" && s["Count"] == 3));

    // A fresh server that has seen more writes than the snapshot holds.
    let b = acl_agent(&ip_b);
    for i in 0..(index + 10) {
        let (s, _) = req(&b, "PUT", &format!("/v1/kv/b/{i}"), ROOT, Some(b"v"));
        assert_eq!(s, 200);
    }
    let seen = root_index(&b, "/v1/kv/?recurse");
    assert!(seen > index);
    // A blocking query from before the restore wakes with the restored data.
    let url = b.url(&format!("/v1/kv/?recurse&index={seen}&wait=30s"));
    let waiter = std::thread::spawn(move || {
        http_with_headers("GET", &url, &[("X-Consul-Token", ROOT)], None).expect("blocking GET")
    });
    std::thread::sleep(Duration::from_millis(300));

    let restored = cli(&b, &["snapshot", "restore", "-token", ROOT, file_s]);
    assert_eq!(restored.code, 0, "{}\n{}", restored.err(), b.log());
    assert_eq!(restored.out().trim(), "Restored snapshot");

    let (status, headers, body) = waiter.join().unwrap();
    assert_eq!(status, 200);
    let woke: u64 = header(&headers, "X-Consul-Index").unwrap().parse().unwrap();
    assert!(woke > seen, "index went from {seen} to {woke}");
    let keys: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        keys, before[0],
        "the blocking query answers the restored keys"
    );

    assert_eq!(observed(&b, &session, &accessor), before, "data identical");
    // The restored token works on the new server; indexes keep growing.
    let (s, _) = req(&b, "GET", "/v1/kv/app/one", &secret, None);
    assert_eq!(s, 200);
    for path in ["/v1/catalog/nodes", "/v1/acl/tokens", "/v1/session/list"] {
        assert!(root_index(&b, path) > seen, "{path} went backwards");
    }
    let (s, _) = req(&b, "PUT", "/v1/kv/after", ROOT, Some(b"1"));
    assert_eq!(s, 200);
    let after = root_json(&b, "GET", "/v1/kv/after", None);
    assert!(after[0]["ModifyIndex"].as_u64().unwrap() > woke);
}

/// Write `bytes` to a file in `dir` named `name`; its path as a string.
fn write_file(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p.to_str().unwrap().to_string()
}
