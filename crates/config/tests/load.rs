//! End-to-end: argument lists and files on disk → RuntimeConfig.

use std::path::Path;
use std::time::Duration;

use consul_config::{load_from_args, ConfigError, RuntimeConfig};
use serde_json::json;

fn args(a: &[&str]) -> Vec<String> {
    a.iter().map(|s| s.to_string()).collect()
}

fn write(dir: &Path, name: &str, body: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, body).unwrap();
    p.display().to_string()
}

fn load(a: &[&str]) -> Result<RuntimeConfig, ConfigError> {
    load_from_args(&args(a))
}

/// What HashiCorp's sdk/testutil writes (newest, with grpc_tls, version, segments null).
const TESTUTIL_JSON: &str = r#"{
  "node_name": "node-0d9c3ff0-f8b2-4a5e-8ad1-7c1a1ac8f0b1",
  "node_id": "0d9c3ff0-f8b2-4a5e-8ad1-7c1a1ac8f0b1",
  "performance": {"raft_multiplier": 1},
  "bootstrap": true,
  "server": true,
  "data_dir": "DATA_DIR",
  "segments": null,
  "disable_update_check": true,
  "log_level": "debug",
  "bind_addr": "127.0.0.1",
  "addresses": {},
  "ports": {"dns": 10000, "http": 10001, "https": 10002, "serf_lan": 10003,
            "serf_wan": 10004, "server": 10005, "grpc": 10006, "grpc_tls": 10007},
  "acl": {"enabled": true, "default_policy": "deny", "down_policy": "extend-cache",
          "enable_token_replication": false, "policy_ttl": "30s", "token_ttl": "30s",
          "disabled_ttl": "0s", "enable_key_list_policy": false,
          "tokens": {"master": "root", "agent_master": "towel", "agent": "agent-tok",
                     "default": "", "replication": ""}},
  "connect": {"enabled": true, "ca_config": {"cluster_id": "11111111-2222-3333-4444-555555555555"}},
  "skip_leave_on_interrupt": true,
  "peering": {"enabled": true},
  "version": "1.17.0",
  "node_meta": {"rack": "r1"},
  "locality": {"region": "us", "zone": "a"},
  "retry_join": [],
  "datacenter": "DC1",
  "raft_protocol": 3,
  "primary_datacenter": "dc1",
  "acl_default_policy": "deny",
  "encrypt": "pUqJrVyVRj5jsiYEkM/tFQYfWyJIv4s3XkvDwy7Cu5s=",
  "ca_file": "", "cert_file": "", "key_file": "",
  "verify_incoming": false, "verify_incoming_rpc": false, "verify_incoming_https": false,
  "verify_outgoing": false, "enable_script_checks": true, "enable_debug": true,
  "autopilot": {"server_stabilization_time": "0s"},
  "audit": {"enabled": false},
  "experiments": [],
  "partition": ""
}"#;

#[test]
fn testutil_config_parses_without_error_or_warning() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let body = TESTUTIL_JSON.replace("DATA_DIR", data.to_str().unwrap());
    let file = write(tmp.path(), "config.json", &body);
    let rt = load(&["-config-file", &file]).unwrap();
    assert!(
        rt.warnings
            .iter()
            .all(|w| !w.contains("invalid config key")),
        "{:?}",
        rt.warnings
    );
    assert_eq!(rt.node_name, "node-0d9c3ff0-f8b2-4a5e-8ad1-7c1a1ac8f0b1");
    assert_eq!(
        rt.node_id.as_deref(),
        Some("0d9c3ff0-f8b2-4a5e-8ad1-7c1a1ac8f0b1")
    );
    assert!(rt.server && rt.bootstrap);
    assert_eq!(rt.raft_multiplier, 1);
    assert_eq!(rt.data_dir.as_deref(), Some(data.as_path()));
    assert_eq!(rt.datacenter, "dc1");
    assert_eq!(rt.log_level, "debug");
    assert_eq!(rt.bind_addr, "127.0.0.1");
    assert_eq!(rt.ports.dns, 10000);
    assert_eq!(rt.ports.http, 10001);
    assert_eq!(rt.ports.https, 10002);
    assert_eq!(rt.ports.serf_lan, 10003);
    assert_eq!(rt.ports.serf_wan, 10004);
    assert_eq!(rt.ports.server, 10005);
    assert_eq!(rt.ports.grpc, 10006);
    assert_eq!(rt.ports.grpc_tls, 10007);
    assert!(rt.acl.enabled);
    assert_eq!(rt.acl.default_policy, "deny");
    assert_eq!(rt.acl.initial_management.as_deref(), Some("root"));
    assert_eq!(rt.acl.agent_recovery.as_deref(), Some("towel"));
    assert_eq!(rt.acl.agent.as_deref(), Some("agent-tok"));
    assert_eq!(rt.acl.default, None);
    assert!(rt.connect_enabled);
    assert_eq!(
        rt.connect_ca_config["cluster_id"],
        json!("11111111-2222-3333-4444-555555555555")
    );
    assert!(rt.skip_leave_on_interrupt);
    assert!(rt.peering_enabled);
    assert!(rt.disable_update_check);
    assert!(rt.enable_script_checks && rt.enable_debug);
    assert_eq!(rt.node_meta["rack"], "r1");
    assert!(rt
        .warnings
        .iter()
        .any(|w| w.contains("'acl.tokens.master' field is deprecated")));
}

