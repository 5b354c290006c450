//! `success_before_passing` / `failures_before_critical`: a probe result only
//! changes the reported status after enough consecutive results agree, as
//! Consul's `StatusHandler` does. Warnings count as failures.

use consul_types::catalog::status;

/// Counts consecutive results and decides when to report.
#[derive(Debug, Clone, Default)]
pub struct Threshold {
    success_before_passing: u32,
    failures_before_critical: u32,
    successes: u32,
    failures: u32,
}

impl Threshold {
    /// A threshold with Consul's two knobs (0 behaves like 1).
    pub fn new(success_before_passing: u32, failures_before_critical: u32) -> Self {
        Threshold {
            success_before_passing,
            failures_before_critical,
            successes: 0,
            failures: 0,
        }
    }

    /// Feed one probe result; returns whether the status should be reported.
    pub fn observe(&mut self, result: &str) -> bool {
        if result == status::PASSING {
            self.successes = self.successes.saturating_add(1);
            self.failures = 0;
            self.successes >= self.success_before_passing
        } else {
            self.failures = self.failures.saturating_add(1);
            self.successes = 0;
            self.failures >= self.failures_before_critical
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_thresholds_report_every_result() {
        let mut t = Threshold::new(0, 0);
        assert!(t.observe(status::PASSING));
        assert!(t.observe(status::CRITICAL));
        assert!(t.observe(status::WARNING));
    }

    #[test]
    fn needs_consecutive_agreeing_results() {
        let mut t = Threshold::new(2, 3);
        assert!(!t.observe(status::PASSING));
        assert!(t.observe(status::PASSING));
        assert!(!t.observe(status::CRITICAL));
        assert!(!t.observe(status::WARNING));
        assert!(
            !t.observe(status::PASSING),
            "a success resets the failure streak"
        );
        assert!(!t.observe(status::CRITICAL));
        assert!(!t.observe(status::CRITICAL));
        assert!(t.observe(status::CRITICAL));
    }
}
