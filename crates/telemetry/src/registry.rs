//! [`Metrics`]: the handle every emission goes through (cheap to clone). It
//! names the emission as go-metrics' `Metrics` does — `metrics_prefix`
//! first, and for gauges the host name after it when enabled — and hands it
//! to the in-memory sink, the Prometheus sink (when enabled) and the extra
//! [`Sink`]s.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::inmem::InmemSink;
use crate::key::LabelRef;
use crate::prometheus::PrometheusSink;
use crate::summary::Summary;

/// The kind of an emission.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Last value wins.
    Gauge,
    /// Values add up.
    Counter,
    /// Values are rolled up (timers, in ms).
    Sample,
}

/// One emission as the extra sinks see it: the full name parts (prefix and
/// host name included), the value and the labels.
#[derive(Debug, Clone, Copy)]
pub struct Emission<'a> {
    /// What kind of metric.
    pub kind: Kind,
    /// Name parts, e.g. `["consul", "kvs", "apply"]`.
    pub key: &'a [&'a str],
    /// The value (ms for timers).
    pub value: f32,
    /// The labels, `(name, value)`.
    pub labels: &'a [LabelRef<'a>],
}

/// An extra destination of every emission (the agent's statsd senders). It
/// must not block: it runs on the emitting task.
pub trait Sink: Send + Sync {
    /// Takes one emission.
    fn emit(&self, e: &Emission<'_>);
}

/// How emissions are named and where they go besides the in-memory sink.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricsConfig {
    /// `telemetry.metrics_prefix` (Consul's default `consul`); empty: none.
    pub prefix: String,
    /// The host name put after the prefix in gauge names, when
    /// go-metrics would (another sink than the in-memory one is configured
    /// and `telemetry.disable_hostname` is false).
    pub gauge_hostname: Option<String>,
    /// `telemetry.prometheus_retention_time` in ms; 0 disables the
    /// Prometheus rendering.
    pub prometheus_retention_ms: u64,
}

impl Default for MetricsConfig {
    fn default() -> Self {
        MetricsConfig {
            prefix: "consul".into(),
            gauge_hostname: None,
            prometheus_retention_ms: 0,
        }
    }
}

struct State {
    inmem: InmemSink,
    prometheus: Option<PrometheusSink>,
}

struct Inner {
    config: MetricsConfig,
    state: Mutex<State>,
    sinks: Vec<Box<dyn Sink>>,
}

/// The metrics registry handle.
#[derive(Clone)]
pub struct Metrics(Arc<Inner>);

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics")
            .field("config", &self.0.config)
            .field("sinks", &self.0.sinks.len())
            .finish()
    }
}

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

impl Metrics {
    /// A registry with Consul's in-memory sink and the given extra sinks.
    pub fn new(config: MetricsConfig, sinks: Vec<Box<dyn Sink>>) -> Metrics {
        let prometheus = (config.prometheus_retention_ms > 0)
            .then(|| PrometheusSink::new(config.prometheus_retention_ms));
        Metrics(Arc::new(Inner {
            config,
            state: Mutex::new(State {
                inmem: InmemSink::default(),
                prometheus,
            }),
            sinks,
        }))
    }

    /// How this registry names emissions.
    pub fn config(&self) -> &MetricsConfig {
        &self.0.config
    }

    /// Records one emission at `now_ms`; `parts` is the name without the
    /// prefix (`["kvs", "apply"]`).
    pub fn emit_at(
        &self,
        now_ms: u64,
        kind: Kind,
        parts: &[&str],
        value: f32,
        labels: &[(&str, &str)],
    ) {
        let cfg = &self.0.config;
        // The full name on the stack: prefix, host name (gauges), parts.
        let mut buf: [&str; 16] = [""; 16];
        let mut n = 0;
        if !cfg.prefix.is_empty() {
            buf[n] = &cfg.prefix;
            n += 1;
        }
        if kind == Kind::Gauge {
            if let Some(h) = &cfg.gauge_hostname {
                buf[n] = h;
                n += 1;
            }
        }
        let long: Vec<&str>;
        let key: &[&str] = if n + parts.len() <= buf.len() {
            buf[n..n + parts.len()].copy_from_slice(parts);
            &buf[..n + parts.len()]
        } else {
            long = buf[..n].iter().chain(parts).copied().collect();
            &long
        };
        {
            let mut st = self.lock();
            if let Some(p) = st.prometheus.as_mut() {
                match kind {
                    Kind::Gauge => p.set_gauge(now_ms, key, labels, value),
                    Kind::Counter => p.incr_counter(now_ms, key, labels, value),
                    Kind::Sample => p.add_sample(now_ms, key, labels, value),
                }
            }
            match kind {
                Kind::Gauge => st.inmem.set_gauge(now_ms, key, labels, value),
                Kind::Counter => st.inmem.incr_counter(now_ms, key, labels, value),
                Kind::Sample => st.inmem.add_sample(now_ms, key, labels, value),
            }
        }
        if !self.0.sinks.is_empty() {
            let e = Emission {
                kind,
                key,
                value,
                labels,
            };
            for s in &self.0.sinks {
                s.emit(&e);
            }
        }
    }

