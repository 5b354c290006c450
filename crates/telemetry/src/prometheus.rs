//! go-metrics' Prometheus sink and the text exposition format (0.0.4) that
//! `GET /v1/agent/metrics?format=prometheus` answers with.
//!
//! Gauges keep their last value, counters their running total, samples
//! become summaries: a running sum and count, and the 0.5, 0.9 and 0.99
//! quantiles of the values of the last 10 s (`NaN` when there were none),
//! as client_golang's summaries with `MaxAge` 10 s. A series not updated
//! for `prometheus_retention_time` is dropped. Clock-free: `now` in ms.

use std::collections::{BTreeMap, VecDeque};
use std::fmt::Write as _;

use crate::key::{prometheus_label_name, push_prometheus_name, LabelRef};
use crate::number::go_float;

/// The window of a summary's quantiles (client_golang's `MaxAge`).
pub const SUMMARY_MAX_AGE_MS: u64 = 10_000;
/// The quantiles every summary reports.
pub const QUANTILES: [f64; 3] = [0.5, 0.9, 0.99];
/// The most values one summary keeps for its quantiles.
const MAX_WINDOW_VALUES: usize = 4096;
/// The `Content-Type` of the rendering.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

#[derive(Debug, Clone)]
struct Series<T> {
    name: String,
    labels: Vec<(String, String)>,
    updated_ms: u64,
    value: T,
}

#[derive(Debug, Clone, Default)]
struct SummaryValue {
    sum: f64,
    count: u64,
    window: VecDeque<(u64, f64)>,
}

/// The sink's state.
#[derive(Debug, Clone, Default)]
pub struct PrometheusSink {
    expiration_ms: u64,
    gauges: BTreeMap<String, Series<f64>>,
    counters: BTreeMap<String, Series<f64>>,
    summaries: BTreeMap<String, Series<SummaryValue>>,
    /// Reused for series keys, so an emission allocates nothing.
    scratch: String,
}

impl PrometheusSink {
    /// A sink dropping series not updated for `expiration_ms` (0: never).
    pub fn new(expiration_ms: u64) -> PrometheusSink {
        PrometheusSink {
            expiration_ms,
            ..PrometheusSink::default()
        }
    }