#[test]
fn testutil_1_10_config_with_legacy_acl_keys_parses() {
    let tmp = tempfile::tempdir().unwrap();
    let file = write(
        tmp.path(),
        "config.json",
        &json!({
            "node_name": "n", "node_id": "x", "performance": {"raft_multiplier": 1},
            "bootstrap": true, "server": true, "data_dir": tmp.path().join("d"),
            "segments": null, "disable_update_check": true, "log_level": "debug",
            "bind_addr": "127.0.0.1", "addresses": {},
            "ports": {"dns": 1, "http": 2, "https": 3, "serf_lan": 4, "serf_wan": 5, "server": 6},
            "acl": {"tokens": {}}, "connect": {"enabled": true, "ca_config": {"cluster_id": "c"}},
            "acl_master_token": "m", "acl_datacenter": "dc1", "acl_enforce_version_8": true
        })
        .to_string(),
    );
    let rt = load(&["-config-file", &file]).unwrap();
    assert_eq!(rt.acl.initial_management.as_deref(), Some("m"));
    assert!(rt.acl.enabled, "acl_datacenter turns ACLs on");
    assert_eq!(rt.ports.grpc, -1);
}

#[test]
fn files_merge_in_order_and_flags_win() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("data");
    let a = write(
        tmp.path(),
        "a.json",
        &json!({"data_dir": d, "node_name": "a", "datacenter": "dc-a", "retry_join": ["x"],
                "ports": {"http": 1111, "dns": 2222}, "node_meta": {"k1": "a"},
                "service": {"name": "s1"}})
        .to_string(),
    );
    let b = write(
        tmp.path(),
        "b.json",
        &json!({"node_name": "b", "retry_join": ["y"], "ports": {"http": 3333},
                "node_meta": {"k2": "b"}, "services": [{"name": "s2"}], "check": {"id": "c1"},
                "datacenter": null})
        .to_string(),
    );
    let rt = load(&[
        "-config-file",
        &a,
        "-config-file",
        &b,
        "-retry-join",
        "z",
        "-http-port",
        "4444",
    ])
    .unwrap();
    assert_eq!(rt.node_name, "b");
    assert_eq!(rt.datacenter, "dc-a", "null does not override");
    assert_eq!(rt.retry_join, vec!["x", "y", "z"]);
    assert_eq!(rt.ports.http, 4444);
    assert_eq!(rt.ports.dns, 2222);
    assert_eq!(rt.node_meta.len(), 2);
    assert_eq!(
        rt.services,
        vec![json!({"name": "s1"}), json!({"name": "s2"})]
    );
    assert_eq!(rt.checks, vec![json!({"id": "c1"})]);

    let rt = load(&["-config-file", &b, "-config-file", &a]).unwrap();
    assert_eq!(rt.node_name, "a");
    assert_eq!(rt.retry_join, vec!["y", "x"]);
}

#[test]
fn config_dir_is_read_in_lexical_order_and_skips_other_files() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("conf");
    std::fs::create_dir(&dir).unwrap();
    std::fs::create_dir(dir.join("sub.json")).unwrap();
    write(
        &dir,
        "20-b.json",
        r#"{"node_name": "second", "start_join": ["2"]}"#,
    );
    write(
        &dir,
        "10-a.json",
        r#"{"node_name": "first", "start_join": ["1"], "server": true}"#,
    );
    write(&dir, "30-notes.txt", "not config");
    let d = tmp.path().join("data");
    let rt = load(&[
        "-config-dir",
        dir.to_str().unwrap(),
        "-data-dir",
        d.to_str().unwrap(),
    ])
    .unwrap();
    assert_eq!(rt.node_name, "second");
    assert_eq!(rt.start_join, vec!["1", "2"]);
    assert!(rt.server);
    assert!(rt
        .warnings
        .iter()
        .any(|w| w.contains("skipping file") && w.contains("30-notes.txt")));
}

