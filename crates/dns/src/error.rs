//! Why a query could not be answered, and the one place that maps each
//! reason to a DNS response code.

use hickory_proto::op::ResponseCode;

use crate::backend::BackendError;

/// A reason a query gets an error response.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DnsError {
    /// The request is not a well-formed single-question query.
    #[error("malformed query: {0}")]
    Malformed(&'static str),
    /// An opcode or query type we do not serve (AXFR, UPDATE, …).
    #[error("not implemented")]
    NotImplemented,
    /// The name is not valid in the domain, or nothing carries it.
    #[error("no such name")]
    NoSuchName,
    /// Prepared queries (`.query.`) are not available yet.
    #[error("prepared queries are not supported")]
    PreparedQueryUnsupported,
    /// The datacenter label names an unknown datacenter.
    #[error("unknown datacenter {0:?}")]
    UnknownDatacenter(String),
    /// The backend failed.
    #[error("backend: {0}")]
    Backend(String),
    /// The name is outside the domain and no recursors are configured.
    #[error("no recursors configured")]
    NoRecursors,
    /// Every recursor failed or timed out.
    #[error("all recursors failed")]
    RecursorsFailed,
}

impl From<BackendError> for DnsError {
    fn from(e: BackendError) -> Self {
        match e {
            BackendError::UnknownDatacenter(dc) => DnsError::UnknownDatacenter(dc),
            BackendError::Unavailable(msg) => DnsError::Backend(msg),
        }
    }
}

impl DnsError {
    /// The response code this error is answered with.
    pub fn response_code(&self) -> ResponseCode {
        match self {
            DnsError::Malformed(_) => ResponseCode::FormErr,
            DnsError::NotImplemented => ResponseCode::NotImp,
            DnsError::NoSuchName
            | DnsError::PreparedQueryUnsupported
            | DnsError::UnknownDatacenter(_) => ResponseCode::NXDomain,
            DnsError::Backend(_) | DnsError::RecursorsFailed => ResponseCode::ServFail,
            DnsError::NoRecursors => ResponseCode::Refused,
        }
    }

    /// Whether the response carries the domain's SOA in its authority
    /// section (negative answers from our own zone).
    pub fn with_soa(&self) -> bool {
        self.response_code() == ResponseCode::NXDomain
    }
}
