//! Any bytes as a snapshot archive (`PUT /v1/snapshot`, `consul snapshot
//! inspect`): never a panic; an accepted archive's `Size` is its state's
//! length, a refused one has a one-line reason.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match consul_types::snapshot::read(data) {
        Ok(a) => assert_eq!(a.meta.size, a.state.len() as u64),
        Err(e) => assert!(!e.to_string().contains('\n')),
    }
});
