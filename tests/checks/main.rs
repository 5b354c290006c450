//! Health checks as the seed walkthroughs use them: script, HTTP and TCP
//! checks from config directories and the API, status visible in
//! `/v1/health/*`, reload on SIGHUP.

#[path = "../common/mod.rs"]
mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::*;
use serde_json::Value;

fn check_of(agent: &Agent, service: &str, id: &str) -> Option<Value> {
    let (status, _, body) = http(
        "GET",
        &agent.url(&format!("/v1/health/checks/{service}")),
        None,
    )
    .ok()?;
    if status != 200 {
        return None;
    }
    let v: Value = serde_json::from_slice(&body).ok()?;
    v.as_array()?.iter().find(|c| c["CheckID"] == id).cloned()
}

fn wait_status(agent: &Agent, service: &str, id: &str, want: &str) -> Value {
    let mut last = None;
    let ok = wait_until(Duration::from_secs(20), || {
        last = check_of(agent, service, id);
        last.as_ref().is_some_and(|c| c["Status"] == want)
    });
    assert!(
        ok,
        "{id} never became {want}; last: {last:?}\nlog:\n{}",
        agent.log()
    );
    last.unwrap()
}

/// A tiny HTTP server on `ip` answering 200 while `up` is set.
fn http_server(ip: std::net::Ipv4Addr) -> (u16, Arc<AtomicBool>) {
    let l = TcpListener::bind((ip, 0)).unwrap();
    let port = l.local_addr().unwrap().port();
    let up = Arc::new(AtomicBool::new(true));
    let up2 = up.clone();
    std::thread::spawn(move || {
        for s in l.incoming() {
            let Ok(mut s) = s else { continue };
            if !up2.load(Ordering::SeqCst) {
                return; // dropping the listener: connections are refused from now on
            }
            let mut buf = [0u8; 1024];
            let _ = s.read(&mut buf);
            let _ = s.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello",
            );
        }
    });
    (port, up)
}

fn agent_with_config_dir(ip: &IpLease, conf: &Path, extra: &[&str]) -> Agent {
    let mut b = AgentBuilder::new(bin(), ip.ip())
        .dev(true)
        .arg("-config-dir")
        .arg(conf.to_str().unwrap());
    for a in extra {
        b = b.arg(a);
    }
    let mut agent = b.start().unwrap();
    agent.wait_ready(Duration::from_secs(30)).unwrap();
    agent
}

#[test]
fn seed_web_service_with_script_check_goes_critical_and_passing_script_passes() {
    let ip = reserve_ip();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("web.json"),
        r#"{"service": {"name": "web", "tags": ["rails"], "port": 80,
            "check": {"script": "curl localhost:1 >/dev/null 2>&1", "interval": "10s"}}}"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("ok.json"),
        r#"{"service": {"name": "up", "port": 1, "check": {"args": ["/bin/sh", "-c", "echo alive; exit 0"], "interval": "1s"}}}"#,
    )
    .unwrap();
    let agent = agent_with_config_dir(&ip, dir.path(), &["-enable-script-checks"]);
    let c = wait_status(&agent, "up", "service:up", "passing");
    assert_eq!(c["Output"], "alive\n");
    assert_eq!(c["Type"], "script");
    wait_status(&agent, "web", "service:web", "critical");
    assert!(get_json(&agent, "/v1/health/service/web?passing")
        .as_array()
        .unwrap()
        .is_empty());
}

#[test]
fn http_check_passes_then_fails_when_the_server_stops() {
    let ip = reserve_ip();
    let (port, up) = http_server(ip.ip());
    let dir = tempfile::tempdir().unwrap();
    let def = format!(
        r#"{{"services": [{{"name": "api", "port": {port},
            "checks": [{{"id": "api-http", "http": "http://{}:{port}/health", "interval": "1s", "timeout": "1s"}}]}}]}}"#,
        ip.ip()
    );
    std::fs::write(dir.path().join("services.json"), def).unwrap();
    let agent = agent_with_config_dir(&ip, dir.path(), &[]);
    let c = wait_status(&agent, "api", "api-http", "passing");
    assert!(
        c["Output"]
            .as_str()
            .unwrap()
            .contains("200 OK Output: hello"),
        "{c}"
    );
    up.store(false, Ordering::SeqCst);
    let _ = std::net::TcpStream::connect((ip.ip(), port)); // wake the accept loop so it exits
    wait_status(&agent, "api", "api-http", "critical");
}

