//! Consul's metrics, as go-metrics collects them for Consul 1.10.
//!
//! Code that measures something calls one of the free functions
//! ([`incr_counter`], [`set_gauge`], [`add_sample`], [`measure_since`] and
//! their `_with_labels` forms) at the place where the thing happens, with the
//! name *without* the `metrics_prefix` (`&["kvs", "apply"]`): the global
//! [`Metrics`] handle adds the prefix (and, for gauges, the host name) as
//! go-metrics does. Until an agent installs a handle ([`set_global`]) every
//! emission is dropped.
//!
//! The handle feeds an in-memory sink ([`inmem`]: 10 s intervals kept for a
//! minute, what `GET /v1/agent/metrics` renders through [`summary`]), a
//! Prometheus sink when `prometheus_retention_time` is positive
//! ([`prometheus`]) and any number of extra [`Sink`]s (the agent's
//! statsd/dogstatsd senders, whose lines [`statsd`] formats). The cores take
//! the time as an argument; only [`Metrics`] reads the clock.

pub mod aggregate;
pub mod global;
pub mod inmem;
pub mod key;
pub mod number;
pub mod prometheus;
pub mod registry;
pub mod statsd;
pub mod summary;
pub mod timestamp;

pub use global::{
    add_sample, add_sample_with_labels, global, incr_counter, incr_counter_with_labels,
    measure_since, measure_since_with_labels, set_gauge, set_gauge_with_labels, set_global, timer,
    Timer,
};
pub use key::Label;
pub use registry::{Emission, Kind, Metrics, MetricsConfig, Sink};
