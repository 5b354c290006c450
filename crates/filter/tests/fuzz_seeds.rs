//! The filter parser and evaluator against the fuzz seeds
//! (`fuzz/seeds/filter`) and thousands of deterministic mutations of them:
//! never a panic, every refusal one line, a schema only ever refuses more,
//! an expression the schema accepts evaluates without error over a document
//! of that schema, and `not (X)` is the negation of `X`. The same property
//! as the cargo-fuzz target `fuzz/fuzz_targets/filter.rs`.

use std::path::Path;

use consul_filter::{Filter, Schema};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};

fn seeds() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds/filter");
    let mut out: Vec<String> = std::fs::read_dir(&dir)
        .expect("seed directory")
        .map(|e| std::fs::read_to_string(e.expect("entry").path()).expect("seed"))
        .collect();
    out.sort();
    assert!(out.len() >= 20, "seeds in {}", dir.display());
    out
}

/// Pieces that keep a mutated expression close to the grammar.
const TOKENS: &[&str] = &[
    " ",
    "(",
    ")",
    "[",
    "]",
    "\"",
    "`",
    ".",
    "\\",
    "\n",
    " and ",
    " or ",
    "not ",
    " in ",
    " not in ",
    " contains ",
    " is empty",
    " is not empty",
    " matches ",
    " == ",
    " != ",
    "-",
    "0",
    "1.5",
    "0x",
    "Node",
    "ServiceTags",
    "ServiceMeta",
    "Checks.Status",
    "Flag",
    "ServicePort",
    "\"(\"",
    "\"[\"",
    "\"\\u00e9\"",
    "é",
    "\u{0}",
    "true",
    "*",
];

fn mutate(rng: &mut StdRng, seed: &str) -> String {
    let mut p: Vec<char> = seed.chars().collect();
    for _ in 0..rng.gen_range(1..6) {
        let i = rng.gen_range(0..=p.len());
        match rng.gen_range(0..5) {
            0 if i < p.len() => p[i] = char::from(rng.gen_range(0x20u8..0x7f)),
            1 => p.truncate(i),
            2 | 3 => {
                let t = TOKENS[rng.gen_range(0..TOKENS.len())];
                p.splice(i..i, t.chars());
            }
            _ => {
                let j = rng.gen_range(0..=p.len());
                let (a, b) = (i.min(j), i.max(j));
                let chunk = p[a..b].to_vec();
                p.splice(b..b, chunk);
            }
        }
    }
    p.into_iter().collect()
}

fn schema() -> Schema {
    Schema::structure([
        ("Node", Schema::String),
        ("ServiceTags", Schema::list(Schema::String)),
        ("ServiceMeta", Schema::map(Schema::String)),
        ("ServicePort", Schema::Int),
        (
            "Checks",
            Schema::list(Schema::structure([("Status", Schema::String)])),
        ),
        ("Flag", Schema::Bool),
        ("Nil", Schema::list(Schema::Int)),
    ])
}

/// A document of [`schema`]'s shape.
fn typed_doc() -> Value {
    json!({"Node": "web-01", "ServiceTags": ["a", "v1"], "ServiceMeta": {"env": "prod", "a b": ""},
           "ServicePort": 8080, "Checks": [{"Status": "passing"}, {}], "Flag": true, "Nil": null})
}

/// Documents of other shapes.
fn odd_docs() -> Vec<Value> {
    vec![
        json!({"Node": 3, "ServiceTags": "a", "ServiceMeta": [1, {"x": null}], "Checks": {"Status": []},
               "Flag": "true", "ServicePort": 1.5e300}),
        json!([1, "x", {"Node": [[]]}]),
        json!("scalar"),
        json!(null),
    ]
}

fn check(text: &str, schema: &Schema, typed: &Value, odd: &[Value]) {
    let free = Filter::parse(text);
    let typed_filter = Filter::parse_with(text, schema);
    if let Err(e) = &free {
        assert!(!e.to_string().contains('\n'), "{text:?}: {e}");
        assert!(
            typed_filter.is_err(),
            "{text:?}: a schema accepted what plain parsing refused"
        );
    }
    if let Err(e) = &typed_filter {
        assert!(!e.to_string().contains('\n'), "{text:?}: {e}");
    }
    if let Ok(f) = &typed_filter {
        let got = f.matches(typed);
        assert!(
            got.is_ok(),
            "{text:?}: schema-checked filter failed on a typed doc: {got:?}"
        );
    }
    let Ok(f) = free else { return };
    for doc in std::iter::once(typed).chain(odd) {
        match f.matches(doc) {
            Ok(b) => {
                if let Ok(neg) = Filter::parse(&format!("not ({text})")) {
                    assert_eq!(neg.matches(doc), Ok(!b), "{text:?} negated over {doc}");
                }
            }
            Err(e) => assert!(!e.to_string().contains('\n'), "{text:?}: {e}"),
        }
    }
}

#[test]
fn seeds_parse_as_intended() {
    // The first seeds are valid expressions, the error seeds are not.
    let valid = seeds().iter().filter(|s| Filter::parse(s).is_ok()).count();
    assert!(valid >= 14, "{valid} valid seeds");
}

#[test]
fn mutated_seeds_never_panic() {
    let (schema, typed, odd) = (schema(), typed_doc(), odd_docs());
    let seeds = seeds();
    let mut rng = StdRng::seed_from_u64(0x5eed_f11e);
    for seed in &seeds {
        check(seed, &schema, &typed, &odd);
    }
    for _ in 0..20_000 {
        let seed = &seeds[rng.gen_range(0..seeds.len())];
        let text = mutate(&mut rng, seed);
        check(&text, &schema, &typed, &odd);
    }
}

#[test]
fn random_text_never_panics() {
    let (schema, typed, odd) = (schema(), typed_doc(), odd_docs());
    let mut rng = StdRng::seed_from_u64(42);
    for _ in 0..5_000 {
        let len = rng.gen_range(0..40);
        let text: String = (0..len)
            .map(|_| TOKENS[rng.gen_range(0..TOKENS.len())])
            .collect();
        check(&text, &schema, &typed, &odd);
    }
}