#[test]
fn tcp_check_registered_through_the_api() {
    let (ip, agent) = dev_agent();
    let l = TcpListener::bind((ip.ip(), 0)).unwrap();
    let port = l.local_addr().unwrap().port();
    let body = format!(
        r#"{{"Name":"db","Port":{port},"Check":{{"TCP":"{}:{port}","Interval":"1s"}}}}"#,
        ip.ip()
    );
    put_ok(&agent, "/v1/agent/service/register", &body);
    wait_status(&agent, "db", "service:db", "passing");
    drop(l);
    wait_status(&agent, "db", "service:db", "critical");
}

#[test]
fn script_checks_are_refused_unless_enabled() {
    let (_ip, agent) = dev_agent();
    let (s, t) = call(
        &agent,
        "PUT",
        "/v1/agent/check/register",
        Some(br#"{"Name":"s","Args":["/bin/true"],"Interval":"10s"}"#),
    );
    assert_eq!(s, 400);
    assert!(t.contains("enable_script_checks"), "{t}");
}

#[test]
fn sighup_reloads_service_definitions() {
    let ip = reserve_ip();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.json"),
        r#"{"service": {"name": "alpha", "port": 1}}"#,
    )
    .unwrap();
    let agent = agent_with_config_dir(&ip, dir.path(), &[]);
    assert!(wait_until(Duration::from_secs(10), || get_json(
        &agent,
        "/v1/agent/services"
    )
    .get("alpha")
    .is_some()));
    std::fs::write(
        dir.path().join("b.json"),
        r#"{"service": {"name": "beta", "port": 2}}"#,
    )
    .unwrap();
    agent.signal(1); // SIGHUP
    assert!(wait_until(Duration::from_secs(10), || {
        let s = get_json(&agent, "/v1/agent/services");
        s.get("alpha").is_some() && s.get("beta").is_some()
    }));
    assert_eq!(
        get_json(&agent, "/v1/catalog/service/beta")[0]["ServicePort"],
        2
    );
}

