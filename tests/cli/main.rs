//! End-to-end tests of the `consul` CLI verbs against a real `consul agent
//! -dev` on a private loopback address: exact output, exit codes, and the
//! address/token plumbing (`CONSUL_HTTP_ADDR`, `-http-addr`,
//! `CONSUL_HTTP_TOKEN`, `-token`).

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use consul_testkit::{reserve_ip, run_cli, Agent, AgentBuilder, CliOutput, IpLease};

fn bin() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_consul"))
}

/// A dev agent on its own address; the lease outlives the agent (fields drop
/// in order).
struct Dev {
    agent: Agent,
    _lease: IpLease,
}

impl Dev {
    fn start() -> Dev {
        let lease = reserve_ip();
        let mut agent = AgentBuilder::new(bin(), &lease)
            .dev(true)
            .start()
            .expect("spawn agent");
        agent
            .wait_ready(Duration::from_secs(30))
            .expect("agent ready");
        Dev {
            agent,
            _lease: lease,
        }
    }

    /// Run the CLI with `CONSUL_HTTP_ADDR` pointing at this agent.
    fn cli(&self, args: &[&str]) -> CliOutput {
        self.cli_in(args, None)
    }

    fn cli_in(&self, args: &[&str], stdin: Option<&[u8]>) -> CliOutput {
        run_cli(
            bin(),
            args,
            &[("CONSUL_HTTP_ADDR", &self.agent.http_addr)],
            stdin,
        )
    }

    /// Like [`Dev::cli`] but requires success and returns stdout.
    fn ok(&self, args: &[&str]) -> String {
        let o = self.cli(args);
        assert_eq!(o.code, 0, "consul {args:?}: stderr {:?}", o.err());
        o.out()
    }
}

/// Exit 1 with exactly one line on stderr and nothing on stdout.
fn assert_one_line_error(o: &CliOutput, expected: &str) {
    assert_eq!(o.code, 1, "stdout {:?} stderr {:?}", o.out(), o.err());
    assert_eq!(o.err(), format!("{expected}\n"));
    assert_eq!(o.out(), "");
}

#[test]
fn version_prints_text_and_json() {
    let o = run_cli(bin(), &["version"], &[], None);
    assert_eq!(o.code, 0);
    let out = o.out();
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some("Consul v1.10.12"));
    assert!(out.contains(
        "Protocol 2 spoken by default, understands 2 to 3 (agent will automatically use protocol >2 when speaking to compatible agents)"
    ));
    let o = run_cli(bin(), &["version", "-format=json"], &[], None);
    assert_eq!(o.code, 0);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["Version"], "1.10.12");
    assert_eq!(v["Prerelease"], "");
    for alias in ["--version", "-v"] {
        let o = run_cli(bin(), &[alias], &[], None);
        assert_eq!(o.code, 0);
        assert!(o.out().starts_with("Consul v1.10.12\n"));
    }
}

#[test]
fn unknown_command_prints_usage() {
    let o = run_cli(bin(), &["frobnicate"], &[], None);
    assert_eq!(o.code, 127);
    assert!(o
        .err()
        .starts_with("Usage: consul [--version] [--help] <command> [<args>]"));
    assert!(o.err().contains("    kv "));
    let o = run_cli(bin(), &["kv"], &[], None);
    assert_eq!(o.code, 1);
    assert!(o.err().contains("put"));
}

#[test]
fn bad_flags_are_one_line_errors() {
    let o = run_cli(bin(), &["kv", "get", "-bogus", "k"], &[], None);
    assert_one_line_error(&o, "flag provided but not defined: -bogus");
    let o = run_cli(bin(), &["kv", "put", "-flags=abc", "k", "v"], &[], None);
    assert_eq!(o.code, 1);
    assert!(o.err().starts_with("invalid value \"abc\" for flag -flags"));
    let o = run_cli(bin(), &["kv", "get"], &[], None);
    assert_one_line_error(&o, "Error! Missing KEY argument");
}

#[test]
fn unreachable_agent_is_a_one_line_error() {
    // Port 1 on loopback: nothing listens there.
    let o = run_cli(
        bin(),
        &["kv", "get", "-http-addr=127.0.0.1:1", "k"],
        &[],
        None,
    );
    assert_eq!(o.code, 1);
    let err = o.err();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("Error querying Consul agent: Get \"http://127.0.0.1:1/v1/kv/k\": "),
        "{err}"
    );
}

