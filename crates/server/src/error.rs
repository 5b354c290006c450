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
    /// The named object does not exist (HTTP 404).
    #[error("{0}")]
    NotFound(String),
    /// The server is shutting down.
    #[error("server is shutting down")]
    Shutdown,
    /// Anything else (HTTP 500).
    #[error("{0}")]
    Internal(String),
}
