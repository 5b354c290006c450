//! Metrics of a real agent: `GET /v1/agent/metrics` in Consul's JSON shape
//! and in the Prometheus text format, and the statsd/dogstatsd lines it
//! sends over UDP, each showing what a KV write emits.

#[path = "../common/mod.rs"]
mod common;
mod prometheus_server;

use std::net::UdpSocket;
use std::time::{Duration, Instant};

use common::*;
use regex::Regex;
use serde_json::Value;

/// A dev agent with `telemetry` set to `body` (HCL).
fn agent_with_telemetry(body: &str) -> (IpLease, tempfile::TempDir, Agent) {
    let ip = reserve_ip();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("telemetry.hcl");
    std::fs::write(&path, format!("telemetry {{\n{body}\n}}\n")).unwrap();
    let mut agent = AgentBuilder::new(bin(), ip.ip())
        .dev(true)
        .arg("-config-file")
        .arg(path.to_str().unwrap())
        .start()
        .expect("agent starts");
    agent
        .wait_ready(Duration::from_secs(30))
        .expect("agent ready");
    (ip, dir, agent)
}

fn find<'a>(list: &'a Value, name: &str) -> Option<&'a Value> {
    list.as_array()?.iter().find(|m| m["Name"] == name)
}

#[test]
fn json_summary_has_consuls_shape_and_shows_kv_writes() {
    let (_ip, agent) = dev_agent();
    put_ok(&agent, "/v1/kv/metrics/a", "1");
    // The summary shows the last finished 10 s interval: wait for the one
    // holding the write to finish.
    let mut summary = Value::Null;
    let seen = wait_until(Duration::from_secs(30), || {
        summary = get_json(&agent, "/v1/agent/metrics");
        find(&summary["Samples"], "consul.kvs.apply").is_some()
    });
    assert!(seen, "no consul.kvs.apply in {summary:#}");

    let ts = summary["Timestamp"].as_str().expect("Timestamp string");
    let ts_shape = Regex::new(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000 UTC$").unwrap();
    assert!(ts_shape.is_match(ts), "Timestamp {ts}");
    assert_eq!(summary["Points"], serde_json::json!([]));
    for section in ["Counters", "Samples"] {
        for m in summary[section].as_array().expect("list") {
            for field in [
                "Name", "Count", "Rate", "Sum", "Min", "Max", "Mean", "Stddev",
            ] {
                assert!(
                    m.get(field).is_some(),
                    "{section} entry without {field}: {m}"
                );
            }
            assert!(m["Labels"].is_object(), "{m}");
        }
    }
    for g in summary["Gauges"].as_array().expect("gauges") {
        assert!(g["Name"].is_string() && g["Value"].is_number() && g["Labels"].is_object());
    }
    let kv = find(&summary["Samples"], "consul.kvs.apply").unwrap();
    assert!(kv["Count"].as_u64().unwrap() >= 1, "{kv}");
    assert!(
        find(&summary["Samples"], "consul.http.PUT.v1.kv._").is_some(),
        "no pre-1.9 HTTP timer: {summary:#}"
    );
    let api = summary["Samples"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["Name"] == "consul.api.http" && m["Labels"]["path"] == "v1_kv_");
    assert_eq!(
        api.map(|m| m["Labels"]["method"].clone()),
        Some("PUT".into())
    );
    assert!(find(&summary["Counters"], "consul.raft.apply").is_some());
    // Only the in-memory sink: no host name in gauge names.
    let rss = find(&summary["Gauges"], "consul.runtime.alloc_bytes").expect("alloc_bytes");
    assert!(rss["Value"].as_f64().unwrap() > 0.0);

    // Prometheus is off while prometheus_retention_time is 0.
    let (status, body) = call(&agent, "GET", "/v1/agent/metrics?format=prometheus", None);
    assert_eq!(
        (status, body.as_str()),
        (
            415,
            "Prometheus is not enabled since its retention time is not positive"
        )
    );
}

/// A DNS question for `name` of type `qtype`, sent over UDP to the
/// agent's DNS port; waits for the answer.
fn dns_query(ip: std::net::Ipv4Addr, name: &str, qtype: u16) {
    let mut q = vec![0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
    for label in name.trim_end_matches('.').split('.') {
        q.push(label.len() as u8);
        q.extend_from_slice(label.as_bytes());
    }
    q.push(0);
    q.extend_from_slice(&qtype.to_be_bytes());
    q.extend_from_slice(&1u16.to_be_bytes());
    let sock = UdpSocket::bind((ip, 0)).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(1))).unwrap();
    let mut buf = [0u8; 1500];
    // The DNS listener may start just after the HTTP API answers.
    for _ in 0..10 {
        sock.send_to(&q, (ip, 8600)).unwrap();
        if let Ok(n) = sock.recv(&mut buf) {
            assert!(n >= 12 && buf[..2] == [0x12, 0x34], "not our answer");
            return;
        }
    }
    panic!("no DNS answer for {name}");
}