#[test]
fn anti_entropy_reverts_catalog_edits_of_this_node() {
    let ip = reserve_ip();
    let mut agent = AgentBuilder::new(bin(), ip.ip())
        .dev(true)
        .arg("-hcl")
        .arg(r#"ae_interval = "1s""#)
        .start()
        .unwrap();
    agent.wait_ready(Duration::from_secs(30)).unwrap();
    let node = agent.node.clone();
    put_ok(
        &agent,
        "/v1/agent/service/register",
        r#"{"Name":"web","Tags":["a"],"Port":80,"Check":{"TTL":"60s","Status":"passing"}}"#,
    );
    let addr = ip.ip().to_string();
    // Someone edits this node's entry straight in the catalog.
    let edit = format!(
        r#"{{"Node":"{node}","Address":"{addr}","Service":{{"Service":"web","Tags":["evil"],"Port":81}},
            "Checks":[{{"CheckID":"service:web","Name":"x","Status":"critical","ServiceID":"web"}}]}}"#
    );
    put_ok(&agent, "/v1/catalog/register", &edit);
    put_ok(
        &agent,
        "/v1/catalog/register",
        &format!(r#"{{"Node":"{node}","Address":"{addr}","Service":{{"Service":"rogue"}}}}"#),
    );
    assert_eq!(
        get_json(&agent, "/v1/catalog/service/web")[0]["ServiceTags"],
        serde_json::json!(["evil"])
    );
    let reverted = wait_until(Duration::from_secs(15), || {
        let web = get_json(&agent, "/v1/catalog/service/web");
        let rogue = get_json(&agent, "/v1/catalog/service/rogue");
        web[0]["ServiceTags"] == serde_json::json!(["a"])
            && web[0]["ServicePort"] == 80
            && rogue.as_array().is_some_and(|a| a.is_empty())
            && check_of(&agent, "web", "service:web").is_some_and(|c| c["Status"] == "passing")
    });
    assert!(reverted, "catalog not repaired; log:\n{}", agent.log());
    // The leader's own entries are not the agent's to remove.
    assert_eq!(
        get_json(&agent, "/v1/catalog/service/consul")
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn a_service_critical_past_deregister_critical_service_after_is_removed() {
    let ip = reserve_ip();
    let mut agent = AgentBuilder::new(bin(), ip.ip())
        .dev(true)
        .arg("-hcl")
        .arg(r#"check_reap_interval = "200ms""#)
        .arg("-hcl")
        .arg(r#"check_deregister_interval_min = "0s""#)
        .start()
        .unwrap();
    agent.wait_ready(Duration::from_secs(30)).unwrap();
    // Critical from the start, allowed to stay so for 1 s.
    put_ok(
        &agent,
        "/v1/agent/service/register",
        r#"{"Name":"doomed","Check":{"TTL":"60s","Status":"critical","DeregisterCriticalServiceAfter":"1s"}}"#,
    );
    // Passing, with the same allowance: it stays.
    put_ok(
        &agent,
        "/v1/agent/service/register",
        r#"{"Name":"healthy","Check":{"TTL":"60s","Status":"passing","DeregisterCriticalServiceAfter":"1s"}}"#,
    );
    assert_eq!(
        get_json(&agent, "/v1/catalog/service/doomed")
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    let reaped = wait_until(Duration::from_secs(20), || {
        get_json(&agent, "/v1/catalog/service/doomed")
            .as_array()
            .is_some_and(|a| a.is_empty())
            && get_json(&agent, "/v1/agent/services")
                .get("doomed")
                .is_none()
    });
    assert!(
        reaped,
        "critical service not deregistered; log:\n{}",
        agent.log()
    );
    // Logs reach the file through the agent's writer thread: allow it a moment.
    assert!(wait_until(Duration::from_secs(5), || agent
        .log()
        .contains("critical for too long")));
    assert!(get_json(&agent, "/v1/agent/services")
        .get("healthy")
        .is_some());
    assert_eq!(
        get_json(&agent, "/v1/catalog/service/healthy")
            .as_array()
            .map(Vec::len),
        Some(1)
    );
}

/// A stand-in Docker engine on a unix socket: container `web`; its exec
/// prints a line and exits with the code stored in `exit`.
fn fake_docker(path: &Path, exit: Arc<std::sync::atomic::AtomicI64>) {
    let l = std::os::unix::net::UnixListener::bind(path).unwrap();
    std::thread::spawn(move || {
        for mut s in l.incoming().flatten() {
            let mut req = Vec::new();
            let mut buf = [0u8; 4096];
            // Read the head and the (small) body.
            while let Ok(n) = s.read(&mut buf) {
                req.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&req);
                if let Some(end) = text.find("\r\n\r\n") {
                    let len = text
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                        })
                        .unwrap_or(0);
                    if req.len() >= end + 4 + len {
                        break;
                    }
                }
                if n == 0 {
                    break;
                }
            }
            let line = String::from_utf8_lossy(&req)
                .lines()
                .next()
                .unwrap_or("")
                .to_string();
            let body: Vec<u8> = if line.starts_with("POST /containers/web/exec ") {
                br#"{"Id":"x1"}"#.to_vec()
            } else if line.starts_with("POST /exec/x1/start ") {
                let msg = b"checked inside web\n";
                let mut f = vec![1, 0, 0, 0];
                f.extend_from_slice(&(msg.len() as u32).to_be_bytes());
                f.extend_from_slice(msg);
                f
            } else {
                format!(r#"{{"ExitCode":{}}}"#, exit.load(Ordering::SeqCst)).into_bytes()
            };
            let code = if line.starts_with("POST /containers/") {
                "201 Created"
            } else {
                "200 OK"
            };
            let _ = s.write_all(
                format!("HTTP/1.1 {code}\r\nContent-Length: {}\r\n\r\n", body.len()).as_bytes(),
            );
            let _ = s.write_all(&body);
        }
    });
}

#[test]
fn docker_checks_run_through_the_engine_named_by_docker_host() {
    let dir = tempfile::tempdir().unwrap();
    let sock = dir.path().join("docker.sock");
    let exit = Arc::new(std::sync::atomic::AtomicI64::new(0));
    fake_docker(&sock, exit.clone());
    let ip = reserve_ip();
    let mut agent = AgentBuilder::new(bin(), ip.ip())
        .dev(true)
        .env("DOCKER_HOST", &format!("unix://{}", sock.display()))
        .arg("-hcl")
        .arg("enable_script_checks = true")
        .start()
        .unwrap();
    agent.wait_ready(Duration::from_secs(30)).unwrap();
    put_ok(
        &agent,
        "/v1/agent/service/register",
        r#"{"Name":"web","Check":{"DockerContainerID":"web","Args":["/bin/check"],"Interval":"1s"}}"#,
    );
    let c = wait_status(&agent, "web", "service:web", "passing");
    assert_eq!(c["Output"], "checked inside web\n");
    exit.store(2, Ordering::SeqCst);
    wait_status(&agent, "web", "service:web", "critical");
}
