//! The leader's checks on ACL writes, with Consul's messages: names,
//! accessor IDs, expirations and identities.

use std::time::Duration;

use consul_acl::builtin::is_reserved_id;
use consul_types::acl::{AclToken, NodeIdentity, ServiceIdentity};
use consul_types::session::validate_uuid;

use crate::RpcError;

/// Shortest `ExpirationTTL` Consul accepts (`acl.token_min_expiration_ttl`).
pub const MIN_EXPIRATION_TTL: Duration = Duration::from_secs(60);
/// Longest `ExpirationTTL` Consul accepts (`acl.token_max_expiration_ttl`).
pub const MAX_EXPIRATION_TTL: Duration = Duration::from_secs(24 * 3600);

/// A refused ACL write: Consul answers these with a 500 and the message.
pub(super) fn fail(msg: impl Into<String>) -> RpcError {
    RpcError::Internal(msg.into())
}

/// A policy or role name: 1..=`max` of `[A-Za-z0-9_-]`.
pub fn name(name: &str, kind: &str, max: usize) -> Result<(), RpcError> {
    if name.is_empty() {
        return Err(fail(format!("Invalid {kind}: no Name is set")));
    }
    let ok = name.len() <= max
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !ok {
        return Err(fail(format!(
            "Invalid {kind}: invalid Name. Only alphanumeric characters, '-' and '_' are allowed"
        )));
    }
    Ok(())
}

/// A caller-chosen accessor ID: a UUID outside the reserved range.
pub fn accessor_id(id: &str) -> Result<(), RpcError> {
    validate_uuid(id).map_err(|_| fail("Invalid Token: AccessorID must be a valid UUID"))?;
    if is_reserved_id(id) {
        return Err(fail(
            "Invalid Token: AccessorID is reserved and cannot be used",
        ));
    }
    Ok(())
}

/// Turn `ExpirationTTL` into `ExpirationTime` (from the create time) and
/// check both are in Consul's bounds.
pub fn expiration(t: &mut AclToken) -> Result<(), RpcError> {
    if !t.expiration_ttl.is_zero() {
        if t.expiration_time.is_some() {
            return Err(fail(
                "Token Expiration TTL and Expiration Time cannot both be set",
            ));
        }
        if t.expiration_ttl < MIN_EXPIRATION_TTL || t.expiration_ttl > MAX_EXPIRATION_TTL {
            return Err(fail(format!(
                "Token Expiration TTL '{}' should be between {} and {}",
                consul_types::duration::format_go_duration(t.expiration_ttl),
                consul_types::duration::format_go_duration(MIN_EXPIRATION_TTL),
                consul_types::duration::format_go_duration(MAX_EXPIRATION_TTL),
            )));
        }
        t.expiration_time = Some(t.create_time.add(t.expiration_ttl));
        t.expiration_ttl = Duration::ZERO;
    }
    if let Some(exp) = t.expiration_time {
        if exp < t.create_time.add(MIN_EXPIRATION_TTL) {
            return Err(fail(format!(
                "ExpirationTime cannot be less than {} in the future",
                consul_types::duration::format_go_duration(MIN_EXPIRATION_TTL)
            )));
        }
    }
    Ok(())
}

/// Identities need a name, and node identities a datacenter.
pub fn identities(services: &[ServiceIdentity], nodes: &[NodeIdentity]) -> Result<(), RpcError> {
    for s in services {
        if s.service_name.is_empty() {
            return Err(fail(
                "Service identity is missing the service name field on this token",
            ));
        }
    }
    for n in nodes {
        if n.node_name.is_empty() {
            return Err(fail(
                "Node identity is missing the node name field on this token",
            ));
        }
        if n.datacenter.is_empty() {
            return Err(fail(
                "Node identity is missing the datacenter field on this token",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_consuls_pattern() {
        assert!(name("kv-read_2", "Policy", 128).is_ok());
        assert_eq!(
            name("", "Policy", 128).unwrap_err().to_string(),
            "Invalid Policy: no Name is set"
        );
        assert!(name("has space", "Role", 256).is_err());
        assert!(name(&"a".repeat(129), "Policy", 128).is_err());
    }

    #[test]
    fn ttl_becomes_an_expiration_time_within_bounds() {
        let mut t = AclToken {
            create_time: consul_types::timestamp::Timestamp::from_unix_secs(100),
            expiration_ttl: Duration::from_secs(3600),
            ..Default::default()
        };
        expiration(&mut t).unwrap();
        assert_eq!(
            t.expiration_time,
            Some(consul_types::timestamp::Timestamp::from_unix_secs(3700))
        );
        t.expiration_time = None;
        t.expiration_ttl = Duration::from_secs(5);
        assert_eq!(
            expiration(&mut t).unwrap_err().to_string(),
            "Token Expiration TTL '5s' should be between 1m0s and 24h0m0s"
        );
    }

    #[test]
    fn reserved_accessors_are_refused() {
        assert!(accessor_id("00000000-0000-0000-0000-000000000009").is_err());
        assert!(accessor_id("nope").is_err());
        assert!(accessor_id("6d1e6c5e-2ad3-4bd5-8a38-7a5f9b43e2cd").is_ok());
    }
}
