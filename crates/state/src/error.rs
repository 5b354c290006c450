//! The state store's error type.

/// Why a state-store operation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StateError {
    /// The node a service or check refers to is not registered.
    #[error("Missing node registration")]
    MissingNode(String),
    /// The service a check refers to is not registered on its node.
    #[error("Missing service registration")]
    MissingService(String),
    /// The request itself is malformed (message shown to the client).
    #[error("{0}")]
    InvalidRequest(String),
    /// The operation is not implemented by this store yet.
    #[error("unsupported operation: {0}")]
    Unsupported(String),
    /// A snapshot was written in a format newer than this server reads.
    #[error(
        "snapshot format v{found} is newer than this server supports (v{supported}); \
         upgrade this server to restore it"
    )]
    NewerFormat {
        /// The image's format version.
        found: u8,
        /// The newest version this server reads.
        supported: u8,
    },
    /// A snapshot holds a table this server does not know, not marked ignorable.
    #[error(
        "snapshot has table {0:?}, unknown to this server (written by a newer version); \
         upgrade this server to restore it"
    )]
    UnknownTable(String),
    /// A snapshot could not be decoded or is inconsistent.
    #[error("corrupt snapshot: {0}")]
    Corrupt(String),
}
