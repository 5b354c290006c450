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
fn info_prints_the_agents_stats_by_section() {
    let dev = Dev::start();
    let out = dev.ok(&["info"]);
    let sections: Vec<&str> = out.lines().filter(|l| !l.starts_with('\t')).collect();
    assert_eq!(
        sections,
        [
            "agent:",
            "build:",
            "consul:",
            "raft:",
            "runtime:",
            "serf_lan:"
        ],
        "{out}"
    );
    assert!(out.contains("\tleader = true\n"), "{out}");
    assert!(out.contains("\tversion = 1.10.12\n"), "{out}");
    assert!(
        out.contains(&format!("\tleader_addr = {}:8300\n", dev.agent.ip)),
        "{out}"
    );
    // Keys sorted within a section.
    let raft: Vec<&str> = out
        .split("raft:\n")
        .nth(1)
        .unwrap()
        .lines()
        .take_while(|l| l.starts_with('\t'))
        .collect();
    let mut sorted = raft.clone();
    sorted.sort();
    assert_eq!(raft, sorted);
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

fn agent_json(dev: &Dev, path: &str) -> serde_json::Value {
    let (status, _, body) = consul_testkit::http("GET", &dev.agent.url(path), None).expect("GET");
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    serde_json::from_slice(&body).expect("json")
}

#[test]
fn validate_reports_valid_invalid_and_unknown_keys() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let conf = d.join("conf");
    std::fs::create_dir(&conf).unwrap();
    std::fs::write(
        conf.join("a.json"),
        r#"{"data_dir": "/tmp/x", "server": true, "service": {"name": "web", "port": 80}}"#,
    )
    .unwrap();
    std::fs::write(
        conf.join("b.hcl"),
        "log_level = \"debug\"\nservice {\n  name = \"api\"\n  port = 8080\n}\n",
    )
    .unwrap();
    let conf_s = conf.to_str().unwrap();

    let o = run_cli(bin(), &["validate", conf_s], &[], None);
    assert_eq!(o.code, 0, "{}", o.err());
    assert_eq!(o.out(), "Configuration is valid!\n");
    assert_eq!(o.err(), "");
    let o = run_cli(bin(), &["validate", "-quiet", conf_s], &[], None);
    assert_eq!((o.code, o.out()), (0, String::new()));

    // Unknown keys warn, the config is still valid.
    std::fs::write(conf.join("c.json"), r#"{"bogus_key": 1}"#).unwrap();
    let o = run_cli(bin(), &["validate", conf_s], &[], None);
    assert_eq!(o.code, 0, "{}", o.err());
    assert_eq!(o.out(), "Configuration is valid!\n");
    assert!(o.err().contains("bogus_key"), "{}", o.err());
    assert!(o.err().contains("c.json"), "{}", o.err());

    // A key of the wrong type: one line naming the file and the key, exit 1.
    let bad = d.join("bad.json");
    std::fs::write(&bad, r#"{"data_dir": "/tmp/x", "server": "yes"}"#).unwrap();
    let o = run_cli(bin(), &["validate", bad.to_str().unwrap()], &[], None);
    assert_eq!(o.code, 1);
    assert_eq!(o.out(), "");
    let err = o.err();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with(&format!(
            "Config validation failed: Error parsing {}: server:",
            bad.display()
        )),
        "{err}"
    );

    // Syntax error, missing file, no arguments.
    std::fs::write(&bad, "{\"server\": tru").unwrap();
    let o = run_cli(bin(), &["validate", bad.to_str().unwrap()], &[], None);
    assert_eq!(o.code, 1);
    assert!(
        o.err()
            .starts_with("Config validation failed: Error parsing "),
        "{}",
        o.err()
    );
    let o = run_cli(bin(), &["validate", "/nonexistent/consul.d"], &[], None);
    assert_eq!(o.code, 1);
    assert!(o.err().contains("/nonexistent/consul.d"), "{}", o.err());
    let o = run_cli(bin(), &["validate"], &[], None);
    assert_one_line_error(&o, "Must specify at least one config file or directory");
}

#[test]
fn services_register_deregister_and_maint() {
    let dev = Dev::start();
    let services = || agent_json(&dev, "/v1/agent/services");

    // Flags.
    let out = dev.ok(&[
        "services",
        "register",
        "-name=web",
        "-id=web1",
        "-tag=a",
        "-tag",
        "b",
        "-address=127.0.0.9",
        "-port=8080",
        "-meta",
        "env=prod",
    ]);
    assert_eq!(out, "Registered service: web\n");
    let s = &services()["web1"];
    assert_eq!(s["Service"], "web");
    assert_eq!(s["Tags"], serde_json::json!(["a", "b"]));
    assert_eq!(s["Address"], "127.0.0.9");
    assert_eq!(s["Port"], 8080);
    assert_eq!(s["Meta"]["env"], "prod");

    // Files: JSON `services` and an HCL `service` block with a check.
    let dir = tempfile::tempdir().unwrap();
    let json_file = dir.path().join("svcs.json");
    std::fs::write(
        &json_file,
        r#"{"services": [{"name": "api", "port": 1, "enable_tag_override": true},
                         {"id": "db1", "name": "db", "tags": ["primary"]}]}"#,
    )
    .unwrap();
    let hcl_file = dir.path().join("cache.hcl");
    std::fs::write(
        &hcl_file,
        "service {\n  name = \"cache\"\n  port = 6379\n  check {\n    ttl = \"30s\"\n  }\n}\n",
    )
    .unwrap();
    let out = dev.ok(&[
        "services",
        "register",
        json_file.to_str().unwrap(),
        hcl_file.to_str().unwrap(),
    ]);
    assert_eq!(
        out,
        "Registered service: api\nRegistered service: db\nRegistered service: cache\n"
    );
    let all = services();
    assert_eq!(all["api"]["EnableTagOverride"], true);
    assert_eq!(all["db1"]["Tags"], serde_json::json!(["primary"]));
    assert_eq!(all["cache"]["Port"], 6379);
    let checks = agent_json(&dev, "/v1/agent/checks");
    assert!(
        checks
            .as_object()
            .unwrap()
            .values()
            .any(|c| c["ServiceID"] == "cache"),
        "{checks}"
    );

    // Argument errors.
    let o = dev.cli(&["services", "register"]);
    assert_one_line_error(
        &o,
        "Service registration requires at least one argument or flags.",
    );
    let o = dev.cli(&[
        "services",
        "register",
        "-name=x",
        json_file.to_str().unwrap(),
    ]);
    assert_one_line_error(
        &o,
        "Service registration requires arguments or -id, not both.",
    );
    let empty = dir.path().join("empty.json");
    std::fs::write(&empty, "{}").unwrap();
    let o = dev.cli(&["services", "register", empty.to_str().unwrap()]);
    assert_one_line_error(&o, "Error: No services found in config files");

    // Maintenance: nothing listed at first.
    assert_eq!(dev.ok(&["maint"]), "");
    assert_eq!(
        dev.ok(&["maint", "-enable", "-reason", "kernel upgrade"]),
        "Node maintenance is now enabled\n"
    );
    assert_eq!(
        dev.ok(&["maint", "-enable", "-service=web1"]),
        "Service maintenance is now enabled for \"web1\"\n"
    );
    let node = dev.agent.node.clone();
    assert_eq!(
        dev.ok(&["maint"]),
        format!(
            "Node:\n  Name:   {node}\n  Reason: kernel upgrade\n\nService:\n  ID:     web1\n  Reason: Maintenance mode is enabled for this service, but no reason was provided. This is a default message.\n\n"
        )
    );
    let health = agent_json(&dev, "/v1/health/service/web");
    let checks = health[0]["Checks"].as_array().unwrap();
    assert!(
        checks
            .iter()
            .any(|c| c["CheckID"] == "_service_maintenance:web1" && c["Status"] == "critical"),
        "{health}"
    );
    assert_eq!(
        dev.ok(&["maint", "-disable", "-service", "web1"]),
        "Service maintenance is now disabled for \"web1\"\n"
    );
    assert_eq!(
        dev.ok(&["maint", "-disable"]),
        "Node maintenance is now disabled\n"
    );
    assert_eq!(dev.ok(&["maint"]), "");
    let o = dev.cli(&["maint", "-enable", "-disable"]);
    assert_one_line_error(&o, "Only one of -enable or -disable may be provided");
    let o = dev.cli(&["maint", "-disable", "-reason=x"]);
    assert_one_line_error(&o, "Reason may only be provided with -enable");
    let o = dev.cli(&["maint", "-service=web1"]);
    assert_one_line_error(&o, "Service requires either -enable or -disable");
    let o = dev.cli(&["maint", "-enable", "-service=nope"]);
    assert_eq!(o.code, 1);
    assert!(
        o.err()
            .starts_with("Error enabling service maintenance: Unexpected response code: 404"),
        "{}",
        o.err()
    );

    // Deregister by id and by file.
    assert_eq!(
        dev.ok(&["services", "deregister", "-id", "web1"]),
        "Deregistered service: web1\n"
    );
    assert_eq!(
        dev.ok(&["services", "deregister", json_file.to_str().unwrap()]),
        "Deregistered service: api\nDeregistered service: db1\n"
    );
    let all = services();
    let ids: Vec<&String> = all.as_object().unwrap().keys().collect();
    assert_eq!(ids, vec!["cache"], "{all}");
    let o = dev.cli(&["services", "deregister"]);
    assert_one_line_error(
        &o,
        "Service deregistration requires at least one argument or -id.",
    );
    let o = dev.cli(&["services", "deregister", "-id=nope"]);
    assert_eq!(o.code, 1);
    assert!(
        o.err()
            .starts_with("Error deregistering service \"nope\": Unexpected response code: 404"),
        "{}",
        o.err()
    );
}

