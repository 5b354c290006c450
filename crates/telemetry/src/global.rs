//! The process-wide registry (go-metrics' global `Metrics`) and the free
//! functions the instrumented code calls. Before [`set_global`] every
//! emission is dropped at the cost of one atomic load.

use std::sync::Arc;
use std::time::Instant;

use arc_swap::ArcSwapOption;

use crate::registry::{Kind, Metrics};

static GLOBAL: ArcSwapOption<Metrics> = ArcSwapOption::const_empty();

/// Installs `m` as the registry every free function emits to (replacing
/// any earlier one).
pub fn set_global(m: Metrics) {
    GLOBAL.store(Some(Arc::new(m)));
}

/// The installed registry, if any.
pub fn global() -> Option<Metrics> {
    GLOBAL.load().as_deref().cloned()
}

fn emit(kind: Kind, key: &[&str], value: f32, labels: &[(&str, &str)]) {
    if let Some(m) = GLOBAL.load().as_deref() {
        m.emit(kind, key, value, labels);
    }
}

/// Sets gauge `key` (without the prefix, e.g. `&["session_ttl", "active"]`).
pub fn set_gauge(key: &[&str], value: f32) {
    emit(Kind::Gauge, key, value, &[]);
}

/// Sets gauge `key` with labels.
pub fn set_gauge_with_labels(key: &[&str], value: f32, labels: &[(&str, &str)]) {
    emit(Kind::Gauge, key, value, labels);
}

/// Adds `value` to counter `key`.
pub fn incr_counter(key: &[&str], value: f32) {
    emit(Kind::Counter, key, value, &[]);
}

/// Adds `value` to counter `key` with labels.
pub fn incr_counter_with_labels(key: &[&str], value: f32, labels: &[(&str, &str)]) {
    emit(Kind::Counter, key, value, labels);
}

/// Adds a sample to `key`.
pub fn add_sample(key: &[&str], value: f32) {
    emit(Kind::Sample, key, value, &[]);
}

/// Adds a sample to `key` with labels.
pub fn add_sample_with_labels(key: &[&str], value: f32, labels: &[(&str, &str)]) {
    emit(Kind::Sample, key, value, labels);
}

/// Adds the milliseconds since `start` to timer `key` (go-metrics' `MeasureSince`).
pub fn measure_since(key: &[&str], start: Instant) {
    measure_since_with_labels(key, start, &[]);
}

/// Adds the milliseconds since `start` to timer `key` with labels.
pub fn measure_since_with_labels(key: &[&str], start: Instant, labels: &[(&str, &str)]) {
    if GLOBAL.load().is_some() {
        let ms = start.elapsed().as_secs_f64() * 1000.0;
        emit(Kind::Sample, key, ms as f32, labels);
    }
}

/// A timer that adds its lifetime in ms to `key` when dropped, so one line
/// at the top of a function measures all of it (Go's
/// `defer metrics.MeasureSince(key, time.Now())`).
#[must_use = "the timer measures until it is dropped"]
#[derive(Debug)]
pub struct Timer {
    key: &'static [&'static str],
    start: Instant,
}

/// Starts a [`Timer`] for `key`.
pub fn timer(key: &'static [&'static str]) -> Timer {
    Timer {
        key,
        start: Instant::now(),
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        measure_since(self.key, self.start);
    }
}