    /// Records one emission now.
    pub fn emit(&self, kind: Kind, parts: &[&str], value: f32, labels: &[(&str, &str)]) {
        self.emit_at(now_ms(), kind, parts, value, labels);
    }

    /// The summary `GET /v1/agent/metrics` answers at `now_ms`.
    pub fn summary_at(&self, now_ms: u64) -> Summary {
        let mut st = self.lock();
        let secs = st.inmem.interval_secs();
        crate::summary::render(st.inmem.displayed(now_ms), secs)
    }

    /// The summary `GET /v1/agent/metrics` answers now.
    pub fn summary(&self) -> Summary {
        self.summary_at(now_ms())
    }

    /// Whether the Prometheus rendering is enabled (a positive
    /// `prometheus_retention_time`).
    pub fn prometheus_enabled(&self) -> bool {
        self.0.config.prometheus_retention_ms > 0
    }

    /// The Prometheus text rendering at `now_ms`, if enabled.
    pub fn prometheus_text_at(&self, now_ms: u64) -> Option<String> {
        self.lock().prometheus.as_mut().map(|p| p.render(now_ms))
    }

    /// The Prometheus text rendering now, if enabled.
    pub fn prometheus_text(&self) -> Option<String> {
        self.prometheus_text_at(now_ms())
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves consistent maps behind.
        self.0.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Collect(Mutex<Vec<String>>);
    impl Sink for Arc<Collect> {
        fn emit(&self, e: &Emission<'_>) {
            self.0.lock().unwrap().push(crate::statsd::statsd_line(e));
        }
    }

    #[test]
    fn names_get_the_prefix_and_gauges_the_host_name() {
        let lines = Arc::new(Collect(Mutex::new(Vec::new())));
        let m = Metrics::new(
            MetricsConfig {
                prefix: "consul".into(),
                gauge_hostname: Some("h1".into()),
                prometheus_retention_ms: 60_000,
            },
            vec![Box::new(lines.clone())],
        );
        m.emit_at(1_000, Kind::Gauge, &["runtime", "alloc_bytes"], 10.0, &[]);
        m.emit_at(1_000, Kind::Sample, &["kvs", "apply"], 2.0, &[]);
        m.emit_at(1_000, Kind::Counter, &["raft", "apply"], 1.0, &[]);
        let s = serde_json::to_value(m.summary_at(2_000)).unwrap();
        assert_eq!(s["Gauges"][0]["Name"], "consul.h1.runtime.alloc_bytes");
        assert_eq!(s["Samples"][0]["Name"], "consul.kvs.apply");
        assert_eq!(s["Counters"][0]["Name"], "consul.raft.apply");
        let text = m.prometheus_text_at(2_000).unwrap();
        assert!(
            text.contains("\nconsul_h1_runtime_alloc_bytes 10\n"),
            "{text}"
        );
        assert!(text.contains("\nconsul_raft_apply 1\n"), "{text}");
        assert_eq!(
            *lines.0.lock().unwrap(),
            [
                "consul.h1.runtime.alloc_bytes:10.000000|g\n",
                "consul.kvs.apply:2.000000|ms\n",
                "consul.raft.apply:1.000000|c\n"
            ]
        );
    }

    #[test]
    fn prometheus_is_off_without_retention() {
        let m = Metrics::new(MetricsConfig::default(), Vec::new());
        assert!(!m.prometheus_enabled());
        assert_eq!(m.prometheus_text_at(0), None);
    }

    /// Cost of one emission (run with `--release -- --ignored --nocapture`).
    #[test]
    #[ignore]
    fn emission_cost() {
        let m = Metrics::new(
            MetricsConfig {
                prometheus_retention_ms: 60_000,
                ..MetricsConfig::default()
            },
            Vec::new(),
        );
        let n = 1_000_000u64;
        let t = std::time::Instant::now();
        for i in 0..n {
            m.emit_at(
                i / 100,
                Kind::Sample,
                &["dns", "domain_query"],
                0.5,
                &[("node", "n1")],
            );
        }
        let labelled = t.elapsed().as_nanos() as u64 / n;
        let t = std::time::Instant::now();
        for i in 0..n {
            m.emit_at(i / 100, Kind::Counter, &["raft", "apply"], 1.0, &[]);
        }
        let plain = t.elapsed().as_nanos() as u64 / n;
        println!("ns per emission: labelled sample {labelled}, plain counter {plain}");
    }
}
