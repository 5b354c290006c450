//! Latency samples and the summary printed for a run.

use serde::Serialize;

/// Summary of one load run.
#[derive(Serialize, Debug)]
pub struct Summary {
    /// `consul` or `etcd`.
    pub target: &'static str,
    /// `put` or `get`.
    pub op: &'static str,
    /// Concurrent keep-alive connections.
    pub connections: usize,
    /// Length of the measured window in seconds.
    pub duration_s: f64,
    /// Successful operations completed inside the measured window.
    pub ops: u64,
    /// `ops / duration_s`.
    pub ops_per_s: f64,
    /// Failed requests (transport error, non-200, or unexpected body) during warm-up + window.
    pub errors: u64,
    /// Median latency in microseconds.
    pub p50_us: f64,
    /// 99th-percentile latency in microseconds.
    pub p99_us: f64,
    /// Mean latency in microseconds.
    pub mean_us: f64,
    /// Largest latency in microseconds.
    pub max_us: f64,
}

/// Nearest-rank percentile of sorted nanosecond samples, in microseconds.
pub fn percentile_us(sorted_ns: &[u64], p: f64) -> f64 {
    if sorted_ns.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted_ns.len() as f64).ceil() as usize;
    sorted_ns[rank.clamp(1, sorted_ns.len()) - 1] as f64 / 1000.0
}

/// Mean of nanosecond samples, in microseconds.
pub fn mean_us(ns: &[u64]) -> f64 {
    if ns.is_empty() {
        return 0.0;
    }
    ns.iter().map(|&x| x as f64).sum::<f64>() / ns.len() as f64 / 1000.0
}

impl Summary {
    /// One human-readable line.
    pub fn line(&self) -> String {
        format!(
            "{:<6} {:<3} c={:<3} {:>10.0} ops/s  p50 {:>8.0} us  p99 {:>8.0} us  mean {:>8.0} us  max {:>8.0} us  errors {}",
            self.target,
            self.op,
            self.connections,
            self.ops_per_s,
            self.p50_us,
            self.p99_us,
            self.mean_us,
            self.max_us,
            self.errors
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank() {
        let v: Vec<u64> = (1..=100).map(|x| x * 1000).collect();
        assert_eq!(percentile_us(&v, 50.0), 50.0);
        assert_eq!(percentile_us(&v, 99.0), 99.0);
        assert_eq!(percentile_us(&v, 100.0), 100.0);
        assert_eq!(percentile_us(&[], 50.0), 0.0);
    }
}