#[test]
fn kv_put_get_delete() {
    let dev = Dev::start();
    assert_eq!(
        dev.ok(&["kv", "put", "app/name", "web"]),
        "Success! Data written to: app/name\n"
    );
    assert_eq!(dev.ok(&["kv", "get", "app/name"]), "web\n");

    // -flags, empty value, a value starting with a dash after the key.
    dev.ok(&["kv", "put", "-flags=42", "app/flagged", "x"]);
    dev.ok(&["kv", "put", "app/empty"]);
    dev.ok(&["kv", "put", "app/dash", "-5"]);
    assert_eq!(dev.ok(&["kv", "get", "app/empty"]), "\n");
    assert_eq!(dev.ok(&["kv", "get", "app/dash"]), "-5\n");

    // @file, stdin, base64.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("v.txt");
    std::fs::write(&file, b"from file").unwrap();
    dev.ok(&["kv", "put", "app/file", &format!("@{}", file.display())]);
    assert_eq!(dev.ok(&["kv", "get", "app/file"]), "from file\n");
    let o = dev.cli_in(&["kv", "put", "app/stdin", "-"], Some(b"from stdin"));
    assert_eq!(o.code, 0, "{}", o.err());
    assert_eq!(dev.ok(&["kv", "get", "app/stdin"]), "from stdin\n");
    dev.ok(&["kv", "put", "-base64", "app/b64", "aGVsbG8="]);
    assert_eq!(dev.ok(&["kv", "get", "app/b64"]), "hello\n");
    // Like Consul, -base64 encodes values in -recurse and -detailed output
    // only; a plain get prints the raw value.
    assert_eq!(dev.ok(&["kv", "get", "-base64", "app/b64"]), "hello\n");
    assert_eq!(
        dev.ok(&["kv", "get", "-base64", "-recurse", "app/b64"]),
        "app/b64:aGVsbG8=\n"
    );

    // -detailed: the aligned metadata block.
    let detailed = dev.ok(&["kv", "get", "-detailed", "app/flagged"]);
    let lines: Vec<&str> = detailed.lines().collect();
    assert_eq!(lines.len(), 7, "{detailed}");
    assert!(lines[0].starts_with("CreateIndex      "));
    assert_eq!(lines[1], "Flags            42");
    assert_eq!(lines[2], "Key              app/flagged");
    assert_eq!(lines[3], "LockIndex        0");
    assert!(lines[4].starts_with("ModifyIndex      "));
    assert_eq!(lines[5], "Session          -");
    assert_eq!(lines[6], "Value            x");

    // -recurse and -keys with separators.
    dev.ok(&["kv", "put", "app/sub/deep", "d"]);
    let rec = dev.ok(&["kv", "get", "-recurse", "app/"]);
    assert!(
        rec.starts_with("app/b64:hello\napp/dash:-5\napp/empty:\n"),
        "{rec}"
    );
    assert!(rec.contains("app/sub/deep:d\n"));
    let keys = dev.ok(&["kv", "get", "-keys", "app/"]);
    assert!(keys.contains("app/sub/\n"), "{keys}");
    assert!(!keys.contains("app/sub/deep"), "{keys}");
    let all = dev.ok(&["kv", "get", "-keys", "-separator=", "app/"]);
    assert!(all.contains("app/sub/deep\n"), "{all}");
    assert_eq!(dev.ok(&["kv", "get", "-keys"]), "app/\n");

    // A missing key.
    let o = dev.cli(&["kv", "get", "app/nope"]);
    assert_one_line_error(&o, "Error! No key exists at: app/nope");

    // CAS put: wrong index fails, the right one succeeds.
    let idx = modify_index(&dev, "app/name");
    let o = dev.cli(&["kv", "put", "-cas", "-modify-index=999999", "app/name", "x"]);
    assert_one_line_error(&o, "Error! Did not write to app/name: CAS failed");
    let o = dev.cli(&["kv", "put", "-cas", "app/name", "x"]);
    assert_one_line_error(&o, "Must specify -modify-index with -cas!");
    dev.ok(&[
        "kv",
        "put",
        "-cas",
        &format!("-modify-index={idx}"),
        "app/name",
        "api",
    ]);
    assert_eq!(dev.ok(&["kv", "get", "app/name"]), "api\n");

    // Delete: one key, CAS, prefix.
    assert_eq!(
        dev.ok(&["kv", "delete", "app/dash"]),
        "Success! Deleted key: app/dash\n"
    );
    assert_eq!(dev.cli(&["kv", "get", "app/dash"]).code, 1);
    let o = dev.cli(&["kv", "delete", "-cas", "-modify-index=999999", "app/name"]);
    assert_one_line_error(&o, "Error! Did not delete key app/name: CAS failed");
    let idx = modify_index(&dev, "app/name");
    assert_eq!(
        dev.ok(&[
            "kv",
            "delete",
            "-cas",
            &format!("-modify-index={idx}"),
            "app/name"
        ]),
        "Success! Deleted key: app/name\n"
    );
    assert_eq!(
        dev.ok(&["kv", "delete", "-recurse", "app/"]),
        "Success! Deleted keys with prefix: app/\n"
    );
    assert_eq!(dev.ok(&["kv", "get", "-recurse", "app/"]), "");
}