    /// Sets gauge `parts` (the full name, prefix included).
    pub fn set_gauge(&mut self, now_ms: u64, parts: &[&str], labels: &[LabelRef<'_>], value: f32) {
        let mut key = self.key(parts, labels);
        series(&mut self.gauges, now_ms, &key, labels, 0.0).value = f64::from(value);
        key.clear();
        self.scratch = key;
    }

    /// Adds to counter `parts`.
    pub fn incr_counter(
        &mut self,
        now_ms: u64,
        parts: &[&str],
        labels: &[LabelRef<'_>],
        value: f32,
    ) {
        let mut key = self.key(parts, labels);
        series(&mut self.counters, now_ms, &key, labels, 0.0).value += f64::from(value);
        key.clear();
        self.scratch = key;
    }

    /// Observes a sample of `parts`.
    pub fn add_sample(&mut self, now_ms: u64, parts: &[&str], labels: &[LabelRef<'_>], value: f32) {
        let mut key = self.key(parts, labels);
        let s = series(
            &mut self.summaries,
            now_ms,
            &key,
            labels,
            SummaryValue::default(),
        );
        let v = f64::from(value);
        s.value.sum += v;
        s.value.count += 1;
        s.value.window.push_back((now_ms, v));
        if s.value.window.len() > MAX_WINDOW_VALUES {
            s.value.window.pop_front();
        }
        key.clear();
        self.scratch = key;
    }

    /// The series key (flattened name, then `;name=value` per label in
    /// emission order) in the reused buffer; callers put it back.
    fn key(&mut self, parts: &[&str], labels: &[LabelRef<'_>]) -> String {
        let mut key = std::mem::take(&mut self.scratch);
        push_prometheus_name(&mut key, parts);
        for (n, v) in labels {
            let _ = write!(key, ";{n}={v}");
        }
        key
    }

    /// Drops expired series and renders the rest in the text format.
    pub fn render(&mut self, now_ms: u64) -> String {
        let exp = self.expiration_ms;
        let live = |updated: u64| exp == 0 || updated.saturating_add(exp) >= now_ms;
        self.gauges.retain(|_, s| live(s.updated_ms));
        self.counters.retain(|_, s| live(s.updated_ms));
        self.summaries.retain(|_, s| live(s.updated_ms));
        for s in self.summaries.values_mut() {
            let w = &mut s.value.window;
            while w
                .front()
                .is_some_and(|(t, _)| t.saturating_add(SUMMARY_MAX_AGE_MS) < now_ms)
            {
                w.pop_front();
            }
        }

        // One family per name, families sorted by name, series by labels.
        let mut families: BTreeMap<&str, Family<'_>> = BTreeMap::new();
        for s in self.gauges.values() {
            family(&mut families, &s.name, "gauge").push(s, Body::Value(s.value));
        }
        for s in self.counters.values() {
            family(&mut families, &s.name, "counter").push(s, Body::Value(s.value));
        }
        for s in self.summaries.values() {
            family(&mut families, &s.name, "summary").push(s, Body::Summary(&s.value));
        }
        let mut out = String::new();
        for (name, f) in &mut families {
            f.series.sort_by(|a, b| a.0.cmp(b.0));
            let _ = writeln!(out, "# HELP {name} {}", escape_help(name));
            let _ = writeln!(out, "# TYPE {name} {}", f.kind);
            for (labels, body) in &f.series {
                match body {
                    Body::Value(v) => {
                        let _ = writeln!(out, "{name}{} {}", label_set(labels, None), go_float(*v));
                    }
                    Body::Summary(sv) => write_summary(&mut out, name, labels, sv),
                }
            }
        }
        out
    }
}

enum Body<'a> {
    Value(f64),
    Summary(&'a SummaryValue),
}

struct Family<'a> {
    kind: &'static str,
    series: Vec<(&'a [(String, String)], Body<'a>)>,
}

impl<'a> Family<'a> {
    fn push<T>(&mut self, s: &'a Series<T>, body: Body<'a>) {
        self.series.push((&s.labels, body));
    }
}

fn family<'a, 'b>(
    families: &'b mut BTreeMap<&'a str, Family<'a>>,
    name: &'a str,
    kind: &'static str,
) -> &'b mut Family<'a> {
    families.entry(name).or_insert_with(|| Family {
        kind,
        series: Vec::new(),
    })
}

/// The series of `key`, created (with its name and its labels sorted by
/// name, as client_golang keeps them) on first use.
fn series<'a, T: Clone>(
    map: &'a mut BTreeMap<String, Series<T>>,
    now_ms: u64,
    key: &str,
    labels: &[LabelRef<'_>],
    zero: T,
) -> &'a mut Series<T> {
    if !map.contains_key(key) {
        let suffix: usize = labels.iter().map(|(n, v)| n.len() + v.len() + 2).sum();
        let mut sorted: Vec<(String, String)> = labels
            .iter()
            .map(|(n, v)| (prometheus_label_name(n), v.to_string()))
            .collect();
        sorted.sort();
        map.insert(
            key.to_string(),
            Series {
                name: key[..key.len() - suffix].to_string(),
                labels: sorted,
                updated_ms: now_ms,
                value: zero,
            },
        );
    }
    let s = map.get_mut(key).expect("the series was just ensured");
    s.updated_ms = now_ms;
    s
}

fn write_summary(out: &mut String, name: &str, labels: &[(String, String)], sv: &SummaryValue) {
    let mut window: Vec<f64> = sv.window.iter().map(|(_, v)| *v).collect();
    window.sort_by(f64::total_cmp);
    for q in QUANTILES {
        let v = quantile(&window, q);
        let q = go_float(q);
        let _ = writeln!(out, "{name}{} {}", label_set(labels, Some(&q)), go_float(v));
    }
    let set = label_set(labels, None);
    let _ = writeln!(out, "{name}_sum{set} {}", go_float(sv.sum));
    let _ = writeln!(out, "{name}_count{set} {}", sv.count);
}

/// The nearest-rank quantile of sorted values (`NaN` without values).
fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn label_set(labels: &[(String, String)], quantile: Option<&str>) -> String {
    if labels.is_empty() && quantile.is_none() {
        return String::new();
    }
    let mut parts: Vec<String> = labels
        .iter()
        .map(|(k, v)| format!("{k}=\"{}\"", escape_value(v)))
        .collect();
    if let Some(q) = quantile {
        parts.push(format!("quantile=\"{q}\""));
    }
    format!("{{{}}}", parts.join(","))
}

fn escape_value(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn escape_help(v: &str) -> String {
    v.replace('\\', "\\\\").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_families_in_the_text_format() {
        let mut p = PrometheusSink::new(60_000);
        p.incr_counter(1_000, &["consul_raft_apply"], &[], 1.0);
        p.incr_counter(2_000, &["consul_raft_apply"], &[], 2.0);
        p.set_gauge(1_000, &["consul_runtime_alloc_bytes"], &[], 5e7);
        let node = [("node", "n\"1")];
        for v in [1.0, 2.0, 3.0, 4.0] {
            p.add_sample(3_000, &["consul_dns_domain_query"], &node, v);
        }
        assert_eq!(
            p.render(4_000),
            "# HELP consul_dns_domain_query consul_dns_domain_query\n\
             # TYPE consul_dns_domain_query summary\n\
             consul_dns_domain_query{node=\"n\\\"1\",quantile=\"0.5\"} 2\n\
             consul_dns_domain_query{node=\"n\\\"1\",quantile=\"0.9\"} 4\n\
             consul_dns_domain_query{node=\"n\\\"1\",quantile=\"0.99\"} 4\n\
             consul_dns_domain_query_sum{node=\"n\\\"1\"} 10\n\
             consul_dns_domain_query_count{node=\"n\\\"1\"} 4\n\
             # HELP consul_raft_apply consul_raft_apply\n\
             # TYPE consul_raft_apply counter\n\
             consul_raft_apply 3\n\
             # HELP consul_runtime_alloc_bytes consul_runtime_alloc_bytes\n\
             # TYPE consul_runtime_alloc_bytes gauge\n\
             consul_runtime_alloc_bytes 5e+07\n"
        );
    }

    #[test]
    fn quantiles_cover_the_last_ten_seconds_and_totals_everything() {
        let mut p = PrometheusSink::new(0);
        p.add_sample(0, &["t"], &[], 100.0);
        p.add_sample(20_000, &["t"], &[], 1.0);
        let text = p.render(21_000);
        assert!(text.contains("t{quantile=\"0.99\"} 1\n"), "{text}");
        assert!(text.contains("t_sum 101\n") && text.contains("t_count 2\n"));
        let text = p.render(40_000);
        assert!(text.contains("t{quantile=\"0.5\"} NaN\n"), "{text}");
    }

    #[test]
    fn series_expire_after_the_retention_time() {
        let mut p = PrometheusSink::new(60_000);
        p.incr_counter(0, &["old"], &[], 1.0);
        p.incr_counter(50_000, &["new"], &[], 1.0);
        let text = p.render(70_000);
        assert!(!text.contains("old") && text.contains("new 1\n"), "{text}");
    }
}
