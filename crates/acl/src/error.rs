//! The refusal every ACL check ends in.

/// A request the token's authorizer does not allow. `Display` is Consul
/// 1.10's text, which clients match on: `Permission denied`, or
/// `Permission denied: <cause>` where Consul gives a cause (e.g. the
/// agent's `Missing service:write on web`). The detailed
/// `token with AccessorID '…' lacks permission …` text is from later
/// Consul versions and is not used. HTTP answers it with 403.
#[derive(Debug, Clone, Default, PartialEq, Eq, thiserror::Error)]
pub struct PermissionDenied {
    /// Why, when Consul says it; `None` for the plain text.
    pub cause: Option<String>,
}

impl PermissionDenied {
    /// The plain `Permission denied`.
    pub fn new() -> Self {
        PermissionDenied { cause: None }
    }

    /// `Permission denied: <cause>`.
    pub fn with_cause(cause: impl Into<String>) -> Self {
        PermissionDenied {
            cause: Some(cause.into()),
        }
    }
}

impl std::fmt::Display for PermissionDenied {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.cause {
            Some(c) if !c.is_empty() => write!(f, "Permission denied: {c}"),
            _ => f.write_str("Permission denied"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_consuls() {
        assert_eq!(PermissionDenied::new().to_string(), "Permission denied");
        assert_eq!(
            PermissionDenied::with_cause("Missing node:write on n1").to_string(),
            "Permission denied: Missing node:write on n1"
        );
    }
}
