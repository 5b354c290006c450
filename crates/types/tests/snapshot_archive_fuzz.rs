//! The snapshot archive reader against the committed seeds
//! (`fuzz/seeds/snapshot_archive`) and thousands of mutated variants of them,
//! damaged both as gzip bytes and as the tar inside (re-compressed, so the
//! damage reaches the tar, checksum and metadata checks): never a panic; an
//! accepted archive's `Size` is its state's length; a refusal is one line.
//! The same property as the cargo-fuzz target `fuzz/fuzz_targets/snapshot_archive.rs`.

use std::io::{Read, Write};
use std::path::Path;

use consul_types::snapshot::{read, write, SnapshotMeta};
use rand::rngs::StdRng;
use rand::SeedableRng;

fn seeds() -> Vec<Vec<u8>> {
    consul_testkit::fuzz_seeds::seeds(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds/snapshot_archive"),
        2,
    )
}

fn gunzip(b: &[u8]) -> Vec<u8> {
    let mut t = Vec::new();
    flate2::read::GzDecoder::new(b)
        .read_to_end(&mut t)
        .expect("seed is gzip");
    t
}

fn gzip(t: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(t).expect("write to vec");
    gz.finish().expect("finish vec")
}

/// Bytes that keep a mutated tar close to a real one.
const TOKENS: &[&[u8]] = &[
    b"meta.json",
    b"state.bin",
    b"SHA256SUMS",
    b"ustar\0",
    b"00000001750\0",
    b"77777777777\0",
    b"  ",
    b"\n",
    b"{\"Size\":1}",
    &[0u8; 512],
];

fn mutate(rng: &mut StdRng, seed: &[u8]) -> Vec<u8> {
    consul_testkit::fuzz_seeds::mutate(rng, seed, TOKENS, 4)
}

fn check(bytes: &[u8]) -> bool {
    match read(bytes) {
        Ok(a) => {
            assert_eq!(a.meta.size, a.state.len() as u64);
            true
        }
        Err(e) => {
            assert!(!e.to_string().contains('\n'), "{e}");
            false
        }
    }
}

#[test]
fn every_seed_reads() {
    for seed in seeds() {
        let a = read(&seed).unwrap_or_else(|e| panic!("seed: {e}"));
        assert!(a.meta.index > 0);
    }
}

#[test]
fn written_archives_match_the_seeds_layout() {
    let a = write(&SnapshotMeta::new(9, 2, 0, 1), b"\x00\x01state", 1);
    let back = read(&a).expect("our own archive");
    assert_eq!(back.state, b"\x00\x01state");
}

#[test]
fn mutated_archives_never_panic() {
    let seeds = seeds();
    let tars: Vec<Vec<u8>> = seeds.iter().map(|s| gunzip(s)).collect();
    let mut rng = StdRng::seed_from_u64(0x5A9_5407);
    let mut accepted = 0;
    for i in 0..6_000 {
        let bytes = match i % 3 {
            // Damage to the compressed stream.
            0 => mutate(&mut rng, &seeds[i % seeds.len()]),
            // Damage to the tar, re-compressed so it reaches the tar reader.
            _ => gzip(&mutate(&mut rng, &tars[i % tars.len()])),
        };
        accepted += usize::from(check(&bytes));
    }
    // Some mutations (padding, trailing blocks) leave an archive intact.
    assert!(accepted > 10, "only {accepted} archives read");
}
