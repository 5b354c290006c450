//! The agent's metrics: builds the process-wide [`consul_telemetry::Metrics`]
//! from `telemetry { … }` (as Consul's `lib.InitTelemetry`), starts the
//! statsd/dogstatsd senders ([`statsd`]) and the runtime gauges
//! ([`runtime`]). Everything else only emits through `consul_telemetry`.

pub mod runtime;
pub mod statsd;

use consul_config::TelemetryConfig;
use consul_telemetry::{Metrics, MetricsConfig, Sink};

/// Builds the registry, installs it as the global one and starts its
/// background tasks (they end with the process).
pub fn start(cfg: &TelemetryConfig) -> Metrics {
    let hostname = gethostname::gethostname().to_string_lossy().into_owned();
    let mut sinks: Vec<Box<dyn Sink>> = Vec::new();
    if let Some(addr) = &cfg.statsd_address {
        sinks.push(Box::new(statsd::start(addr, statsd::Flavor::Plain)));
    }
    if let Some(addr) = &cfg.dogstatsd_addr {
        let flavor = statsd::Flavor::Dog {
            hostname: hostname.clone(),
            tags: cfg.dogstatsd_tags.clone(),
        };
        sinks.push(Box::new(statsd::start(addr, flavor)));
    }
    let prometheus = !cfg.prometheus_retention_time.is_zero();
    // go-metrics puts the host name into gauge names only when a sink
    // besides the in-memory one is configured.
    let other_sinks = !sinks.is_empty() || prometheus;
    let metrics = Metrics::new(
        MetricsConfig {
            prefix: cfg.metrics_prefix.clone(),
            gauge_hostname: (other_sinks && !cfg.disable_hostname).then_some(hostname),
            prometheus_retention_ms: u64::try_from(cfg.prometheus_retention_time.as_millis())
                .unwrap_or(u64::MAX),
        },
        sinks,
    );
    consul_telemetry::set_global(metrics.clone());
    tokio::spawn(runtime::run());
    metrics
}
