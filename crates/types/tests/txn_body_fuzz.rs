//! The `/v1/txn` body parser against the fuzz seeds (`fuzz/seeds/txn_body`)
//! and thousands of random and mutated variants of them: never a panic; an
//! accepted body keeps the limits and counts its writes; a refusal is one
//! line. The same property as the cargo-fuzz target `fuzz/fuzz_targets/txn_body.rs`.

use std::path::Path;

use consul_types::txn::body::{parse, BodyRules};
use consul_types::txn::TxnOp;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

fn rules() -> BodyRules {
    BodyRules {
        max_ops: 8,
        kv_max_value_size: 64,
        datacenter: "dc1".into(),
    }
}

fn seeds() -> Vec<Vec<u8>> {
    consul_testkit::fuzz_seeds::seeds(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds/txn_body"),
        4,
    )
}

/// Bytes that keep a mutated body close to JSON.
const TOKENS: &[&[u8]] = &[
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b":",
    b"null",
    b"\"",
    b"\\u0000",
    b"-1",
    b"1e99",
    b"18446744073709551616",
    b"\"KV\"",
    b"\"Verb\"",
    b"\"get\"",
    b"\"Value\"",
    b"\"=\"",
];

fn mutate(rng: &mut StdRng, seed: &[u8]) -> Vec<u8> {
    consul_testkit::fuzz_seeds::mutate(rng, seed, TOKENS, 5)
}

fn check(body: &[u8]) {
    let rules = rules();
    match parse(body, &rules) {
        Ok(p) => {
            assert!(p.ops.len() <= rules.max_ops);
            assert_eq!(p.writes, p.ops.iter().filter(|op| op.is_write()).count());
            for op in &p.ops {
                if let TxnOp::Kv(kv) = op {
                    assert!(kv.dir_ent.value_len() <= rules.kv_max_value_size);
                }
            }
        }
        Err(e) => assert!(!e.to_string().contains('\n'), "{e}"),
    }
}

#[test]
fn every_seed_parses() {
    for seed in seeds() {
        let p = parse(&seed, &rules())
            .unwrap_or_else(|e| panic!("{}: {e}", String::from_utf8_lossy(&seed)));
        assert!(!p.ops.is_empty());
    }
}

#[test]
fn random_and_mutated_bodies_never_panic() {
    let seeds = seeds();
    let mut rng = StdRng::seed_from_u64(0x7C012);
    let mut accepted = 0;
    for i in 0..20_000 {
        let body = if i % 5 == 0 {
            let len = rng.gen_range(0..200);
            (0..len).map(|_| rng.gen()).collect()
        } else {
            mutate(&mut rng, &seeds[i % seeds.len()])
        };
        check(&body);
        accepted += usize::from(parse(&body, &rules()).is_ok());
    }
    // The mutations stay close enough to JSON to reach the conversion step.
    assert!(accepted > 100, "only {accepted} bodies parsed");
}
