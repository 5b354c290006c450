//! Errors an endpoint answers; the HTTP edge maps each to Consul's status code.

/// Why an endpoint call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RpcError {
    /// No leader is known, even after waiting `rpc_hold_timeout`.
    #[error("No cluster leader")]
    NoLeader,
    /// A client agent knows no server to send the request to.
    #[error("No known Consul servers")]
    NoServers,
    /// The request names a datacenter we cannot reach.
    #[error("No path to datacenter")]
    NoPathToDatacenter,
    /// The request is malformed (HTTP 400).
    #[error("{0}")]
    BadRequest(String),
    /// The request is too large (HTTP 413).
    #[error("{0}")]
    TooLarge(String),
    /// The caller lacks permission (HTTP 403).
    #[error("Permission denied")]
    PermissionDenied,
    /// The caller's token does not exist or has expired (HTTP 403, Consul's
    /// `acl.ErrNotFound`).
    #[error("ACL not found")]
    AclNotFound,
    /// A refusal with Consul's detailed text (HTTP 403).
    #[error("{0}")]
    Forbidden(String),
    /// An ACL endpoint was called while ACLs are disabled (HTTP 401).
    #[error("ACL support disabled")]
    AclDisabled,
    /// The named object does not exist (HTTP 404).
    #[error("{0}")]
    NotFound(String),
    /// The request conflicts with the current state (HTTP 409).
    #[error("{0}")]
    Conflict(String),
    /// The server is shutting down.
    #[error("server is shutting down")]
    Shutdown,
    /// Anything else (HTTP 500).
    #[error("{0}")]
    Internal(String),
}

impl From<consul_types::command::CommandError> for RpcError {
    /// The endpoint error for a command the state store refused.
    fn from(e: consul_types::command::CommandError) -> Self {
        use consul_types::command::CommandError;
        match e {
            CommandError::NotFound(m) => RpcError::NotFound(m),
            CommandError::Conflict(m) => RpcError::Conflict(m),
            CommandError::Invalid(m) => RpcError::BadRequest(m),
            CommandError::Unsupported(m) | CommandError::Failed(m) => RpcError::Internal(m),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use consul_types::command::CommandError;

    #[test]
    fn each_refusal_kind_has_its_endpoint_error() {
        let m = || "why".to_string();
        assert_eq!(
            RpcError::from(CommandError::NotFound(m())),
            RpcError::NotFound(m())
        );
        assert_eq!(
            RpcError::from(CommandError::Conflict(m())),
            RpcError::Conflict(m())
        );
        assert_eq!(
            RpcError::from(CommandError::Invalid(m())),
            RpcError::BadRequest(m())
        );
        assert_eq!(
            RpcError::from(CommandError::Unsupported(m())),
            RpcError::Internal(m())
        );
        assert_eq!(
            RpcError::from(CommandError::Failed(m())),
            RpcError::Internal(m())
        );
    }
}