#[test]
fn reload_changes_the_log_level() {
    let lease = reserve_ip();
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("log.json");
    std::fs::write(&conf, r#"{"log_level": "info"}"#).unwrap();
    let mut agent = AgentBuilder::new(bin(), &lease)
        .dev(true)
        .arg("-config-file")
        .arg(conf.to_str().unwrap())
        .start()
        .expect("spawn agent");
    agent.wait_ready(Duration::from_secs(30)).expect("ready");
    let env = [("CONSUL_HTTP_ADDR", agent.http_addr.as_str())];
    let has_debug = |log: &str| {
        log.lines()
            .any(|l| l.contains(" DEBUG ") || l.contains("DEBUG\x1b["))
    };
    assert!(!has_debug(&agent.log()), "{}", agent.log());

    // `consul reload` after editing the file: debug lines from then on.
    std::fs::write(&conf, r#"{"log_level": "debug"}"#).unwrap();
    let o = run_cli(bin(), &["reload"], &env, None);
    assert_eq!(o.out(), "Configuration reload triggered\n", "{}", o.err());
    assert!(
        consul_testkit::wait_until(Duration::from_secs(10), || has_debug(&agent.log())),
        "{}",
        agent.log()
    );

    // SIGHUP back to info: no more debug lines after that reload.
    std::fs::write(&conf, r#"{"log_level": "info"}"#).unwrap();
    agent.signal(1);
    assert!(consul_testkit::wait_until(Duration::from_secs(10), || {
        agent.log().contains("log level changed to info")
    }));
    let before = agent.log().len();
    let o = run_cli(bin(), &["reload"], &env, None);
    assert_eq!(o.code, 0, "{}", o.err());
    assert!(consul_testkit::wait_until(Duration::from_secs(10), || {
        agent.log()[before..].contains("reload complete")
    }));
    assert!(!has_debug(&agent.log()[before..]), "{}", agent.log());
}

#[test]
fn monitor_streams_the_log_at_its_own_level() {
    // The agent logs at info; the monitor asks for debug.
    let lease = reserve_ip();
    let mut agent = AgentBuilder::new(bin(), &lease)
        .dev(true)
        .arg("-log-level")
        .arg("info")
        .start()
        .expect("spawn agent");
    agent
        .wait_ready(Duration::from_secs(30))
        .expect("agent ready");
    let dev = Dev {
        agent,
        _lease: lease,
    };
    // The API refuses an unknown level.
    let o = dev.cli(&["monitor", "-log-level=loud"]);
    assert_eq!(o.code, 1);
    assert!(o.err().contains("Unknown log level: loud"), "{}", o.err());

    let mut child = std::process::Command::new(bin())
        .args(["monitor", "-log-level=debug", "-log-json"])
        .env("CONSUL_HTTP_ADDR", &dev.agent.http_addr)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        let mut seen = String::new();
        while let Ok(n) = out.read(&mut buf) {
            if n == 0 {
                break;
            }
            seen.push_str(&String::from_utf8_lossy(&buf[..n]));
            if tx.send(seen.clone()).is_err() {
                break;
            }
        }
    });
    // The monitor's own attach is logged at debug, below the agent's level.
    let mut text = String::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !text.contains("a monitor attached") && std::time::Instant::now() < deadline {
        if let Ok(t) = rx.recv_timeout(Duration::from_millis(200)) {
            text = t;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    let line = text
        .lines()
        .find(|l| l.contains("a monitor attached"))
        .unwrap_or_else(|| panic!("no debug line streamed: {text:?}"));
    let v: serde_json::Value = serde_json::from_str(line).unwrap();
    assert_eq!(v["@level"], "debug");
    assert!(v["@timestamp"].is_string() && v["@module"].is_string());
    assert!(
        !dev.agent.log().contains("a monitor attached"),
        "the agent's own log level changed"
    );
}
