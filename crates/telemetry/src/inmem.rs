//! go-metrics' `InmemSink` as Consul configures it: values aggregated per
//! interval (10 s), the last intervals kept (a minute's worth). Clock-free:
//! every call takes `now` in milliseconds since the Unix epoch.

use std::collections::BTreeMap;

use crate::aggregate::Aggregate;
use crate::key::{push_dotted, push_label_suffix, to_owned, Label, LabelRef};

/// Consul's aggregation interval.
pub const INTERVAL_MS: u64 = 10_000;
/// Consul's retention.
pub const RETAIN_MS: u64 = 60_000;

/// The last value of one gauge.
#[derive(Debug, Clone, PartialEq)]
pub struct GaugeValue {
    /// Display name (`consul.runtime.alloc_bytes`).
    pub name: String,
    /// Last value set.
    pub value: f32,
    /// Labels of the series.
    pub labels: Vec<Label>,
}

/// The roll-up of one counter or sample series.
#[derive(Debug, Clone, PartialEq)]
pub struct SampledValue {
    /// Display name.
    pub name: String,
    /// The values' roll-up.
    pub agg: Aggregate,
    /// Labels of the series.
    pub labels: Vec<Label>,
}

/// Everything emitted during one interval, keyed by series key (name plus
/// labels), which is also the order Consul lists them in.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Interval {
    /// Start of the interval, ms since the epoch (a multiple of the interval).
    pub start_ms: u64,
    /// Gauges: last value set.
    pub gauges: BTreeMap<String, GaugeValue>,
    /// Counters: roll-up of the increments.
    pub counters: BTreeMap<String, SampledValue>,
    /// Samples (timers in ms): roll-up of the values.
    pub samples: BTreeMap<String, SampledValue>,
}

/// The in-memory sink.
#[derive(Debug, Clone)]
pub struct InmemSink {
    interval_ms: u64,
    max_intervals: usize,
    intervals: Vec<Interval>,
    /// Reused for series keys, so an emission allocates nothing.
    scratch: String,
}

impl Default for InmemSink {
    fn default() -> Self {
        InmemSink::new(INTERVAL_MS, RETAIN_MS)
    }
}

impl InmemSink {
    /// A sink aggregating over `interval_ms` and keeping `retain_ms` of intervals.
    pub fn new(interval_ms: u64, retain_ms: u64) -> InmemSink {
        let interval_ms = interval_ms.max(1);
        InmemSink {
            interval_ms,
            max_intervals: usize::try_from(retain_ms / interval_ms).unwrap_or(1).max(1),
            intervals: Vec::new(),
            scratch: String::new(),
        }
    }

    /// The interval length in seconds (the rates' denominator).
    pub fn interval_secs(&self) -> f64 {
        self.interval_ms as f64 / 1000.0
    }

