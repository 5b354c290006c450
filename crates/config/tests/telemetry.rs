//! `telemetry`: Consul's defaults, and the keys the agent's metrics read, in
//! both file syntaxes.

use std::time::Duration;

use consul_config::{load_from_args, RuntimeConfig};

fn with_file(name: &str, body: &str) -> RuntimeConfig {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join(name);
    std::fs::write(&p, body).unwrap();
    let args: Vec<String> = ["-dev", "-config-file", p.to_str().unwrap()]
        .iter()
        .map(|s| s.to_string())
        .collect();
    load_from_args(&args).expect("config loads")
}

#[test]
fn defaults_keep_prometheus_off_and_the_consul_prefix() {
    let rt = with_file("t.json", "{}");
    let t = rt.telemetry;
    assert_eq!(t.prometheus_retention_time, Duration::ZERO);
    assert_eq!(t.metrics_prefix, "consul");
    assert!(!t.disable_hostname);
    assert_eq!((t.statsd_address, t.dogstatsd_addr), (None, None));
}

#[test]
fn json_keys_are_read() {
    let rt = with_file(
        "t.json",
        r#"{"telemetry": {"prometheus_retention_time": "30s", "disable_hostname": true,
            "metrics_prefix": "c2", "statsd_address": "127.0.0.9:8125",
            "dogstatsd_addr": "127.0.0.9:8126", "dogstatsd_tags": ["env:t"],
            "circonus_api_token": ""}}"#,
    );
    let t = rt.telemetry;
    assert_eq!(t.prometheus_retention_time, Duration::from_secs(30));
    assert!(t.disable_hostname);
    assert_eq!(t.metrics_prefix, "c2");
    assert_eq!(t.statsd_address.as_deref(), Some("127.0.0.9:8125"));
    assert_eq!(t.dogstatsd_addr.as_deref(), Some("127.0.0.9:8126"));
    assert_eq!(t.dogstatsd_tags, ["env:t"]);
    assert!(
        rt.warnings.iter().all(|w| !w.contains("telemetry")),
        "{:?}",
        rt.warnings
    );
}

#[test]
fn hcl_block_is_read() {
    let rt = with_file(
        "t.hcl",
        "telemetry {\n  prometheus_retention_time = \"1m\"\n  statsd_address = \"127.0.0.9:8125\"\n}\n",
    );
    assert_eq!(
        rt.telemetry.prometheus_retention_time,
        Duration::from_secs(60)
    );
    assert_eq!(
        rt.telemetry.statsd_address.as_deref(),
        Some("127.0.0.9:8125")
    );
}
