//! Seed-mutation fuzzing inside the normal test suite: the committed seeds
//! of a cargo-fuzz target, and random edits that keep a mutated input close
//! to its format (byte flips, truncation, inserted format tokens, duplicated
//! slices), so every `cargo test` exercises a parser with thousands of
//! near-valid inputs without nightly Rust.

use std::path::Path;

use rand::Rng;

/// Every file in `dir`, sorted by content; panics unless there are at least
/// `at_least` (a missing seed directory is a broken checkout).
pub fn seeds(dir: &Path, at_least: usize) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = std::fs::read_dir(dir)
        .expect("seed directory")
        .map(|e| std::fs::read(e.expect("entry").path()).expect("seed"))
        .collect();
    out.sort();
    assert!(out.len() >= at_least, "seeds in {}", dir.display());
    out
}

/// `seed` with 1 to `max_edits` random edits; `tokens` are fragments of
/// the format to splice in.
pub fn mutate(rng: &mut impl Rng, seed: &[u8], tokens: &[&[u8]], max_edits: usize) -> Vec<u8> {
    let mut p = seed.to_vec();
    for _ in 0..rng.gen_range(1..=max_edits.max(1)) {
        let i = rng.gen_range(0..=p.len());
        match rng.gen_range(0..4) {
            0 if i < p.len() => p[i] = rng.gen(),
            1 => p.truncate(i),
            2 if !tokens.is_empty() => {
                let t = tokens[rng.gen_range(0..tokens.len())];
                p.splice(i..i, t.iter().copied());
            }
            _ => {
                // Duplicate a slice (more items, deeper nesting).
                let j = rng.gen_range(0..=p.len());
                let (a, b) = (i.min(j), i.max(j));
                let chunk = p[a..b].to_vec();
                p.splice(b..b, chunk);
            }
        }
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn mutations_are_deterministic_per_rng_seed_and_change_the_input() {
        let seed = b"{\"a\": [1, 2, 3]}";
        let mut r1 = rand::rngs::StdRng::seed_from_u64(7);
        let mut r2 = rand::rngs::StdRng::seed_from_u64(7);
        let a: Vec<_> = (0..50)
            .map(|_| mutate(&mut r1, seed, &[b"null"], 4))
            .collect();
        let b: Vec<_> = (0..50)
            .map(|_| mutate(&mut r2, seed, &[b"null"], 4))
            .collect();
        assert_eq!(a, b);
        assert!(a.iter().any(|m| m.as_slice() != seed));
    }
}
