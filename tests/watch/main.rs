//! `consul watch` and the agent's config-file `watches` on real processes: the JSON printed
//! without a handler (in Go's `api` shapes), a handler run once at start and once per change
//! (never for an unchanged result), `CONSUL_INDEX`, and config watches that start with the
//! agent, are replaced on reload and deliver over HTTP.
//!
//! Every process binds a leased 127.0.x.y address; every wait is bounded.

#[path = "../common/mod.rs"]
mod common;
mod config;
mod reference;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::*;
use consul_testkit::run_cli;
use serde_json::Value;

fn watch_out(a: &Agent, args: &[&str]) -> (i32, String, String) {
    let mut v = vec!["watch", "-http-addr", &a.http_addr];
    v.extend_from_slice(args);
    let o = run_cli(bin(), &v, &[], None);
    (o.code, o.out(), o.err())
}

/// The handler's runs: each run appends its stdin and then a `--` line to `file`.
fn runs(file: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(file).unwrap_or_default();
    text.split("--\n")
        .filter(|s| !s.trim().is_empty())
        .map(|s| serde_json::from_str(s.trim()).unwrap_or(Value::String(s.to_string())))
        .collect()
}

/// A handler command line appending its input to `file`.
fn appender(file: &Path) -> String {
    format!(
        "cat >> {f}; echo \"$CONSUL_INDEX\" >> {f}.idx; echo -- >> {f}",
        f = file.display()
    )
}

/// A background `consul watch` with a handler, killed on drop.
struct Watcher(Child);

