//! The ACL rules parser and the authorizer built from what it accepts,
//! against the fuzz seeds (`fuzz/seeds/rules`) and thousands of random and
//! mutated variants of them: never a panic; a refusal is one line; an
//! accepted policy means the same in HCL and JSON and decides its rules' own
//! names by those rules. The property is the cargo-fuzz target's
//! (`fuzz/fuzz_targets/rules_check.rs`, included here).

#[path = "../fuzz/fuzz_targets/rules_check.rs"]
mod rules_check;

use std::path::Path;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

fn seeds() -> Vec<Vec<u8>> {
    consul_testkit::fuzz_seeds::seeds(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds/rules"),
        12,
    )
}

/// Fragments that keep a mutated text close to rules (HCL and JSON).
const TOKENS: &[&[u8]] = &[
    b"{",
    b"}",
    b"[",
    b"]",
    b"\"",
    b"=",
    b":",
    b",",
    b"\n",
    b"#",
    b"/*",
    b"*/",
    b"<<EOT\n",
    b"\nEOT\n",
    b"\\u00e9",
    b"\\\"",
    b"null",
    b"1e400",
    b"-7",
    b"true",
    b"\"\"",
    b"\"*\"",
    b"policy = ",
    b"intentions = ",
    b"\"read\"",
    b"\"write\"",
    b"\"list\"",
    b"\"deny\"",
    b"\"WRITE\"",
    b"key_prefix \"a/\" { policy = \"write\" }\n",
    b"service \"web\" { policy = \"read\" intentions = \"write\" }\n",
    b"node \"\" { policy = \"deny\" }\n",
    b"operator = \"read\"\n",
    b"\"key\": {\"a\": {\"policy\": \"deny\"}},",
    b"\"service_prefix\": {\"\": {\"policy\": \"write\"}},",
];

fn mutate(rng: &mut StdRng, seed: &[u8]) -> Vec<u8> {
    let mut p = seed.to_vec();
    for _ in 0..rng.gen_range(1..4) {
        let i = rng.gen_range(0..=p.len());
        match rng.gen_range(0..5) {
            0 if i < p.len() => p[i] = rng.gen(),
            1 => p.truncate(i),
            2 | 3 => {
                let t = TOKENS[rng.gen_range(0..TOKENS.len())];
                p.splice(i..i, t.iter().copied());
            }
            _ => {
                // Duplicate a slice (repeated labels, nested blocks).
                let j = rng.gen_range(0..=p.len());
                let (a, b) = (i.min(j), i.max(j));
                let chunk = p[a..b].to_vec();
                p.splice(b..b, chunk);
            }
        }
    }
    p
}

#[test]
fn every_seed_parses_and_checks() {
    for seed in seeds() {
        assert!(
            rules_check::check_bytes(&seed),
            "seed does not parse: {}",
            String::from_utf8_lossy(&seed)
        );
    }
}

#[test]
fn random_and_mutated_rules_never_panic() {
    let seeds = seeds();
    let mut rng = StdRng::seed_from_u64(0xAC1_2025);
    let mut accepted = 0;
    for i in 0..20_000 {
        let text = if i % 6 == 0 {
            let len = rng.gen_range(0..120);
            (0..len).map(|_| rng.gen()).collect()
        } else {
            mutate(&mut rng, &seeds[i % seeds.len()])
        };
        accepted += usize::from(rules_check::check_bytes(&text));
    }
    // The mutations stay close enough to rules to reach the authorizer.
    assert!(accepted > 1_000, "only {accepted} texts parsed");
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let hcl = format!("key \"a\" {}", "{".repeat(100_000));
    assert!(!rules_check::check_text(&hcl));
    let json = format!("{{\"key\": {}", "[".repeat(100_000));
    assert!(!rules_check::check_text(&json));
}

/// Inputs the fuzzer found: each refusal must stay on one line.
#[test]
fn found_by_fuzzing() {
    // A backslash before a line break in a string (the HCL escape error
    // printed the raw line break).
    assert!(!rules_check::check_text(
        "key_prefix \"k\\\n\" { policy = \"read\" }"
    ));
    // A label with a line break on a value of the wrong type.
    assert!(!rules_check::check_text("key \"a\\nb\" { policy = true }"));
    assert!(!rules_check::check_text(
        r#"{"key": {"a\nb": [[{"policy": "read"}]]}}"#
    ));
}