#[test]
fn unknown_keys_warn_and_wrong_types_fail_with_file_and_key() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("data");
    let ok = write(
        tmp.path(),
        "ok.json",
        &json!({"data_dir": d, "made_up_key": 1, "ports": {"made_up_port": 2}}).to_string(),
    );
    let rt = load(&["-config-file", &ok]).unwrap();
    assert!(rt
        .warnings
        .iter()
        .any(|w| w.contains("made_up_key") && w.contains("ok.json")));
    assert!(rt.warnings.iter().any(|w| w.contains("ports.made_up_port")));

    let bad = write(tmp.path(), "bad.json", r#"{"server": "yes"}"#);
    let msg = load(&["-config-file", &ok, "-config-file", &bad])
        .unwrap_err()
        .to_string();
    assert_eq!(
        msg,
        format!("Error parsing {bad}: server: invalid type: string \"yes\", expected a boolean")
    );
    let bad = write(tmp.path(), "bad2.json", r#"{"ports": 5}"#);
    let msg = load(&["-config-file", &bad]).unwrap_err().to_string();
    assert!(
        msg.starts_with(&format!("Error parsing {bad}: ports: invalid type")),
        "{msg}"
    );
    assert!(!msg.contains('\n'));
}

#[test]
fn missing_file_is_an_error() {
    let msg = load(&["-config-file", "/nonexistent/x.json"])
        .unwrap_err()
        .to_string();
    assert!(
        msg.starts_with("Error reading /nonexistent/x.json"),
        "{msg}"
    );
}

#[test]
fn dev_defaults() {
    let rt = load(&["-dev"]).unwrap();
    assert!(rt.dev && rt.server && rt.ui && rt.enable_debug && rt.connect_enabled);
    assert_eq!(rt.data_dir, None);
    assert_eq!(rt.bind_addr, "127.0.0.1");
    assert_eq!(rt.client_addr, "127.0.0.1");
    assert_eq!(rt.raft_multiplier, 1);
    assert_eq!(rt.ports.grpc, 8502);
    assert_eq!(rt.ports.http, 8500);
    assert_eq!(rt.log_level, "debug");
    assert!(rt.skip_leave_on_interrupt);
    assert!(!rt.leave_on_terminate);
    assert!(!rt.node_name.is_empty(), "defaults to the host name");

    let rt = load(&["-dev", "-client", "0.0.0.0", "-ui=false", "-log-level=WARN"]).unwrap();
    assert_eq!(rt.client_addr, "0.0.0.0");
    assert!(!rt.ui);
    assert_eq!(rt.log_level, "warn");
}

#[test]
fn non_dev_defaults() {
    let tmp = tempfile::tempdir().unwrap();
    let rt = load(&["-data-dir", tmp.path().to_str().unwrap()]).unwrap();
    assert!(!rt.server && !rt.dev && !rt.ui);
    assert_eq!(rt.datacenter, "dc1");
    assert_eq!(rt.primary_datacenter, "dc1");
    assert_eq!(rt.bind_addr, "0.0.0.0");
    assert_eq!(rt.ports, consul_config::Ports::default());
    assert_eq!(rt.ports.grpc, -1);
    assert_eq!(rt.raft_multiplier, 5);
    assert_eq!(rt.log_level, "info");
    assert_eq!(rt.domain, "consul.");
    assert_eq!(rt.retry_interval, Duration::from_secs(30));
    assert_eq!(rt.default_query_time, Duration::from_secs(300));
    assert_eq!(rt.max_query_time, Duration::from_secs(600));
    assert_eq!(rt.kv_max_value_size, 524_288);
    assert_eq!(rt.txn_max_req_len, 524_288);
    assert_eq!(rt.txn_max_ops, 128);
    assert_eq!(rt.acl.default_policy, "allow");
    assert_eq!(rt.acl.down_policy, "extend-cache");
    assert!(!rt.skip_leave_on_interrupt, "clients leave on interrupt");
    assert!(rt.leave_on_terminate);
    assert!(rt.node_id.is_none());
}

#[test]
fn validation_errors_use_consuls_words() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().to_str().unwrap();
    let err = |a: &[&str]| load(a).unwrap_err().to_string();
    assert_eq!(err(&["-server"]), "data_dir cannot be empty");
    assert_eq!(
        err(&[
            "-data-dir",
            d,
            "-server",
            "-bootstrap",
            "-bootstrap-expect",
            "3"
        ]),
        "'bootstrap_expect > 0' and 'bootstrap = true' are mutually exclusive"
    );
    assert_eq!(
        err(&["-data-dir", d, "-bootstrap-expect", "3"]),
        "'bootstrap_expect > 0' requires 'server = true'"
    );
    assert_eq!(
        err(&["-data-dir", d, "-bootstrap"]),
        "'bootstrap = true' requires 'server = true'"
    );
    assert_eq!(
        err(&["-dev", "-bootstrap-expect", "1"]),
        "'bootstrap_expect > 0' not allowed in dev mode"
    );
    assert_eq!(
        err(&["-data-dir", d, "-datacenter", "dc 1"]),
        "datacenter cannot be \"dc 1\". Please use only [a-z0-9-_]."
    );
    assert_eq!(
        err(&["-data-dir", d, "-advertise", "0.0.0.0"]),
        "Advertise address cannot be 0.0.0.0, :: or [::]"
    );
    assert_eq!(
        err(&["-server", "-data-dir=x", "some-other-arg"]),
        "config: Unknown extra arguments: [some-other-arg]"
    );
    assert_eq!(err(&["-bogus"]), "flag provided but not defined: -bogus");
    assert!(err(&["-dev", "-encrypt", "!!"]).starts_with("encrypt has invalid key"));

    let f = write(
        tmp.path(),
        "p.json",
        r#"{"performance": {"raft_multiplier": 11}}"#,
    );
    assert_eq!(
        err(&["-dev", "-config-file", &f]),
        "performance.raft_multiplier cannot be 11. Must be between 1 and 10"
    );
    let file = write(tmp.path(), "file.txt", "x");
    assert_eq!(
        err(&["-data-dir", &file]),
        format!("data_dir {file:?} is not a directory")
    );
}

