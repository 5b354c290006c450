//! The permission each request needs before it is served. Every area
//! implements [`AclRequirement`] for its request enum in
//! `endpoints/<area>/acl.rs` (exhaustive matches, no default method), and
//! [`crate::rpc::RpcRequest`] dispatches to them with an exhaustive match, so
//! a new area or a new request cannot compile without declaring what it
//! needs. The dispatcher checks it once, after resolving the token.
//!
//! Reads that Consul *filters* rather than refuses (lists) answer `Ok` here
//! and drop what the caller may not see in their `serve`, through
//! [`crate::dispatch::RequestCtx::may`].

use consul_acl::{Authorizer, Decision};

use crate::{AclSettings, Identity, RpcError};

/// What a request needs from the caller's token.
pub trait AclRequirement {
    /// `Err(PermissionDenied)` when `id` may not make this request.
    fn check_acl(&self, id: &Identity, settings: &AclSettings) -> Result<(), RpcError>;

    /// Whether the caller's token is resolved at all: false only for calls
    /// Consul serves without looking at the token (`Status.*`), so even an
    /// unknown secret is answered.
    fn resolves_token(&self) -> bool {
        true
    }
}

/// `Ok` when `d` allows, else 403 "Permission denied".
pub fn require(d: Decision) -> Result<(), RpcError> {
    if d.allowed() {
        Ok(())
    } else {
        Err(RpcError::PermissionDenied)
    }
}

/// A requirement that holds for anyone (status, reads filtered in serve).
pub fn anyone() -> Result<(), RpcError> {
    Ok(())
}

/// Shorthand for a check on the caller's authorizer.
pub fn check(id: &Identity, f: impl FnOnce(&Authorizer) -> Decision) -> Result<(), RpcError> {
    require(f(&id.authz))
}
