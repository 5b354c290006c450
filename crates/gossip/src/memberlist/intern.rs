//! Immutable strings and byte strings shared between the memberlist cores
//! of one process.
//!
//! A core keeps one `Arc<str>` per member name (the member table key,
//! shared by the probe order and the broadcast queue) and one `Arc<[u8]>`
//! per queued broadcast whether or not an [`Interner`] is set. With one
//! (the simulator sets the same one on every simulated member), equal
//! names and equal encoded broadcasts are also shared *between* cores: n
//! simulated members then hold one copy of "node-17" and of its alive
//! message instead of n. This changes memory only, never what is sent.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, OnceLock};

/// A set of shared names and byte strings; entries nobody else holds any
/// more are dropped whenever a set has doubled since the last sweep.
#[derive(Default)]
pub struct Interner {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    names: HashSet<Arc<str>>,
    bytes: HashSet<Arc<[u8]>>,
    names_sweep_at: usize,
    bytes_sweep_at: usize,
}

impl std::fmt::Debug for Interner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (names, bytes) = self.len();
        f.debug_struct("Interner")
            .field("names", &names)
            .field("bytes", &bytes)
            .finish()
    }
}

/// Least number of entries before a sweep is worth it.
const MIN_SWEEP: usize = 1024;

fn intern<T: ?Sized + std::hash::Hash + Eq>(
    set: &mut HashSet<Arc<T>>,
    sweep_at: &mut usize,
    v: &T,
) -> Arc<T>
where
    Arc<T>: for<'a> From<&'a T>,
{
    if let Some(a) = set.get(v) {
        return a.clone();
    }
    if set.len() >= *sweep_at {
        set.retain(|a| Arc::strong_count(a) > 1);
        *sweep_at = (set.len() * 2).max(MIN_SWEEP);
    }
    let a: Arc<T> = Arc::from(v);
    set.insert(a.clone());
    a
}

impl Interner {
    /// An empty interner.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The shared copy of `s`.
    pub fn name(&self, s: &str) -> Arc<str> {
        let mut g = self.lock();
        let Inner {
            names,
            names_sweep_at,
            ..
        } = &mut *g;
        intern(names, names_sweep_at, s)
    }

    /// The shared copy of `b`.
    pub fn bytes(&self, b: &[u8]) -> Arc<[u8]> {
        let mut g = self.lock();
        let Inner {
            bytes,
            bytes_sweep_at,
            ..
        } = &mut *g;
        intern(bytes, bytes_sweep_at, b)
    }

    /// Entries held: (names, byte strings), including ones not yet swept.
    pub fn len(&self) -> (usize, usize) {
        let g = self.lock();
        (g.names.len(), g.bytes.len())
    }

    /// Whether nothing is held.
    pub fn is_empty(&self) -> bool {
        self.len() == (0, 0)
    }
}

/// The empty byte string, allocated once per process (most members have
/// no metadata in memberlist-only use).
pub(crate) fn empty_bytes() -> Arc<[u8]> {
    static EMPTY: OnceLock<Arc<[u8]>> = OnceLock::new();
    EMPTY.get_or_init(|| Arc::from(&[][..])).clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_equal_values_and_sweeps_unused_ones() {
        let i = Interner::new();
        let a = i.name("node-1");
        let b = i.name("node-1");
        assert!(Arc::ptr_eq(&a, &b));
        let m = i.bytes(b"alive");
        assert!(Arc::ptr_eq(&m, &i.bytes(b"alive")));
        assert_eq!(&*i.bytes(b"dead"), b"dead");
        drop((a, b));
        for k in 0..3 * MIN_SWEEP {
            drop(i.name(&format!("n{k}")));
        }
        // Swept: only what a sweep could not see yet is left.
        assert!(i.len().0 < MIN_SWEEP + 1);
        assert_eq!(&*i.name("node-1"), "node-1");
    }
}
