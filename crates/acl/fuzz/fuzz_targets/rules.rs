//! Any bytes as ACL rules, HCL and JSON: never a panic; a refusal is one
//! line; an accepted policy builds an authorizer that answers every
//! question and decides each rule's own name by that rule (see
//! `rules_check.rs`, shared with `crates/acl/tests/rules_fuzz.rs`).
#![no_main]

mod rules_check;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    rules_check::check_bytes(data);
});
