//! Any bytes as a `PUT /v1/txn` body: never a panic; an accepted body keeps
//! the limits, a refused one has a one-line reason.
#![no_main]

use consul_types::txn::body::{parse, BodyRules};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let rules = BodyRules {
        max_ops: 8,
        kv_max_value_size: 64,
        datacenter: "dc1".into(),
    };
    match parse(data, &rules) {
        Ok(p) => {
            assert!(p.ops.len() <= rules.max_ops);
            assert_eq!(p.writes, p.ops.iter().filter(|op| op.is_write()).count());
        }
        Err(e) => assert!(!e.to_string().contains('\n')),
    }
});