fn modify_index(dev: &Dev, key: &str) -> u64 {
    dev.ok(&["kv", "get", "-detailed", key])
        .lines()
        .find_map(|l| l.strip_prefix("ModifyIndex"))
        .and_then(|v| v.trim().parse().ok())
        .expect("ModifyIndex line")
}

#[test]
fn kv_export_import_round_trip() {
    let dev = Dev::start();
    dev.ok(&["kv", "put", "cfg/a", "1"]);
    dev.ok(&["kv", "put", "-flags=7", "cfg/b/c", "two words"]);
    dev.ok(&["kv", "put", "cfg/empty"]);
    dev.ok(&["kv", "put", "other", "x"]);
    let exported = dev.ok(&["kv", "export", "cfg/"]);
    assert!(
        exported.starts_with(
            "[\n\t{\n\t\t\"key\": \"cfg/a\",\n\t\t\"flags\": 0,\n\t\t\"value\": \"MQ==\"\n\t},"
        ),
        "{exported}"
    );
    let v: serde_json::Value = serde_json::from_str(&exported).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 3);
    assert_eq!(v[1]["flags"], 7);
    assert_eq!(v[2]["value"], "");

    // Import from stdin into a wiped tree gives the same export.
    dev.ok(&["kv", "delete", "-recurse", "cfg/"]);
    let o = dev.cli_in(&["kv", "import", "-"], Some(exported.as_bytes()));
    assert_eq!(o.code, 0, "{}", o.err());
    assert_eq!(
        o.out(),
        "Imported: cfg/a\nImported: cfg/b/c\nImported: cfg/empty\n"
    );
    assert_eq!(dev.ok(&["kv", "export", "cfg/"]), exported);

    // And from @file and inline.
    dev.ok(&["kv", "delete", "-recurse", "cfg/"]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("kv.json");
    std::fs::write(&file, &exported).unwrap();
    dev.ok(&["kv", "import", &format!("@{}", file.display())]);
    assert_eq!(dev.ok(&["kv", "export", "cfg/"]), exported);
    dev.ok(&[
        "kv",
        "import",
        r#"[{"key":"inline","flags":0,"value":"aGk="}]"#,
    ]);
    assert_eq!(dev.ok(&["kv", "get", "inline"]), "hi\n");
    assert_eq!(dev.ok(&["kv", "export", "nothing-here/"]), "[]\n");
}