impl Watcher {
    fn start(a: &Agent, args: &[&str]) -> Watcher {
        Watcher(
            Command::new(bin())
                .arg("watch")
                .arg("-http-addr")
                .arg(&a.http_addr)
                .args(args)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("spawn consul watch"),
        )
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn without_a_handler_the_result_is_printed_and_the_watch_exits() {
    let (_ip, a) = dev_agent();
    assert_eq!(
        watch_out(&a, &["-type", "key", "-key", "nope"]),
        (0, "null\n".into(), String::new())
    );
    put_ok(&a, "/v1/kv/foo", "bar");
    let (code, out, _) = watch_out(&a, &["-type", "key", "-key", "foo"]);
    assert_eq!(code, 0);
    let idx = get_json(&a, "/v1/kv/foo")[0]["ModifyIndex"]
        .as_u64()
        .unwrap();
    assert_eq!(
        out,
        format!("{{\n    \"Key\": \"foo\",\n    \"CreateIndex\": {idx},\n    \"ModifyIndex\": {idx},\n    \"LockIndex\": 0,\n    \"Flags\": 0,\n    \"Value\": \"YmFy\",\n    \"Session\": \"\"\n}}\n")
    );
    let (_, out, _) = watch_out(&a, &["-type", "keyprefix", "-prefix", "fo"]);
    assert!(
        out.starts_with("[\n    {\n        \"Key\": \"foo\","),
        "{out}"
    );
    let (_, out, _) = watch_out(&a, &["-type", "services"]);
    assert_eq!(out, "{\n    \"consul\": []\n}\n");
    let (_, out, _) = watch_out(&a, &["-type", "nodes"]);
    assert_eq!(
        serde_json::from_str::<Value>(&out).unwrap()[0]["Node"],
        a.node.as_str()
    );
    let (_, out, _) = watch_out(&a, &["-type", "checks", "-state", "passing"]);
    let checks: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(checks[0]["CheckID"], "serfHealth");
    assert_eq!(
        checks[0]["Definition"]["Interval"], "0s",
        "api.HealthCheck shape"
    );
    let (_, out, _) = watch_out(&a, &["-type", "service", "-service", "consul"]);
    assert_eq!(
        serde_json::from_str::<Value>(&out).unwrap()[0]["Service"]["ID"],
        "consul"
    );
    let (_, out, _) = watch_out(&a, &["-type", "event"]);
    assert_eq!(out, "[]\n");

    // Refusals.
    let (code, _, err) = watch_out(&a, &[]);
    assert_eq!(code, 1);
    assert!(
        err.starts_with("Watch type must be specified\n\nUsage: consul watch"),
        "{err}"
    );
    assert_eq!(
        watch_out(&a, &["-type", "key"]).2,
        "Must specify a single key to watch\n"
    );
    assert_eq!(
        watch_out(&a, &["-type", "bogus"]).2,
        "Unsupported watch type: bogus\n"
    );
    assert_eq!(
        watch_out(
            &a,
            &["-type", "service", "-service", "x", "-passingonly", "x"]
        )
        .2,
        "Failed to parse passingonly flag: strconv.ParseBool: parsing \"x\": invalid syntax\n"
    );
}

#[test]
fn a_key_handler_runs_once_at_start_and_once_per_change() {
    let (_ip, a) = dev_agent();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("runs");
    let _w = Watcher::start(&a, &["-type", "key", "-key", "k", &appender(&file)]);
    assert!(
        wait_until(Duration::from_secs(20), || runs(&file).len() == 1),
        "first run"
    );
    assert_eq!(runs(&file)[0], Value::Null, "the key does not exist yet");

    put_ok(&a, "/v1/kv/k", "1");
    assert!(wait_until(Duration::from_secs(20), || runs(&file).len() == 2));
    // Rewriting the same value changes nothing; another key is not watched; then a change.
    put_ok(&a, "/v1/kv/k", "1");
    put_ok(&a, "/v1/kv/other", "x");
    put_ok(&a, "/v1/kv/k", "2");
    assert!(wait_until(Duration::from_secs(20), || runs(&file)
        .last()
        .is_some_and(|r| r["Value"] == "Mg==")));
    let all = runs(&file);
    assert_eq!(all.len(), 3, "one run per change: {all:?}");
    assert_eq!(all[1]["Value"], "MQ==");
    assert_eq!(all[1]["Session"], "", "api.KVPair shape");
    // CONSUL_INDEX is the index each result was read at.
    let idx = std::fs::read_to_string(format!("{}.idx", file.display())).unwrap();
    let idx: Vec<u64> = idx.lines().map(|l| l.parse().unwrap()).collect();
    assert_eq!(idx[2], all[2]["ModifyIndex"].as_u64().unwrap());
}

#[test]
fn a_service_handler_runs_per_change_of_the_services_health() {
    let (_ip, a) = dev_agent();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("runs");
    let _w = Watcher::start(
        &a,
        &["-type", "service", "-service", "web", &appender(&file)],
    );
    assert!(wait_until(Duration::from_secs(20), || runs(&file).len() == 1));
    assert_eq!(runs(&file)[0], Value::Array(vec![]));

    put_ok(
        &a,
        "/v1/agent/service/register",
        r#"{"Name":"web","Port":80,"Check":{"TTL":"60s"}}"#,
    );
    assert!(wait_until(Duration::from_secs(20), || runs(&file).len() == 2));
    let r = runs(&file);
    assert_eq!(r[1][0]["Service"]["Service"], "web");
    assert_eq!(r[1][0]["Checks"][1]["Status"], "critical");

    put_ok(&a, "/v1/agent/check/pass/service:web", "");
    assert!(wait_until(Duration::from_secs(20), || runs(&file)
        .last()
        .is_some_and(|r| r[0]["Checks"][1]["Status"] == "passing")));
    put_ok(&a, "/v1/agent/service/deregister/web", "");
    assert!(wait_until(Duration::from_secs(20), || runs(&file)
        .last()
        .is_some_and(|r| *r == Value::Array(vec![]))));
    assert_eq!(runs(&file).len(), 4, "{:?}", runs(&file));
}

#[test]
fn an_event_handler_sees_each_new_event_once() {
    let (_ip, a) = dev_agent();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("runs");
    put_ok(&a, "/v1/event/fire/old", "");
    let _w = Watcher::start(&a, &["-type", "event", "-name", "deploy", &appender(&file)]);
    assert!(wait_until(Duration::from_secs(20), || runs(&file).len() == 1));
    assert_eq!(runs(&file)[0], Value::Array(vec![]), "no deploy events yet");
    put_ok(&a, "/v1/event/fire/deploy", "one");
    assert!(wait_until(Duration::from_secs(20), || runs(&file).len() == 2));
    put_ok(&a, "/v1/event/fire/deploy", "two");
    assert!(wait_until(Duration::from_secs(20), || runs(&file).len() == 3));
    let r = runs(&file);
    // Each run carries only the events after the last one seen.
    assert_eq!(r[1].as_array().unwrap().len(), 1);
    assert_eq!(r[1][0]["Payload"], "b25l");
    assert_eq!(r[2].as_array().unwrap().len(), 1);
    assert_eq!(r[2][0]["Payload"], "dHdv");
}

#[test]
fn a_failing_handler_ends_the_watch_with_its_status() {
    let (_ip, a) = dev_agent();
    let (code, _, err) = watch_out(
        &a,
        &["-shell=false", "-type", "nodes", "/bin/sh", "-c", "exit 3"],
    );
    assert_eq!(
        (code, err.as_str()),
        (1, "Error executing handler: exit status 3\n")
    );
}
