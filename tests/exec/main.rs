//! `consul exec` end to end on real processes: a server and three client agents in one
//! LAN pool, three of them with `disable_remote_exec = false`. A command runs on exactly
//! the agents that allow it and that the node/service filters select; each node's output
//! (stdout and stderr, in order, across many 4 KiB chunks) and exit code come back through
//! KV; the CLI's summary and exit code follow; and the job's keys and session are gone
//! when it ends.
//!
//! Every process binds a leased 127.0.x.y address; every wait is bounded.

#[path = "../common/mod.rs"]
mod common;

use std::time::Duration;

use common::*;
use consul_testkit::{run_cli, CliOutput};
use serde_json::Value;

fn agent(
    ip: &IpLease,
    node: &str,
    server: Option<&std::path::Path>,
    join: &IpLease,
    rexec: bool,
) -> Agent {
    let mut b = AgentBuilder::new(bin(), ip.ip()).node(node);
    if let Some(dir) = server {
        b = b.server(true).bootstrap_expect(1).data_dir(dir);
    } else {
        b = b
            .arg("-retry-join")
            .arg(&join.ip().to_string())
            .arg("-retry-interval")
            .arg("1s");
    }
    if rexec {
        b = b.arg("-hcl").arg("disable_remote_exec = false");
    }
    b.start().expect("agent starts")
}

fn alive_members(a: &Agent) -> usize {
    match http("GET", &a.url("/v1/agent/members"), None) {
        Ok((200, _, b)) => serde_json::from_slice::<Value>(&b)
            .ok()
            .and_then(|v| v.as_array().cloned())
            .unwrap_or_default()
            .iter()
            .filter(|m| m["Status"] == 1)
            .count(),
        _ => 0,
    }
}

/// `consul exec` against `via`, with `args`.
fn exec(via: &Agent, args: &[&str], stdin: Option<&[u8]>) -> CliOutput {
    let addr = format!("-http-addr={}", via.http_addr);
    let mut all = vec!["exec", addr.as_str()];
    all.extend_from_slice(args);
    run_cli(bin(), &all, &[], stdin)
}

/// The lines of `out` that one node printed as output (`    node: line`).
fn output_of(out: &str, node: &str) -> Vec<String> {
    let lead = format!("    {node}: ");
    out.lines()
        .filter_map(|l| l.strip_prefix(&lead).map(str::to_string))
        .collect()
}

/// The nodes that reported `finished with exit code <code>`.
fn finished_with(out: &str, code: i32) -> Vec<String> {
    let tail = format!(": finished with exit code {code}");
    let mut nodes: Vec<String> = out
        .lines()
        .filter_map(|l| {
            l.strip_prefix("==> ")?
                .strip_suffix(&tail)
                .map(str::to_string)
        })
        .collect();
    nodes.sort();
    nodes
}

