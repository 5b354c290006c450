//! Lifeguard local health awareness: a score that stretches our timeouts
//! when we seem to be the unhealthy one.

use std::time::Duration;

/// Local health score in `0..max`.
#[derive(Debug, Clone)]
pub struct Awareness {
    max: u32,
    score: u32,
}

impl Awareness {
    /// A healthy score with the given maximum multiplier.
    pub fn new(max: u32) -> Self {
        Awareness {
            max: max.max(1),
            score: 0,
        }
    }

    /// Add `delta` (may be negative), clamped to `0..max`.
    pub fn apply_delta(&mut self, delta: i32) {
        let s = (self.score as i64 + delta as i64).clamp(0, self.max as i64 - 1);
        self.score = s as u32;
    }

    /// Current score (0 is healthy).
    pub fn score(&self) -> u32 {
        self.score
    }

    /// Scale a timeout by `score + 1`.
    pub fn scale(&self, d: Duration) -> Duration {
        d * (self.score + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clamps_and_scales() {
        let mut a = Awareness::new(8);
        a.apply_delta(-1);
        assert_eq!(a.score(), 0);
        a.apply_delta(100);
        assert_eq!(a.score(), 7);
        assert_eq!(a.scale(Duration::from_secs(1)), Duration::from_secs(8));
        a.apply_delta(-3);
        assert_eq!(a.score(), 4);
    }
}
