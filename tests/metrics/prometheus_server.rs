//! With Debian's Prometheus installed: `promtool` parses our text format,
//! and a real Prometheus server scrapes the agent and can query what it
//! emitted. Skipped (with a note) where the binaries are missing.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::*;

const PROMETHEUS: &str = "/usr/bin/prometheus";
const PROMTOOL: &str = "/usr/bin/promtool";

/// Kills the child (by its own handle) when dropped.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn prometheus_text(agent: &Agent) -> String {
    let (status, _, body) = http(
        "GET",
        &agent.url("/v1/agent/metrics?format=prometheus"),
        None,
    )
    .unwrap();
    assert_eq!(status, 200);
    String::from_utf8(body).unwrap()
}

#[test]
fn promtool_parses_the_text_format() {
    if !Path::new(PROMTOOL).exists() {
        eprintln!("skipped: {PROMTOOL} is not installed");
        return;
    }
    let (_ip, _dir, agent) = agent_with_telemetry("prometheus_retention_time = \"60s\"");
    put_ok(&agent, "/v1/kv/metrics/t", "1");
    let text = prometheus_text(&agent);
    let mut child = Command::new(PROMTOOL)
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let report =
        String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    // Exit 3 is lint advice (Consul's own names, e.g. counters without
    // `_total`, draw it too); 1 is a text promtool could not parse.
    assert!(
        out.status.code() != Some(1) && !report.contains("error while linting"),
        "promtool: {report}\n{text}"
    );
}

#[test]
fn a_prometheus_server_scrapes_the_agent() {
    if !Path::new(PROMETHEUS).exists() {
        eprintln!("skipped: {PROMETHEUS} is not installed");
        return;
    }
    let (ip, dir, agent) =
        agent_with_telemetry("prometheus_retention_time = \"60s\"\ndisable_hostname = true");
    put_ok(&agent, "/v1/kv/metrics/scraped", "1");
    let target = agent
        .url("")
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let config = dir.path().join("prometheus.yml");
    std::fs::write(
        &config,
        format!(
            "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: consul\n    \
             metrics_path: /v1/agent/metrics\n    params:\n      format: ['prometheus']\n    \
             static_configs:\n      - targets: ['{target}']\n"
        ),
    )
    .unwrap();
    let listen = format!("{}:9090", ip.ip());
    let log = std::fs::File::create(dir.path().join("prometheus.log")).unwrap();
    let _server = Guard(
        Command::new(PROMETHEUS)
            .arg(format!("--config.file={}", config.display()))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.path().join("tsdb").display()
            ))
            .arg(format!("--web.listen-address={listen}"))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap(),
    );
    let query = |q: &str| -> Value {
        let url = format!("http://{listen}/api/v1/query?query={q}");
        match http("GET", &url, None) {
            Ok((200, _, body)) => serde_json::from_slice(&body).unwrap_or(Value::Null),
            _ => Value::Null,
        }
    };
    let mut last = Value::Null;
    let scraped = wait_until(Duration::from_secs(60), || {
        last = query("consul_kvs_apply_count");
        last["data"]["result"][0]["value"][1] == "1"
    });
    let plog = std::fs::read_to_string(dir.path().join("prometheus.log")).unwrap_or_default();
    assert!(scraped, "last answer {last}\nprometheus log:\n{plog}");
    let up = query("up");
    assert_eq!(up["data"]["result"][0]["value"][1], "1", "{up}");
    let raft = query("consul_raft_apply");
    assert!(
        raft["data"]["result"][0]["value"][1]
            .as_str()
            .and_then(|v| v.parse::<f64>().ok())
            .is_some_and(|v| v >= 1.0),
        "{raft}"
    );
}
