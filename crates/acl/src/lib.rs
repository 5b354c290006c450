//! Consul's ACL system (1.4+ tokens, policies, roles), the pure part: the
//! rules language ([`rules`]), merging a token's policies ([`merge`]), the
//! authorizer that answers every permission check ([`authorizer`]), service
//! and node identities ([`identity`]) and the builtin objects ([`builtin`]).
//!
//! No I/O, no async, no clock: token resolution, storage and expiry live in
//! the server, which calls into this crate with what it resolved.
//!
//! ```
//! use consul_acl::{Authorize, Authorizer, Policy, StaticAuthorizer};
//! let web = Policy::parse(r#"service_prefix "web" { policy = "write" }"#)?;
//! let ops = Policy::parse(r#"{"operator": "read", "service": {"web-db": {"policy": "deny"}}}"#)?;
//! let authz = Authorizer::from_policies([&web, &ops], StaticAuthorizer::DenyAll);
//! assert!(authz.service_write("web-frontend").allowed());
//! assert!(!authz.service_read("web-db").allowed());
//! assert!(authz.operator_write().enforce().is_err());
//! # Ok::<(), consul_acl::RulesError>(())
//! ```

pub mod access;
pub mod authorizer;
pub mod builtin;
pub mod compile;
pub mod error;
pub mod identity;
pub mod legacy;
pub mod merge;
pub mod rules;
mod tree;

pub use access::Access;
pub use authorizer::{
    enforce_named, Authorize, Authorizer, Decision, NamedCheckError, PolicyAuthorizer,
    StaticAuthorizer,
};
pub use error::PermissionDenied;
pub use identity::{identity_policies, NodeIdentity, ServiceIdentity, SyntheticPolicy};
pub use merge::merge_policies;
pub use rules::{Policy, Rule, RulesError, ServiceRule};

/// The segment that asks about every name at once (`intention:read` on
/// `*` is "any intention", `intention:write` on `*` is "all").
pub const WILDCARD: &str = "*";
