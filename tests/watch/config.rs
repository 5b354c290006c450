//! Config-file watches: started with the agent, replaced on reload (an invalid set is
//! refused and the running ones keep going), and the HTTP handler.

use std::io::{BufRead, BufReader, Read};
use std::net::TcpListener;
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{json, Value};

use super::common::*;
use super::runs;
use consul_testkit::run_cli;

fn agent_with(config: &std::path::Path) -> (IpLease, Agent) {
    let ip = reserve_ip();
    let mut a = AgentBuilder::new(bin(), ip.ip())
        .dev(true)
        .arg("-config-file")
        .arg(&config.display().to_string())
        .start()
        .expect("agent starts");
    a.wait_ready(Duration::from_secs(30)).expect("ready");
    (ip, a)
}

fn script_watch(key: &str, file: &std::path::Path) -> Value {
    json!({
        "type": "key",
        "key": key,
        "args": ["/bin/sh", "-c", format!("cat >> {f}; echo -- >> {f}", f = file.display())]
    })
}

#[test]
fn config_watches_start_with_the_agent_and_are_replaced_on_reload() {
    let dir = tempfile::tempdir().unwrap();
    let (fa, fb) = (dir.path().join("a"), dir.path().join("b"));
    let cfg = dir.path().join("watches.json");
    std::fs::write(
        &cfg,
        json!({"watches": [script_watch("a", &fa)]}).to_string(),
    )
    .unwrap();
    let (_ip, agent) = agent_with(&cfg);

    assert!(
        wait_until(Duration::from_secs(20), || runs(&fa).len() == 1),
        "{}",
        agent.log()
    );
    put_ok(&agent, "/v1/kv/a", "1");
    assert!(wait_until(Duration::from_secs(20), || runs(&fa).len() == 2));

    // An invalid set is refused; the running watch stays.
    std::fs::write(
        &cfg,
        json!({"watches": [{"type": "key", "args": ["true"]}]}).to_string(),
    )
    .unwrap();
    let o = run_cli(
        bin(),
        &["reload", "-http-addr", &agent.http_addr],
        &[],
        None,
    );
    assert_eq!(o.code, 1);
    assert!(
        o.err().contains("Must specify a single key to watch"),
        "{}",
        o.err()
    );
    let o = {
        std::fs::write(&cfg, json!({"watches": [script_watch("a", &fa), {"type": "nodes", "handler": "x", "args": ["y"]}]}).to_string()).unwrap();
        run_cli(
            bin(),
            &["reload", "-http-addr", &agent.http_addr],
            &[],
            None,
        )
    };
    assert!(
        o.err().contains("Only one watch handler allowed"),
        "{}",
        o.err()
    );
    put_ok(&agent, "/v1/kv/a", "2");
    assert!(wait_until(Duration::from_secs(20), || runs(&fa).len() == 3));

    // Reload with a watch on `b` instead: `a` stops, `b` starts.
    std::fs::write(
        &cfg,
        json!({"watches": [script_watch("b", &fb)]}).to_string(),
    )
    .unwrap();
    let o = run_cli(
        bin(),
        &["reload", "-http-addr", &agent.http_addr],
        &[],
        None,
    );
    assert_eq!(o.code, 0, "{}", o.err());
    assert!(wait_until(Duration::from_secs(20), || runs(&fb).len() == 1));
    put_ok(&agent, "/v1/kv/a", "3");
    put_ok(&agent, "/v1/kv/b", "1");
    assert!(wait_until(Duration::from_secs(20), || runs(&fb).len() == 2));
    // The stopped watch on `a` would have run by now (it was started before `b`'s).
    assert_eq!(runs(&fa).len(), 3, "the replaced watch kept running");
}

#[test]
fn an_invalid_watch_stops_the_agent_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("w.json");
    std::fs::write(&cfg, json!({"watches": [{"type": "nodes"}]}).to_string()).unwrap();
    let ip = reserve_ip();
    let mut a = AgentBuilder::new(bin(), ip.ip())
        .dev(true)
        .arg("-config-file")
        .arg(&cfg.display().to_string())
        .start()
        .unwrap();
    let status = a.wait_exit(Duration::from_secs(30)).expect("agent exits");
    assert!(!status.success());
    assert!(
        a.log().contains("Must define a watch handler"),
        "{}",
        a.log()
    );
}

/// One request as the test server saw it: request line, headers (lower-cased), body.
type Seen = (String, Vec<(String, String)>, String);

/// Accept one HTTP request on `l`; send its request line, headers and body.
fn serve_one(l: TcpListener, tx: mpsc::Sender<Seen>) {
    let Ok((s, _)) = l.accept() else { return };
    let mut r = BufReader::new(s);
    let mut line = String::new();
    let _ = r.read_line(&mut line);
    let mut headers = Vec::new();
    let mut len = 0usize;
    loop {
        let mut h = String::new();
        if r.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
            break;
        }
        if let Some((k, v)) = h.trim_end().split_once(": ") {
            if k.eq_ignore_ascii_case("content-length") {
                len = v.parse().unwrap_or(0);
            }
            headers.push((k.to_ascii_lowercase(), v.to_string()));
        }
    }
    let mut body = vec![0; len];
    let _ = r.read_exact(&mut body);
    let _ = std::io::Write::write_all(
        r.get_mut(),
        b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    );
    let _ = tx.send((line, headers, String::from_utf8_lossy(&body).into_owned()));
}

#[test]
fn an_http_handler_receives_the_result() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || serve_one(listener, tx));
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("w.json");
    std::fs::write(
        &cfg,
        json!({"watches": [{
            "type": "key", "key": "h", "handler_type": "http",
            "http_handler_config": {
                "path": format!("http://127.0.0.1:{port}/hook"),
                "method": "PUT",
                "header": {"X-Test": ["yes"]},
                "timeout": "5s"
            }
        }]})
        .to_string(),
    )
    .unwrap();
    let (_ip, _agent) = agent_with(&cfg);
    let (line, headers, body) = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("handler called");
    assert_eq!(line, "PUT /hook HTTP/1.1\r\n");
    let h = |k: &str| {
        headers
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(h("x-test"), Some("yes"));
    assert!(h("x-consul-index").is_some_and(|v| v.parse::<u64>().is_ok()));
    assert_eq!(body, "null\n");
}
