//! Fresh IDs in Consul's UUID format (go-uuid: 16 random bytes, hex, 8-4-4-4-12),
//! chosen by the leader before a create enters Raft so every server applies
//! the same one.

/// A fresh random UUID.
pub fn new_uuid() -> String {
    let b: [u8; 16] = rand::random();
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_well_formed_and_distinct() {
        let a = new_uuid();
        assert!(consul_types::session::validate_uuid(&a).is_ok(), "{a}");
        assert_ne!(a, new_uuid());
    }
}
