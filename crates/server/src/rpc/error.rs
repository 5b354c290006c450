//! Errors of the RPC layer: framing, transport, and endpoint errors carried over the wire.

use serde::{Deserialize, Serialize};

use crate::RpcError;

/// Why a frame could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    /// The peer announced a frame larger than this side accepts.
    #[error("frame of {len} bytes exceeds the limit of {max} bytes")]
    TooLarge {
        /// Announced length.
        len: usize,
        /// Accepted maximum.
        max: usize,
    },
    /// The stream ended cleanly before a frame started.
    #[error("connection closed")]
    Closed,
    /// Reading or writing failed (including a frame cut short).
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    /// The frame's body is not the msgpack we expect.
    #[error("malformed frame: {0}")]
    Decode(String),
    /// A value could not be encoded.
    #[error("cannot encode frame: {0}")]
    Encode(String),
}

/// Why a call over the RPC layer failed.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// No connection to the server could be made.
    #[error("dial {addr}: {reason}")]
    Dial {
        /// The server dialed.
        addr: String,
        /// What went wrong.
        reason: String,
    },
    /// The connection broke during the call; the request may or may not have run.
    #[error("rpc to {addr}: {reason}")]
    Io {
        /// The server called.
        addr: String,
        /// What went wrong.
        reason: String,
    },
    /// No answer within the call's timeout.
    #[error("rpc to {addr} timed out after {timeout:?}")]
    Timeout {
        /// The server called.
        addr: String,
        /// The timeout that expired.
        timeout: std::time::Duration,
    },
    /// A frame was malformed or too large.
    #[error("rpc to {addr}: {source}")]
    Frame {
        /// The server called.
        addr: String,
        /// The framing error.
        source: FrameError,
    },
    /// The server ran the call and it failed there.
    #[error("{0}")]
    Remote(RpcError),
    /// The answer did not match the request (a protocol bug or version skew).
    #[error("unexpected response: {0}")]
    UnexpectedResponse(String),
    /// The pool is shut down.
    #[error("connection pool is shut down")]
    Shutdown,
}

impl CallError {
    /// Whether the failure happened in the network rather than at the remote endpoint.
    pub fn is_transport(&self) -> bool {
        !matches!(self, CallError::Remote(_))
    }
}

impl From<CallError> for RpcError {
    fn from(e: CallError) -> Self {
        match e {
            CallError::Remote(e) => e,
            CallError::Shutdown => RpcError::Shutdown,
            other => RpcError::Internal(other.to_string()),
        }
    }
}

/// [`RpcError`] as it travels over the wire (a tagged map: `{"Kind": …, "Message": …}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct WireError {
    /// Which [`RpcError`] variant.
    pub kind: String,
    /// Its message.
    pub message: String,
}

impl From<&RpcError> for WireError {
    fn from(e: &RpcError) -> Self {
        let (kind, message) = match e {
            RpcError::NoLeader => ("NoLeader", String::new()),
            RpcError::NoServers => ("NoServers", String::new()),
            RpcError::NoPathToDatacenter => ("NoPathToDatacenter", String::new()),
            RpcError::BadRequest(m) => ("BadRequest", m.clone()),
            RpcError::TooLarge(m) => ("TooLarge", m.clone()),
            RpcError::PermissionDenied => ("PermissionDenied", String::new()),
            RpcError::AclNotFound => ("AclNotFound", String::new()),
            RpcError::Forbidden(m) => ("Forbidden", m.clone()),
            RpcError::AclDisabled => ("AclDisabled", String::new()),
            RpcError::NotFound(m) => ("NotFound", m.clone()),
            RpcError::Conflict(m) => ("Conflict", m.clone()),
            RpcError::Shutdown => ("Shutdown", String::new()),
            RpcError::Internal(m) => ("Internal", m.clone()),
        };
        WireError {
            kind: kind.to_string(),
            message,
        }
    }
}

impl From<WireError> for RpcError {
    fn from(w: WireError) -> Self {
        match w.kind.as_str() {
            "NoLeader" => RpcError::NoLeader,
            "NoServers" => RpcError::NoServers,
            "NoPathToDatacenter" => RpcError::NoPathToDatacenter,
            "BadRequest" => RpcError::BadRequest(w.message),
            "TooLarge" => RpcError::TooLarge(w.message),
            "PermissionDenied" => RpcError::PermissionDenied,
            "AclNotFound" => RpcError::AclNotFound,
            "Forbidden" => RpcError::Forbidden(w.message),
            "AclDisabled" => RpcError::AclDisabled,
            "NotFound" => RpcError::NotFound(w.message),
            "Conflict" => RpcError::Conflict(w.message),
            "Shutdown" => RpcError::Shutdown,
            _ => RpcError::Internal(w.message),
        }
    }
}