#[test]
fn catalog_members_reload_leave() {
    let mut dev = Dev::start();
    let node = dev.agent.node.clone();
    let ip = dev.agent.ip.to_string();

    assert_eq!(dev.ok(&["catalog", "datacenters"]), "dc1\n");

    let nodes = dev.ok(&["catalog", "nodes"]);
    let lines: Vec<&str> = nodes.lines().collect();
    assert_eq!(lines.len(), 2, "{nodes}");
    let header: Vec<&str> = lines[0].split_whitespace().collect();
    assert_eq!(header, ["Node", "ID", "Address", "DC"]);
    let row: Vec<&str> = lines[1].split_whitespace().collect();
    assert_eq!(row[0], node);
    assert_eq!(row[1].len(), 8, "short node id: {row:?}");
    assert_eq!(row[2], ip);
    assert_eq!(row[3], "dc1");
    // Columns align: each header word starts where its values start.
    assert_eq!(lines[0].find("Address"), lines[1].find(&ip));
    let detailed = dev.ok(&["catalog", "nodes", "-detailed"]);
    assert!(detailed.starts_with("Node"), "{detailed}");
    assert!(detailed.lines().next().unwrap().contains("TaggedAddresses"));
    assert!(detailed.contains(&format!("lan={ip}")), "{detailed}");

    assert_eq!(dev.ok(&["catalog", "services"]), "consul\n");
    assert_eq!(dev.ok(&["catalog", "services", "-tags"]), "consul\n");

    let members = dev.ok(&["members"]);
    let lines: Vec<&str> = members.lines().collect();
    let header: Vec<&str> = lines[0].split_whitespace().collect();
    assert_eq!(
        header,
        ["Node", "Address", "Status", "Type", "Build", "Protocol", "DC", "Segment"]
    );
    let row: Vec<&str> = lines[1].split_whitespace().collect();
    assert_eq!(row[0], node);
    assert_eq!(row[1], format!("{ip}:8301"));
    assert_eq!(&row[2..4], ["alive", "server"]);
    assert_eq!(row[4], "1.10.12");
    assert_eq!(row[6], "dc1");
    let detailed = dev.ok(&["members", "-detailed"]);
    assert!(detailed.contains("role=consul"), "{detailed}");
    assert_eq!(dev.cli(&["members", "-status=failed"]).code, 2);
    assert_eq!(dev.ok(&["members", "-status=ali"]).lines().count(), 2);

    let o = dev.cli(&["kv", "get", "-datacenter=nope", "k"]);
    assert_one_line_error(
        &o,
        "Error querying Consul agent: Unexpected response code: 500 (No path to datacenter)",
    );

    assert_eq!(dev.ok(&["reload"]), "Configuration reload triggered\n");
    assert_eq!(dev.ok(&["leave"]), "Graceful leave complete\n");
    let status = dev
        .agent
        .wait_exit(Duration::from_secs(15))
        .expect("agent exits after leave");
    assert!(status.success(), "{status}");
}

/// A one-shot HTTP server that records the first request's head and
/// answers `body` as JSON.
fn fake_agent(body: &'static str) -> (IpLease, String, mpsc::Receiver<String>) {
    let lease = reserve_ip();
    let listener = TcpListener::bind((lease.ip(), 0)).unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(4) {
            let Ok(mut s) = stream else { continue };
            let mut buf = vec![0u8; 8192];
            let mut head = Vec::new();
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match s.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                }
            }
            let _ = tx.send(String::from_utf8_lossy(&head).to_string());
            let resp = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Consul-Index: 1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = s.write_all(resp.as_bytes());
        }
    });
    (lease, addr, rx)
}

fn token_header(head: &str) -> Option<String> {
    head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case("x-consul-token")
            .then(|| v.trim().to_string())
    })
}

#[test]
fn address_and_token_come_from_env_and_flags() {
    let (_lease, addr, rx) = fake_agent(r#"["dc1"]"#);
    let recv = || rx.recv_timeout(Duration::from_secs(10)).expect("request");

    // CONSUL_HTTP_ADDR (with scheme) and CONSUL_HTTP_TOKEN.
    let url = format!("http://{addr}");
    let o = run_cli(
        bin(),
        &["catalog", "datacenters"],
        &[
            ("CONSUL_HTTP_ADDR", &url),
            ("CONSUL_HTTP_TOKEN", "env-token"),
        ],
        None,
    );
    assert_eq!(o.out(), "dc1\n", "{}", o.err());
    let head = recv();
    assert!(
        head.starts_with("GET /v1/catalog/datacenters HTTP/1.1\r\n"),
        "{head}"
    );
    assert_eq!(token_header(&head).as_deref(), Some("env-token"));

    // -http-addr and -token win over the environment.
    let o = run_cli(
        bin(),
        &[
            "catalog",
            "datacenters",
            "-http-addr",
            &addr,
            "-token=flag-token",
        ],
        &[
            ("CONSUL_HTTP_ADDR", "127.0.0.1:1"),
            ("CONSUL_HTTP_TOKEN", "env-token"),
        ],
        None,
    );
    assert_eq!(o.out(), "dc1\n", "{}", o.err());
    assert_eq!(token_header(&recv()).as_deref(), Some("flag-token"));

    // No token at all: no header.
    let o = run_cli(
        bin(),
        &["catalog", "datacenters", &format!("-http-addr={addr}")],
        &[],
        None,
    );
    assert_eq!(o.code, 0, "{}", o.err());
    assert_eq!(token_header(&recv()), None);
}
