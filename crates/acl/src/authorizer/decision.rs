//! The answer of one authorizer to one question.

use crate::error::PermissionDenied;

/// An authorizer's answer (Consul's `EnforcementDecision`): allowed,
/// refused, or no opinion — `Default` lets the next authorizer of a chain
/// decide (see [`crate::Authorizer`], whose answers are never `Default`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Decision {
    /// Allowed.
    Allow,
    /// Refused.
    Deny,
    /// No rule applies here.
    Default,
}

impl Decision {
    /// True only for [`Decision::Allow`] (Consul's `!= acl.Allow` checks).
    pub fn allowed(self) -> bool {
        self == Decision::Allow
    }

    /// `Ok` when allowed, else Consul's plain `Permission denied`.
    pub fn enforce(self) -> Result<(), PermissionDenied> {
        if self.allowed() {
            Ok(())
        } else {
            Err(PermissionDenied::new())
        }
    }

    /// `Ok` when allowed, else `Permission denied: <cause>` (the cause is
    /// only built when refused).
    pub fn enforce_or(self, cause: impl FnOnce() -> String) -> Result<(), PermissionDenied> {
        if self.allowed() {
            Ok(())
        } else {
            Err(PermissionDenied::with_cause(cause()))
        }
    }

    /// Consul's `defaultIsAllow`: `Default` counts as allowed.
    pub fn default_is_allow(self) -> Decision {
        match self {
            Decision::Deny => Decision::Deny,
            _ => Decision::Allow,
        }
    }
}
