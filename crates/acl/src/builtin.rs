//! Objects every Consul 1.10 cluster has: the anonymous token and the
//! `global-management` policy (created by the leader when ACLs start).
//! Consul 1.10 has no `builtin/global-read-only` policy; it is not here.

use crate::rules::{Policy, Rule, ServiceRule};
use crate::Access;

/// AccessorID of the anonymous token (used when a request carries none).
pub const ANONYMOUS_TOKEN_ID: &str = "00000000-0000-0000-0000-000000000002";

/// SecretID of the anonymous token.
pub const ANONYMOUS_TOKEN_SECRET: &str = "anonymous";

/// Description the leader gives the anonymous token.
pub const ANONYMOUS_TOKEN_DESCRIPTION: &str = "Anonymous Token";

/// ID of the builtin `global-management` policy.
pub const GLOBAL_MANAGEMENT_POLICY_ID: &str = "00000000-0000-0000-0000-000000000001";

/// Name of the builtin management policy (users may rename it).
pub const GLOBAL_MANAGEMENT_POLICY_NAME: &str = "global-management";

/// Description of the builtin management policy.
pub const GLOBAL_MANAGEMENT_POLICY_DESCRIPTION: &str =
    "Builtin Policy that grants unlimited access";

/// The management policy's rules, byte for byte as Consul 1.10 OSS stores
/// them (a leader rewrites the policy when its rules differ from these, so
/// `Rules` in API output must match exactly).
pub const GLOBAL_MANAGEMENT_RULES: &str = "
acl = \"write\"
agent_prefix \"\" {
\tpolicy = \"write\"
}
event_prefix \"\" {
\tpolicy = \"write\"
}
key_prefix \"\" {
\tpolicy = \"write\"
}
keyring = \"write\"
node_prefix \"\" {
\tpolicy = \"write\"
}
operator = \"write\"
query_prefix \"\" {
\tpolicy = \"write\"
}
service_prefix \"\" {
\tpolicy = \"write\"
\tintentions = \"write\"
}
session_prefix \"\" {
\tpolicy = \"write\"
}";

/// IDs starting with this (the first 120 bits zero) are reserved for
/// builtin objects; generated IDs must avoid them.
pub const RESERVED_ID_PREFIX: &str = "00000000-0000-0000-0000-0000000000";

/// Whether `id` is in the reserved range (Consul's `ACLIDReserved`).
pub fn is_reserved_id(id: &str) -> bool {
    id.starts_with(RESERVED_ID_PREFIX)
}

/// [`GLOBAL_MANAGEMENT_RULES`] as a typed policy (without parsing).
pub fn global_management_policy() -> Policy {
    let all = || vec![Rule::new("", Access::Write)];
    Policy {
        acl: Some(Access::Write),
        agent_prefixes: all(),
        event_prefixes: all(),
        key_prefixes: all(),
        keyring: Some(Access::Write),
        node_prefixes: all(),
        operator: Some(Access::Write),
        query_prefixes: all(),
        service_prefixes: vec![ServiceRule::new("", Access::Write, Some(Access::Write))],
        session_prefixes: all(),
        ..Policy::default()
    }
}

/// The builtin management policy as the leader stores it (ID, name,
/// description and rules; hash and indexes are the writer's).
pub fn global_management_policy_row() -> consul_types::acl::AclPolicy {
    consul_types::acl::AclPolicy {
        id: GLOBAL_MANAGEMENT_POLICY_ID.into(),
        name: GLOBAL_MANAGEMENT_POLICY_NAME.into(),
        description: GLOBAL_MANAGEMENT_POLICY_DESCRIPTION.into(),
        rules: GLOBAL_MANAGEMENT_RULES.into(),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn management_rules_parse_to_the_typed_policy() {
        assert_eq!(
            Policy::parse(GLOBAL_MANAGEMENT_RULES).unwrap(),
            global_management_policy()
        );
    }

    #[test]
    fn reserved_ids() {
        assert!(is_reserved_id(GLOBAL_MANAGEMENT_POLICY_ID));
        assert!(is_reserved_id(ANONYMOUS_TOKEN_ID));
        assert!(!is_reserved_id("00000000-0000-0000-0000-000000000100"));
    }
}
