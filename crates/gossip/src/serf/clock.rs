//! Lamport clocks, as serf uses them for intents, events and queries.

/// A Lamport timestamp.
pub type LamportTime = u64;

/// A Lamport clock.
#[derive(Debug, Clone, Default)]
pub struct LamportClock {
    counter: LamportTime,
}

impl LamportClock {
    /// A clock at zero.
    pub fn new() -> Self {
        Self::default()
    }

    /// Current time.
    pub fn time(&self) -> LamportTime {
        self.counter
    }

    /// Advance by one and return the new time.
    pub fn increment(&mut self) -> LamportTime {
        self.counter += 1;
        self.counter
    }

    /// Observe a remote time: move past it if it is not behind us.
    pub fn witness(&mut self, v: LamportTime) {
        if v >= self.counter {
            self.counter = v.saturating_add(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn witness_and_increment() {
        let mut c = LamportClock::new();
        assert_eq!(c.increment(), 1);
        c.witness(0);
        assert_eq!(c.time(), 1);
        c.witness(41);
        assert_eq!(c.time(), 42);
        c.witness(u64::MAX);
        assert_eq!(c.time(), u64::MAX);
    }
}
