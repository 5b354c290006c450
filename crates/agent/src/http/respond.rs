//! The one edge where results and errors become HTTP responses: JSON bodies
//! (pretty with `?pretty` or in dev mode, as Go's `MarshalIndent` with four
//! spaces), Consul's query-meta headers, and errors as `text/plain` one-liners
//! with Consul's status codes.

use axum::body::Body;
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use consul_server::{QueryMeta, RpcError};
use serde::Serialize;

/// `X-Consul-Index`.
pub const X_CONSUL_INDEX: HeaderName = HeaderName::from_static("x-consul-index");
/// `X-Consul-KnownLeader` (sent in Go's canonical form `X-Consul-Knownleader`).
pub const X_CONSUL_KNOWN_LEADER: HeaderName = HeaderName::from_static("x-consul-knownleader");
/// `X-Consul-LastContact` (sent as `X-Consul-Lastcontact`).
pub const X_CONSUL_LAST_CONTACT: HeaderName = HeaderName::from_static("x-consul-lastcontact");
/// `X-Consul-Effective-Consistency`.
pub const X_CONSUL_EFFECTIVE_CONSISTENCY: HeaderName =
    HeaderName::from_static("x-consul-effective-consistency");
/// `X-Consul-Query-Backend` (always `blocking-query`: there is no streaming backend).
pub const X_CONSUL_QUERY_BACKEND: HeaderName = HeaderName::from_static("x-consul-query-backend");
/// `X-Consul-Default-Acl-Policy`, on every response.
pub const X_CONSUL_DEFAULT_ACL_POLICY: HeaderName =
    HeaderName::from_static("x-consul-default-acl-policy");

/// An error answer: status code and a one-line reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpError {
    /// Status code.
    pub status: StatusCode,
    /// Body text.
    pub message: String,
}

impl HttpError {
    /// A 400 with `message`.
    pub fn bad_request(message: impl Into<String>) -> Self {
        HttpError {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
        }
    }

    /// A 404 with `message`.
    pub fn not_found(message: impl Into<String>) -> Self {
        HttpError {
            status: StatusCode::NOT_FOUND,
            message: message.into(),
        }
    }

    /// A 500 with `message`.
    pub fn internal(message: impl Into<String>) -> Self {
        HttpError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: message.into(),
        }
    }
}

impl From<RpcError> for HttpError {
    fn from(e: RpcError) -> Self {
        let status = match &e {
            RpcError::BadRequest(_) => StatusCode::BAD_REQUEST,
            RpcError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            RpcError::PermissionDenied | RpcError::AclNotFound | RpcError::Forbidden(_) => {
                StatusCode::FORBIDDEN
            }
            RpcError::AclDisabled => StatusCode::UNAUTHORIZED,
            RpcError::NotFound(_) => StatusCode::NOT_FOUND,
            RpcError::Conflict(_) => StatusCode::CONFLICT,
            RpcError::NoLeader
            | RpcError::NoServers
            | RpcError::NoPathToDatacenter
            | RpcError::Shutdown
            | RpcError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        HttpError {
            status,
            message: e.to_string(),
        }
    }
}

impl From<crate::local::LocalError> for HttpError {
    fn from(e: crate::local::LocalError) -> Self {
        use crate::local::LocalError;
        match e {
            LocalError::Invalid(m) => HttpError::bad_request(m),
            LocalError::NotFound(m) => HttpError::not_found(m),
            LocalError::Persist(m) => HttpError::internal(m),
            LocalError::Rpc(e) => e.into(),
        }
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let mut resp = Response::new(Body::from(self.message));
        *resp.status_mut() = self.status;
        resp.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        resp
    }
}

/// Encode `value` as Consul does: compact, or indented by four spaces.
pub fn encode_json<T: Serialize + ?Sized>(value: &T, pretty: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(128);
    if pretty {
        let fmt = serde_json::ser::PrettyFormatter::with_indent(b"    ");
        let mut ser = serde_json::Serializer::with_formatter(&mut out, fmt);
        // Our own types always serialize.
        value.serialize(&mut ser).expect("response serializes");
    } else {
        serde_json::to_writer(&mut out, value).expect("response serializes");
    }
    out
}

/// A 200 with an empty body (what Consul's agent write endpoints answer).
pub fn empty() -> Response {
    Response::new(axum::body::Body::empty())
}

/// A 200 JSON response.
pub fn json<T: Serialize + ?Sized>(value: &T, pretty: bool) -> Response {
    let mut resp = Response::new(Body::from(encode_json(value, pretty)));
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

/// Add `X-Consul-Index`, `-KnownLeader` and `-LastContact` to a read's response.
pub fn set_meta(resp: &mut Response, meta: &QueryMeta) {
    let h = resp.headers_mut();
    h.insert(X_CONSUL_INDEX, HeaderValue::from(meta.index.max(1)));
    h.insert(
        X_CONSUL_KNOWN_LEADER,
        HeaderValue::from_static(if meta.known_leader { "true" } else { "false" }),
    );
    h.insert(
        X_CONSUL_LAST_CONTACT,
        HeaderValue::from(meta.last_contact.as_millis() as u64),
    );
    h.insert(
        X_CONSUL_QUERY_BACKEND,
        HeaderValue::from_static("blocking-query"),
    );
}

/// Add `X-Consul-Effective-Consistency` (`leader`, `stale` or `consistent`),
/// as Consul does on catalog and health reads.
pub fn set_consistency(resp: &mut Response, params: &super::params::Params) {
    let mode = if params.has("consistent") {
        "consistent"
    } else if params.has("stale") {
        "stale"
    } else {
        "leader"
    };
    resp.headers_mut().insert(
        X_CONSUL_EFFECTIVE_CONSISTENCY,
        HeaderValue::from_static(mode),
    );
}

/// A JSON read result with its meta headers.
pub fn json_with_meta<T: Serialize + ?Sized>(
    value: &T,
    meta: &QueryMeta,
    pretty: bool,
) -> Response {
    let mut resp = json(value, pretty);
    set_meta(&mut resp, meta);
    resp
}

/// A reply of the wrong shape from the RPC layer (a bug or version skew).
pub fn rpc_err(e: consul_server::rpc::CallError) -> HttpError {
    HttpError::from(RpcError::from(e))
}

/// Result type of every handler.
pub type HttpResult = Result<Response, HttpError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_errors_map_to_their_status_codes() {
        let status = |e: RpcError| HttpError::from(e).status;
        assert_eq!(
            status(RpcError::Conflict("held".into())),
            StatusCode::CONFLICT
        );
        assert_eq!(
            status(RpcError::NotFound("x".into())),
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            status(RpcError::BadRequest("x".into())),
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            status(RpcError::Internal("Missing node registration".into())),
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }
}
