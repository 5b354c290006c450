//! Parity with go-bexpr itself: `bexpr_parity.jsonl` holds expressions (the
//! language's corners and seed mutations) with the answer the go-bexpr that
//! Consul 1.10 vendors gave for them — evaluated against a Go struct shaped
//! like `bexpr_parity_doc.json` — recorded by running it. This crate, given
//! the same document and the equivalent [`Schema`], must answer the same:
//! `T`/`F`, or the same first error line (`PERR` at parse, `EERR` at
//! evaluation). Regular-expression compile errors are compared up to the
//! reason, which is the regex engine's own wording.

use consul_filter::{Filter, Schema};
use serde_json::Value;

fn schema() -> Schema {
    let s = || Schema::String;
    let weights = || Schema::structure([("Passing", Schema::Int), ("Warning", Schema::Int)]);
    Schema::structure([
        ("Node", s()),
        ("Address", s()),
        ("Tags", Schema::list(s())),
        ("Meta", Schema::map(s())),
        ("Port", Schema::Int),
        ("Index", Schema::Uint),
        ("Score", Schema::Float),
        ("Enabled", Schema::Bool),
        ("Weights", weights()),
        (
            "Checks",
            Schema::list(Schema::structure([
                ("Status", s()),
                ("CheckID", s()),
                ("ServiceTags", Schema::list(s())),
                ("Notes", s()),
            ])),
        ),
        ("Ports", Schema::list(Schema::Int)),
        ("Lists", Schema::map(Schema::list(s()))),
        ("Nested", Schema::map(weights())),
        ("Empty", s()),
        ("NilTags", Schema::list(s())),
        ("NilMeta", Schema::map(s())),
    ])
}

fn answer(expr: &str, schema: &Schema, doc: &Value) -> String {
    match Filter::parse_with(expr, schema) {
        Err(e) => format!("PERR {e}"),
        Ok(f) => match f.matches(doc) {
            Ok(true) => "T".into(),
            Ok(false) => "F".into(),
            Err(e) => format!("EERR {e}"),
        },
    }
}

/// A regex compile error up to its reason.
fn regex_prefix(s: &str) -> Option<&str> {
    let start = s.find("Failed to compile regular expression ")?;
    let reason = s[start..].rfind("\": ")?;
    Some(&s[..start + reason + 3])
}

#[test]
fn answers_as_go_bexpr_does() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let doc: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("bexpr_parity_doc.json")).expect("doc"),
    )
    .expect("doc is JSON");
    let cases = std::fs::read_to_string(dir.join("bexpr_parity.jsonl")).expect("cases");
    let schema = schema();
    let mut count = 0;
    let mut failures = Vec::new();
    for line in cases.lines().filter(|l| !l.trim().is_empty()) {
        let case: Value = serde_json::from_str(line).expect("case is JSON");
        let expr = case["expr"].as_str().expect("expr");
        let want = case["bexpr"].as_str().expect("bexpr");
        let got = answer(expr, &schema, &doc);
        let same = got == want
            || matches!((regex_prefix(&got), regex_prefix(want)), (Some(a), Some(b)) if a == b);
        if !same {
            failures.push(format!("{expr:?}\n  bexpr: {want}\n  ours:  {got}"));
        }
        count += 1;
    }
    assert!(count >= 400, "{count} cases");
    assert!(
        failures.is_empty(),
        "{} differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
