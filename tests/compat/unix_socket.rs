//! The HTTP API on a unix socket (`addresses.http = "unix:///path"`), and
//! the CLI reaching it through `CONSUL_HTTP_ADDR=unix:///path`.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::time::Duration;

use consul_testkit::run_cli;

use super::common::*;

#[test]
fn the_http_api_and_the_cli_work_over_a_unix_socket() {
    let ip = reserve_ip();
    let dir = tempfile::tempdir().unwrap();
    let sock = dir.path().join("http.sock");
    let hcl = format!(
        r#"addresses {{ http = "{} unix://{}" }}"#,
        ip.ip(),
        sock.display()
    );
    let mut agent = AgentBuilder::new(bin(), ip.ip())
        .dev(true)
        .arg("-hcl")
        .arg(&hcl)
        .start()
        .unwrap();
    agent.wait_ready(Duration::from_secs(30)).unwrap();
    assert!(sock.exists(), "socket created; log:\n{}", agent.log());

    let mut s = UnixStream::connect(&sock).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(b"GET /v1/status/leader HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
    assert!(resp.contains(&format!("{}:8300", ip.ip())), "{resp}");

    let addr = format!("unix://{}", sock.display());
    let env = [("CONSUL_HTTP_ADDR", addr.as_str())];
    let put = run_cli(bin(), &["kv", "put", "over/unix", "yes"], &env, None);
    assert_eq!(put.code, 0, "{}", put.err());
    let got = run_cli(bin(), &["kv", "get", "over/unix"], &env, None);
    assert_eq!((got.code, got.out().trim()), (0, "yes"), "{}", got.err());
    let members = run_cli(bin(), &["members"], &env, None);
    assert!(members.out().contains(&agent.node), "{}", members.err());
    // The TCP address keeps working beside it.
    assert_eq!(get_json(&agent, "/v1/kv/over/unix")[0]["Key"], "over/unix");
}
