//! Any text as a filter expression: parsing and evaluating it over a few
//! documents (with and without a schema) never panics, and every refusal is
//! one line. The same property as crates/filter/tests/fuzz_seeds.rs.
#![no_main]

use consul_filter::{Filter, Schema};
use libfuzzer_sys::fuzz_target;
use serde_json::json;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let docs = [
        json!({"Node": "web-01", "ServiceTags": ["a", "b"], "ServiceMeta": {"env": "prod"},
               "ServicePort": 8080, "Checks": [{"Status": "passing"}, {"Status": 3}],
               "Flag": true, "Nil": null}),
        json!([1, "x", {"a": [[]]}]),
        json!("scalar"),
    ];
    let schema = Schema::structure([
        ("Node", Schema::String),
        ("ServiceTags", Schema::list(Schema::String)),
        ("ServiceMeta", Schema::map(Schema::String)),
        ("ServicePort", Schema::Int),
        ("Checks", Schema::list(Schema::structure([("Status", Schema::String)]))),
        ("Flag", Schema::Bool),
    ]);
    for filter in [Filter::parse(text), Filter::parse_with(text, &schema)] {
        match filter {
            Ok(f) => {
                for doc in &docs {
                    if let Err(e) = f.matches(doc) {
                        assert!(!e.to_string().contains('\n'));
                    }
                }
            }
            Err(e) => assert!(!e.to_string().contains('\n')),
        }
    }
});