    /// Sets gauge `parts` (the full name, prefix included).
    pub fn set_gauge(&mut self, now_ms: u64, parts: &[&str], labels: &[LabelRef<'_>], value: f32) {
        let mut key = self.key(parts, labels);
        let gauges = &mut self.current(now_ms).gauges;
        match gauges.get_mut(key.as_str()) {
            Some(g) => g.value = value,
            None => {
                gauges.insert(
                    key.clone(),
                    GaugeValue {
                        name: name_of(&key, labels),
                        value,
                        labels: to_owned(labels),
                    },
                );
            }
        }
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
        ingest(&mut self.current(now_ms).counters, &key, labels, value);
        key.clear();
        self.scratch = key;
    }

    /// Adds a sample (a timer's milliseconds) to `parts`.
    pub fn add_sample(&mut self, now_ms: u64, parts: &[&str], labels: &[LabelRef<'_>], value: f32) {
        let mut key = self.key(parts, labels);
        ingest(&mut self.current(now_ms).samples, &key, labels, value);
        key.clear();
        self.scratch = key;
    }

    /// The series key in the reused buffer (taken; callers put it back).
    fn key(&mut self, parts: &[&str], labels: &[LabelRef<'_>]) -> String {
        let mut key = std::mem::take(&mut self.scratch);
        push_dotted(&mut key, parts);
        push_label_suffix(&mut key, labels);
        key
    }

    /// The interval Consul displays at `now_ms`: the last finished one, or
    /// the current one while it is the only one.
    pub fn displayed(&mut self, now_ms: u64) -> &Interval {
        self.current(now_ms);
        let n = self.intervals.len();
        &self.intervals[if n >= 2 { n - 2 } else { n - 1 }]
    }

    /// The retained intervals, oldest first.
    pub fn intervals(&self) -> &[Interval] {
        &self.intervals
    }

    /// The interval `now_ms` falls in, created (and old ones pruned) as needed.
    fn current(&mut self, now_ms: u64) -> &mut Interval {
        let start_ms = now_ms - now_ms % self.interval_ms;
        let fresh = self.intervals.last().is_none_or(|i| i.start_ms != start_ms);
        if fresh {
            self.intervals.push(Interval {
                start_ms,
                ..Interval::default()
            });
            let n = self.intervals.len();
            if n > self.max_intervals {
                self.intervals.drain(..n - self.max_intervals);
            }
        }
        self.intervals
            .last_mut()
            .expect("an interval was just ensured")
    }
}

/// The display name: the series key without its label suffix.
fn name_of(key: &str, labels: &[LabelRef<'_>]) -> String {
    let suffix: usize = labels.iter().map(|(n, v)| n.len() + v.len() + 2).sum();
    key[..key.len() - suffix].to_string()
}

fn ingest(
    map: &mut BTreeMap<String, SampledValue>,
    key: &str,
    labels: &[LabelRef<'_>],
    value: f32,
) {
    // Look up before inserting: an existing series costs no allocation.
    if let Some(s) = map.get_mut(key) {
        s.agg.ingest(f64::from(value));
        return;
    }
    let mut agg = Aggregate::default();
    agg.ingest(f64::from(value));
    map.insert(
        key.to_string(),
        SampledValue {
            name: name_of(key, labels),
            agg,
            labels: to_owned(labels),
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_the_current_interval_until_one_has_finished() {
        let mut s = InmemSink::default();
        s.incr_counter(10_500, &["consul", "raft", "apply"], &[], 1.0);
        s.incr_counter(12_000, &["consul", "raft", "apply"], &[], 2.0);
        let shown = s.displayed(15_000);
        assert_eq!(shown.start_ms, 10_000);
        assert_eq!(shown.counters["consul.raft.apply"].agg.sum, 3.0);
        // Once the next interval started, the finished one is shown.
        s.add_sample(21_000, &["consul", "kvs", "apply"], &[], 1.5);
        let shown = s.displayed(22_000);
        assert_eq!(shown.start_ms, 10_000);
        assert!(shown.samples.is_empty());
        let shown = s.displayed(31_000);
        assert_eq!(shown.start_ms, 20_000);
        assert_eq!(shown.samples["consul.kvs.apply"].agg.count, 1);
    }

    #[test]
    fn gauges_keep_the_last_value_per_label_set() {
        let mut s = InmemSink::default();
        let l = |v: &'static str| [("node", v)];
        s.set_gauge(1_000, &["g"], &l("a"), 1.0);
        s.set_gauge(2_000, &["g"], &l("a"), 5.0);
        s.set_gauge(3_000, &["g"], &l("b"), 7.0);
        let shown = s.displayed(4_000);
        assert_eq!(shown.gauges.len(), 2);
        assert_eq!(shown.gauges["g;node=a"].value, 5.0);
        assert_eq!(shown.gauges["g;node=b"].value, 7.0);
    }

    #[test]
    fn keeps_a_minute_of_intervals() {
        let mut s = InmemSink::default();
        for i in 0..20 {
            s.incr_counter(i * INTERVAL_MS, &["c"], &[], 1.0);
        }
        assert_eq!(s.intervals().len(), 6);
        assert_eq!(s.intervals()[0].start_ms, 14 * INTERVAL_MS);
    }
}