#[test]
fn exec_runs_on_the_agents_that_allow_it_and_cleans_up() {
    let ips: Vec<IpLease> = (0..4).map(|_| reserve_ip()).collect();
    let dir = tempfile::tempdir().unwrap();
    let s1 = agent(&ips[0], "s1", Some(dir.path()), &ips[0], true);
    let c1 = agent(&ips[1], "c1", None, &ips[0], true);
    let c2 = agent(&ips[2], "c2", None, &ips[0], true);
    let off = agent(&ips[3], "off", None, &ips[0], false);
    let all = [&s1, &c1, &c2, &off];
    let logs = || {
        all.iter()
            .map(|a| format!("== {}\n{}", a.node, a.log()))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let formed = wait_until(Duration::from_secs(60), || {
        all.iter().all(|a| alive_members(a) == 4)
            && http("GET", &s1.url("/v1/catalog/nodes"), None).is_ok_and(|(s, _, b)| {
                s == 200
                    && serde_json::from_slice::<Value>(&b)
                        .ok()
                        .and_then(|v| v.as_array().map(|a| a.len()))
                        == Some(4)
            })
    });
    assert!(formed, "cluster did not form:\n{}", logs());

    // Everyone that allows remote exec runs it; `off` (the default) does not answer.
    let r = exec(&c1, &["echo hello; echo oops >&2"], None);
    let out = r.out();
    assert_eq!(
        r.code,
        0,
        "stdout:\n{out}\nstderr:\n{}\n{}",
        r.err(),
        logs()
    );
    for node in ["s1", "c1", "c2"] {
        let lines = output_of(&out, node);
        assert!(
            lines.contains(&"hello".to_string()) && lines.contains(&"oops".to_string()),
            "{node} output: {lines:?}\n{out}"
        );
    }
    assert!(output_of(&out, "off").is_empty(), "{out}");
    assert_eq!(finished_with(&out, 0), ["c1", "c2", "s1"], "{out}");
    assert!(
        out.lines()
            .any(|l| l == "3 / 3 node(s) completed / acknowledged"),
        "{out}"
    );
    assert!(
        off.log().contains("ignoring remote exec event, disabled"),
        "off agent log:\n{}",
        off.log()
    );

    // A node filter, no shell, and a failing command: exit code 2 from the CLI.
    let r = exec(
        &s1,
        &[
            "-node",
            "^c2$",
            "-shell=false",
            "sh",
            "-c",
            "echo bye; exit 3",
        ],
        None,
    );
    let out = r.out();
    assert_eq!(r.code, 2, "stdout:\n{out}\nstderr:\n{}", r.err());
    assert_eq!(output_of(&out, "c2"), ["bye"], "{out}");
    assert_eq!(finished_with(&out, 3), ["c2"], "{out}");
    assert!(
        out.lines()
            .any(|l| l == "1 / 1 node(s) completed / acknowledged"),
        "{out}"
    );

    // A script from stdin, on the agents running a service whose id starts `web-` (c1: the
    // filter is on service ids, as in Consul), with output
    // longer than one 4 KiB chunk: every line arrives, in order.
    put_ok(
        &c1,
        "/v1/agent/service/register",
        r#"{"Name":"web","ID":"web-1","Port":80}"#,
    );
    let r = exec(
        &s1,
        &["-service", "^web-", "-"],
        Some(b"#!/bin/sh\nseq 1 3000\n"),
    );
    let out = r.out();
    assert_eq!(r.code, 0, "stdout:\n{out}\nstderr:\n{}", r.err());
    // Chunks may split a line at a 4 KiB boundary (and each chunk is printed as lines of
    // its own), so compare the digits in order: every number, none lost or reordered.
    let want: String = (1..=3000).map(|i| i.to_string()).collect();
    let got: String = output_of(&out, "c1").concat();
    assert_eq!(
        got.len(),
        want.len(),
        "c1 output length\n{out}\n{}",
        r.err()
    );
    assert!(got == want, "c1 output differs from seq 1 3000");
    assert_eq!(finished_with(&out, 0), ["c1"], "{out}");
    assert!(output_of(&out, "s1").is_empty() && output_of(&out, "c2").is_empty());

    // Nothing is left behind: no job keys, no session.
    let (status, _) = call(&s1, "GET", "/v1/kv/_rexec?recurse", None);
    assert_eq!(status, 404, "job keys left behind");
    let sessions = get_json(&s1, "/v1/session/list");
    assert_eq!(sessions, Value::Array(vec![]), "sessions left behind");
}

#[test]
fn exec_refuses_bad_input_like_consul() {
    let (_ip, a) = dev_agent();
    let r = exec(&a, &[], None);
    assert_eq!(r.code, 1);
    assert!(
        r.err().starts_with("Must specify a command to execute"),
        "{}",
        r.err()
    );
    let r = exec(&a, &["-tag", "v1", "uptime"], None);
    assert_eq!(r.code, 1);
    assert_eq!(
        r.err().trim(),
        "Cannot provide tag filter without service filter."
    );
    let r = exec(&a, &["-node", "(", "uptime"], None);
    assert_eq!(r.code, 1);
    assert!(
        r.err().starts_with("Failed to compile node filter regexp"),
        "{}",
        r.err()
    );
    let r = exec(&a, &["-shell=false", "-"], None);
    assert_eq!(r.code, 1);
    assert_eq!(
        r.err().trim(),
        "Cannot configure -shell=false when reading from stdin"
    );
    // A dev agent has remote exec disabled: nobody answers, nothing is left.
    let r = exec(&a, &["-wait=1s", "uptime"], None);
    assert_eq!(r.code, 0, "{}", r.err());
    assert_eq!(r.out().trim(), "0 / 0 node(s) completed / acknowledged");
    assert_eq!(call(&a, "GET", "/v1/kv/_rexec?recurse", None).0, 404);
}
