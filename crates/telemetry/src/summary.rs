//! The body of `GET /v1/agent/metrics`: go-metrics' `MetricsSummary` of one
//! interval, every list sorted by series key, field names and order as
//! Consul writes them.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::inmem::{Interval, SampledValue};
use crate::key::Label;
use crate::number::json_number;
use crate::timestamp::go_utc_string;

/// go-metrics' `MetricsSummary`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Summary {
    /// Start of the interval, in Go's `time.Time.String()` form.
    pub timestamp: String,
    /// Gauges.
    pub gauges: Vec<Gauge>,
    /// Key/value points (never emitted by Consul; always empty).
    pub points: Vec<serde_json::Value>,
    /// Counters.
    pub counters: Vec<Sampled>,
    /// Samples (timers in ms).
    pub samples: Vec<Sampled>,
}

/// One gauge.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Gauge {
    /// Dotted name.
    pub name: String,
    /// Last value.
    #[serde(serialize_with = "go_number")]
    pub value: f64,
    /// Labels, as a map.
    pub labels: BTreeMap<String, String>,
}

/// One counter or sample roll-up.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Sampled {
    /// Dotted name.
    pub name: String,
    /// Values received.
    pub count: u64,
    /// Sum per second.
    #[serde(serialize_with = "go_number")]
    pub rate: f64,
    /// Sum.
    #[serde(serialize_with = "go_number")]
    pub sum: f64,
    /// Smallest value.
    #[serde(serialize_with = "go_number")]
    pub min: f64,
    /// Largest value.
    #[serde(serialize_with = "go_number")]
    pub max: f64,
    /// Mean.
    #[serde(serialize_with = "go_number")]
    pub mean: f64,
    /// Sample standard deviation.
    #[serde(serialize_with = "go_number")]
    pub stddev: f64,
    /// Labels, as a map.
    pub labels: BTreeMap<String, String>,
}

fn go_number<S: serde::Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    json_number(*v).serialize(s)
}

/// Renders `interval` (rates per second over `interval_secs`).
pub fn render(interval: &Interval, interval_secs: f64) -> Summary {
    Summary {
        timestamp: go_utc_string(interval.start_ms),
        gauges: interval
            .gauges
            .values()
            .map(|g| Gauge {
                name: g.name.clone(),
                value: f64::from(g.value),
                labels: labels(&g.labels),
            })
            .collect(),
        points: Vec::new(),
        counters: sampled(interval.counters.values(), interval_secs),
        samples: sampled(interval.samples.values(), interval_secs),
    }
}

fn sampled<'a>(values: impl Iterator<Item = &'a SampledValue>, secs: f64) -> Vec<Sampled> {
    values
        .map(|s| Sampled {
            name: s.name.clone(),
            count: s.agg.count,
            rate: s.agg.rate(secs),
            sum: s.agg.sum,
            min: s.agg.min,
            max: s.agg.max,
            mean: s.agg.mean(),
            stddev: s.agg.stddev(),
            labels: labels(&s.labels),
        })
        .collect()
}

fn labels(labels: &[Label]) -> BTreeMap<String, String> {
    labels
        .iter()
        .map(|l| (l.name.clone(), l.value.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inmem::InmemSink;
    use serde_json::json;

    #[test]
    fn renders_consuls_shape() {
        let mut s = InmemSink::default();
        let t = 1_502_160_910_000;
        s.set_gauge(t, &["consul", "session_ttl", "active"], &[], 0.0);
        s.incr_counter(t, &["consul", "raft", "apply"], &[], 1.0);
        s.incr_counter(t, &["consul", "raft", "apply"], &[], 1.0);
        let node = [("node", "n1")];
        s.add_sample(t, &["consul", "dns", "domain_query"], &node, 0.5);
        s.add_sample(t, &["consul", "dns", "domain_query"], &node, 1.5);
        let secs = s.interval_secs();
        let v = serde_json::to_value(render(s.displayed(t), secs)).unwrap();
        assert_eq!(
            v,
            json!({
                "Timestamp": "2017-08-08 02:55:10 +0000 UTC",
                "Gauges": [{"Name": "consul.session_ttl.active", "Value": 0, "Labels": {}}],
                "Points": [],
                "Counters": [{"Name": "consul.raft.apply", "Count": 2, "Rate": 0.2, "Sum": 2,
                    "Min": 1, "Max": 1, "Mean": 1, "Stddev": 0, "Labels": {}}],
                "Samples": [{"Name": "consul.dns.domain_query", "Count": 2, "Rate": 0.2,
                    "Sum": 2, "Min": 0.5, "Max": 1.5, "Mean": 1,
                    "Stddev": 0.7071067811865476, "Labels": {"node": "n1"}}],
            })
        );
    }
}