#[test]
fn prometheus_format_parses_and_names_metrics_as_consul() {
    let (ip, _dir, agent) =
        agent_with_telemetry("prometheus_retention_time = \"60s\"\ndisable_hostname = true");
    put_ok(&agent, "/v1/kv/metrics/p", "1");
    dns_query(ip.ip(), "consul.service.consul", 1);
    let o = ip.ip().octets();
    let reverse = format!("{}.{}.{}.{}.in-addr.arpa", o[3], o[2], o[1], o[0]);
    dns_query(ip.ip(), &reverse, 12);
    let mut text = String::new();
    let seen = wait_until(Duration::from_secs(10), || {
        let (status, headers, body) = http(
            "GET",
            &agent.url("/v1/agent/metrics?format=prometheus"),
            None,
        )
        .unwrap();
        assert_eq!(status, 200);
        assert_eq!(
            header(&headers, "Content-Type"),
            Some("text/plain; version=0.0.4; charset=utf-8")
        );
        text = String::from_utf8(body).unwrap();
        text.contains("\nconsul_runtime_alloc_bytes ")
    });
    assert!(seen, "{text}");
    let sample = Regex::new(r"^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? (\S+)$").unwrap();
    for line in text.lines() {
        if line.starts_with("# HELP ") || line.starts_with("# TYPE ") {
            continue;
        }
        let caps = sample
            .captures(line)
            .unwrap_or_else(|| panic!("not a sample line: {line:?}"));
        let v = &caps[2];
        assert!(
            v.parse::<f64>().is_ok() || ["NaN", "+Inf", "-Inf"].contains(&v),
            "bad value in {line:?}"
        );
    }
    for want in [
        "# TYPE consul_raft_apply counter\n",
        "# TYPE consul_kvs_apply summary\n",
        "consul_kvs_apply{quantile=\"0.5\"} ",
        "consul_kvs_apply_count 1\n",
        "# TYPE consul_raft_commitTime summary\n",
        "consul_http_PUT_v1_kv___count 1\n",
        "# TYPE consul_runtime_alloc_bytes gauge\n",
        "# TYPE consul_serf_member_join counter\n",
        "# TYPE consul_raft_state_leader counter\n",
    ] {
        assert!(text.contains(want), "missing {want:?} in\n{text}");
    }
    let node = get_json(&agent, "/v1/agent/self")["Config"]["NodeName"]
        .as_str()
        .unwrap()
        .to_string();
    for want in [
        format!("consul_dns_domain_query_count{{node=\"{node}\"}} 1\n"),
        format!("consul_dns_ptr_query_count{{node=\"{node}\"}} 1\n"),
    ] {
        assert!(text.contains(&want), "missing {want:?} in\n{text}");
    }

    // The Accept header Prometheus sends selects the same format.
    let (status, headers, _) = http_with_headers(
        "GET",
        &agent.url("/v1/agent/metrics"),
        &[("Accept", "text/plain; version=0.0.4")],
        None,
    )
    .unwrap();
    assert_eq!(status, 200);
    assert!(header(&headers, "Content-Type")
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
}

/// Datagrams from `sock` until one holds a line `pred` accepts.
fn lines_until(sock: &UdpSocket, pred: impl Fn(&str) -> bool) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut lines = Vec::new();
    let mut buf = [0u8; 2048];
    while Instant::now() < deadline {
        let Ok(n) = sock.recv(&mut buf) else { continue };
        let text = String::from_utf8_lossy(&buf[..n]).into_owned();
        let done = text.lines().any(&pred);
        lines.extend(text.lines().map(str::to_string));
        if done {
            return lines;
        }
    }
    panic!("no matching line in {lines:?}");
}

#[test]
fn statsd_and_dogstatsd_receive_lines_after_a_write() {
    let ip = reserve_ip();
    let statsd = UdpSocket::bind((ip.ip(), 0)).unwrap();
    let dogstatsd = UdpSocket::bind((ip.ip(), 0)).unwrap();
    for s in [&statsd, &dogstatsd] {
        s.set_read_timeout(Some(Duration::from_millis(500)))
            .unwrap();
    }
    let body = format!(
        "statsd_address = \"{}\"\ndogstatsd_addr = \"{}\"\ndogstatsd_tags = [\"env:test\"]",
        statsd.local_addr().unwrap(),
        dogstatsd.local_addr().unwrap()
    );
    let (_ip2, _dir, agent) = agent_with_telemetry(&body);
    put_ok(&agent, "/v1/kv/metrics/s", "1");

    let plain = lines_until(&statsd, |l| l.starts_with("consul.kvs.apply:"));
    let shape = Regex::new(r"^[^:|]+:-?\d+\.\d{6}\|(c|ms|g)$").unwrap();
    for l in &plain {
        assert!(shape.is_match(l), "not a statsd line: {l:?}");
    }
    assert!(plain
        .iter()
        .any(|l| l.starts_with("consul.kvs.apply:") && l.ends_with("|ms")));
    // With another sink than the in-memory one, gauges carry the host name.
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    let gauge = format!("consul.{}.runtime.alloc_bytes:", host.trim());
    lines_until(&statsd, |l| l.starts_with(&gauge) && l.ends_with("|g"));

    let dog = lines_until(&dogstatsd, |l| l.starts_with("consul.kvs.apply:"));
    let kv = dog
        .iter()
        .find(|l| l.starts_with("consul.kvs.apply:"))
        .unwrap();
    assert!(kv.ends_with("|ms|#env:test"), "{kv}");
    // DogStatsD keeps the host name out of gauge names.
    lines_until(&dogstatsd, |l| l.starts_with("consul.runtime.alloc_bytes:"));
}
