//! Lifeguard suspicion: a timeout that shrinks as independent members
//! confirm the suspicion.

use std::collections::HashSet;
use std::time::Duration;

/// One suspected member's timer state.
#[derive(Debug, Clone)]
pub struct Suspicion {
    /// Incarnation the suspicion is about.
    pub incarnation: u32,
    start: Duration,
    min: Duration,
    max: Duration,
    k: u32,
    confirmations: HashSet<String>,
}

impl Suspicion {
    /// Start a suspicion raised by `from` at time `now`, expecting `k`
    /// confirmations to shrink the timeout from `max` to `min`.
    pub fn new(
        from: &str,
        incarnation: u32,
        k: u32,
        min: Duration,
        max: Duration,
        now: Duration,
    ) -> Self {
        let mut confirmations = HashSet::new();
        confirmations.insert(from.to_string());
        Suspicion {
            incarnation,
            start: now,
            min,
            max: if k < 1 { min } else { max },
            k,
            confirmations,
        }
    }

    /// Record a confirmation; true if it was new and counted.
    pub fn confirm(&mut self, from: &str) -> bool {
        if self.confirmations.len() as u32 > self.k {
            return false;
        }
        self.confirmations.insert(from.to_string())
    }

    /// Independent confirmations so far (not counting the first accuser).
    pub fn confirmations(&self) -> u32 {
        self.confirmations.len() as u32 - 1
    }

    /// When the member should be declared dead.
    pub fn deadline(&self) -> Duration {
        let n = self.confirmations();
        if self.k < 1 || n == 0 {
            return self.start + self.max;
        }
        let frac = ((n as f64) + 1.0).ln() / ((self.k as f64) + 1.0).ln();
        let raw = self.max.as_secs_f64() - frac * (self.max.as_secs_f64() - self.min.as_secs_f64());
        let t = Duration::from_millis((raw * 1000.0).floor().max(0.0) as u64).max(self.min);
        self.start + t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confirmations_shrink_timeout() {
        let min = Duration::from_secs(2);
        let max = Duration::from_secs(30);
        let mut s = Suspicion::new("a", 1, 3, min, max, Duration::ZERO);
        assert_eq!(s.deadline(), max);
        assert!(!s.confirm("a"));
        assert!(s.confirm("b"));
        // max - log(2)/log(4) * (max - min) = 30 - 0.5 * 28 = 16s
        assert_eq!(s.deadline(), Duration::from_secs(16));
        assert!(s.confirm("c"));
        assert!(s.confirm("d"));
        assert_eq!(s.deadline(), min);
        assert!(!s.confirm("e"));
        let z = Suspicion::new("a", 1, 0, min, max, Duration::from_secs(5));
        assert_eq!(z.deadline(), Duration::from_secs(7));
    }
}
