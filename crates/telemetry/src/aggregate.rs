//! go-metrics' `AggregateSample`: the running count, sum, sum of squares,
//! minimum and maximum of the values one counter or sample received in one
//! interval.

/// The roll-up of one series in one interval.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Aggregate {
    /// How many values were ingested.
    pub count: u64,
    /// Their sum.
    pub sum: f64,
    /// The sum of their squares (for the standard deviation).
    pub sum_sq: f64,
    /// The smallest value.
    pub min: f64,
    /// The largest value.
    pub max: f64,
}

impl Aggregate {
    /// Adds one value.
    pub fn ingest(&mut self, v: f64) {
        self.count += 1;
        self.sum += v;
        self.sum_sq += v * v;
        if self.count == 1 || v < self.min {
            self.min = v;
        }
        if self.count == 1 || v > self.max {
            self.max = v;
        }
    }

    /// The mean (0 without values).
    pub fn mean(&self) -> f64 {
        if self.count == 0 {
            0.0
        } else {
            self.sum / self.count as f64
        }
    }

    /// The sample standard deviation, go-metrics' formula (0 below two values).
    pub fn stddev(&self) -> f64 {
        let n = self.count as f64;
        let div = n * (n - 1.0);
        if div == 0.0 {
            return 0.0;
        }
        // Rounding can make the numerator slightly negative for equal values.
        ((n * self.sum_sq - self.sum * self.sum) / div)
            .max(0.0)
            .sqrt()
    }

    /// The sum per second over an interval of `interval_secs`.
    pub fn rate(&self, interval_secs: f64) -> f64 {
        if interval_secs <= 0.0 {
            0.0
        } else {
            self.sum / interval_secs
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rolls_up_values() {
        let mut a = Aggregate::default();
        for v in [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0] {
            a.ingest(v);
        }
        assert_eq!(a.count, 8);
        assert_eq!(a.sum, 40.0);
        assert_eq!(a.min, 2.0);
        assert_eq!(a.max, 9.0);
        assert_eq!(a.mean(), 5.0);
        assert!((a.stddev() - 2.138).abs() < 0.001, "{}", a.stddev());
        assert_eq!(a.rate(10.0), 4.0);
    }

    #[test]
    fn one_value_has_no_spread() {
        let mut a = Aggregate::default();
        a.ingest(-3.0);
        assert_eq!((a.min, a.max, a.stddev()), (-3.0, -3.0, 0.0));
    }
}