#[test]
fn bootstrap_expect_advice_is_a_warning() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().to_str().unwrap();
    let rt = load(&["-server", "-data-dir", d, "-bootstrap-expect", "3"]).unwrap();
    assert_eq!(rt.bootstrap_expect, 3);
    assert!(rt
        .warnings
        .iter()
        .any(|w| w == "bootstrap_expect > 0: expecting 3 servers"));
}

#[test]
fn hcl_files_dirs_and_fragments_are_read() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("conf");
    std::fs::create_dir(&dir).unwrap();
    write(
        &dir,
        "a.hcl",
        "node_name = \"from-hcl\"\nports {\n  http = 18500\n}\nservice {\n  name = \"web\"\n}\n",
    );
    write(&dir, "b.json", r#"{"service": {"name": "db"}}"#);
    let rt = load(&[
        "-dev",
        "-config-dir",
        dir.to_str().unwrap(),
        "-hcl",
        "log_level = \"warn\"",
    ])
    .unwrap();
    assert_eq!(rt.node_name, "from-hcl");
    assert_eq!(rt.ports.http, 18500);
    assert_eq!(rt.log_level, "warn");
    assert_eq!(
        rt.services,
        vec![json!({"name": "web"}), json!({"name": "db"})]
    );

    let bad = write(tmp.path(), "bad.hcl", "server = \"yes\"");
    let msg = load(&["-dev", "-config-file", &bad])
        .unwrap_err()
        .to_string();
    assert!(
        msg.starts_with(&format!("Error parsing {bad}: server: invalid type")),
        "{msg}"
    );
    let bad = write(tmp.path(), "bad2.hcl", "server = ");
    let msg = load(&["-dev", "-config-file", &bad])
        .unwrap_err()
        .to_string();
    assert!(
        msg.starts_with(&format!("Error parsing {bad}: At 1:")),
        "{msg}"
    );

    // -config-format forces the format whatever the extension.
    let f = write(tmp.path(), "conf.txt", "node_name = \"forced\"");
    let rt = load(&["-dev", "-config-format", "hcl", "-config-file", &f]).unwrap();
    assert_eq!(rt.node_name, "forced");
}
