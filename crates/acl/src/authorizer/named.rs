//! Checks named by strings (`resource`, `segment`, `access`), as
//! `/v1/internal/acl/authorize` sends them (Consul's `acl.Enforce`).

use super::{Authorize, Decision};

/// A named check that does not exist. `Display` is Consul's text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NamedCheckError {
    /// The resource is not one of Consul's.
    #[error("Invalid ACL resource requested: {}", crate::rules::go_quote(.0))]
    Resource(String),
    /// The resource has no such access level.
    #[error("Invalid access level for {resource} resource: {access}")]
    Access {
        /// The resource, as given.
        resource: String,
        /// The access level, as given.
        access: String,
    },
}

/// Answers the check `resource` / `access` on `segment`: resources `acl`,
/// `agent`, `event`, `intention`, `key`, `keyring`, `node`, `operator`,
/// `query`, `service`, `session` (exact, lower case); access `read` or
/// `write` (any case), plus `list` and `write-prefix` for `key`.
pub fn enforce_named(
    authz: &dyn Authorize,
    resource: &str,
    segment: &str,
    access: &str,
) -> Result<Decision, NamedCheckError> {
    let lower = access.to_ascii_lowercase();
    let s = segment;
    let d = match (resource, lower.as_str()) {
        ("acl", "read") => authz.acl_read(),
        ("acl", "write") => authz.acl_write(),
        ("agent", "read") => authz.agent_read(s),
        ("agent", "write") => authz.agent_write(s),
        ("event", "read") => authz.event_read(s),
        ("event", "write") => authz.event_write(s),
        ("intention", "read") => authz.intention_read(s),
        ("intention", "write") => authz.intention_write(s),
        ("key", "read") => authz.key_read(s),
        ("key", "list") => authz.key_list(s),
        ("key", "write") => authz.key_write(s),
        ("key", "write-prefix") => authz.key_write_prefix(s),
        ("keyring", "read") => authz.keyring_read(),
        ("keyring", "write") => authz.keyring_write(),
        ("node", "read") => authz.node_read(s),
        ("node", "write") => authz.node_write(s),
        ("operator", "read") => authz.operator_read(),
        ("operator", "write") => authz.operator_write(),
        ("query", "read") => authz.prepared_query_read(s),
        ("query", "write") => authz.prepared_query_write(s),
        ("service", "read") => authz.service_read(s),
        ("service", "write") => authz.service_write(s),
        ("session", "read") => authz.session_read(s),
        ("session", "write") => authz.session_write(s),
        (
            "acl" | "agent" | "event" | "intention" | "key" | "keyring" | "node" | "operator"
            | "query" | "service" | "session",
            _,
        ) => {
            return Err(NamedCheckError::Access {
                resource: resource.to_string(),
                access: access.to_string(),
            })
        }
        _ => return Err(NamedCheckError::Resource(resource.to_string())),
    };
    Ok(d)
}
