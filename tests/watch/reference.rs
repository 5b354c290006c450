//! `consul watch` output compared byte for byte with HashiCorp's Consul 1.10 CLI (when
//! `/opt/consul-ref-bin/consul` is installed), both reading the same agent of ours: the
//! result shapes are Go's `api` structs, so the two must print the same document.

use std::path::Path;

use consul_testkit::run_cli;

use super::common::*;

const REFERENCE: &str = "/opt/consul-ref-bin/consul";

#[test]
fn watch_prints_what_consuls_cli_prints() {
    if !Path::new(REFERENCE).exists() {
        eprintln!("NOTICE: {REFERENCE} not installed; skipping the reference comparison");
        return;
    }
    let (_ip, a) = dev_agent();
    put_ok(&a, "/v1/kv/foo", "1");
    put_ok(&a, "/v1/kv/foo/bar", "2");
    put_ok(&a, "/v1/event/fire/deploy", "p");
    put_ok(
        &a,
        "/v1/agent/service/register",
        r#"{"Name":"web","Tags":["v2"],"Port":80,"Check":{"TTL":"30s"}}"#,
    );
    put_ok(
        &a,
        "/v1/agent/check/register",
        r#"{"Name":"h","TTL":"60s","Notes":"node-level"}"#,
    );
    let cases: &[&[&str]] = &[
        &["-type", "key", "-key", "foo"],
        &["-type", "key", "-key", "nope"],
        &["-type", "keyprefix", "-prefix", "foo"],
        &["-type", "keyprefix", "-prefix", "nope"],
        &["-type", "services"],
        &["-type", "nodes"],
        &["-type", "service", "-service", "web"],
        &[
            "-type",
            "service",
            "-service",
            "web",
            "-tag",
            "v2",
            "-passingonly=true",
        ],
        &["-type", "service", "-service", "consul"],
        &["-type", "checks", "-service", "web"],
        &["-type", "checks", "-state", "critical"],
        &["-type", "checks"],
        &["-type", "event"],
        &["-type", "event", "-name", "nope"],
        &["-type", "key"],
        &["-type", "bogus"],
    ];
    let env = [("CONSUL_HTTP_ADDR", a.http_addr.as_str())];
    for args in cases {
        let mut v = vec!["watch"];
        v.extend_from_slice(args);
        let ours = run_cli(bin(), &v, &env, None);
        let theirs = run_cli(Path::new(REFERENCE), &v, &env, None);
        assert_eq!(
            (ours.code, ours.out(), ours.err()),
            (theirs.code, theirs.out(), theirs.err()),
            "consul watch {args:?}"
        );
    }
}
