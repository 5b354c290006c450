//! The one error type of the client.

/// What can go wrong talking to an agent.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The agent answered with a non-2xx status; `body` is its text/plain
    /// one-liner. Displayed exactly as Go's client does, so CLI messages match
    /// Consul's ("Unexpected response code: 500 (No path to datacenter)").
    #[error("Unexpected response code: {status} ({body})")]
    Http {
        /// HTTP status code.
        status: u16,
        /// Response body, trimmed of trailing whitespace.
        body: String,
    },
    /// The request never got an answer (connection refused, timeout, …).
    /// The message names the method and URL like Go's `url.Error`.
    #[error("{0}")]
    Transport(String),
    /// The answer was not the JSON we expected.
    #[error("{0}")]
    Decode(String),
    /// The configuration is unusable (e.g. a malformed address).
    #[error("{0}")]
    Config(String),
}

impl ApiError {
    /// The HTTP status, when the agent answered with an error status.
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Http { status, .. } => Some(*status),
            _ => None,
        }
    }
}
