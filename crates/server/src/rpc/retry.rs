//! Consul's `canRetry`: which failed calls may be sent again (to the same or
//! another server) while `rpc_hold_timeout` lasts.

use super::error::CallError;
use super::request::RpcRequest;
use crate::endpoints::status::StatusRpc;
use crate::RpcError;

/// Whether a request only reads (safe to repeat after it broke in flight).
pub fn is_read(req: &RpcRequest) -> bool {
    req.query_options().is_some()
        || matches!(
            req,
            RpcRequest::Status(StatusRpc::Leader(_) | StatusRpc::Peers(_) | StatusRpc::Ping)
        )
}

/// Whether `req`, failed with `err`, may be retried: there was no leader
/// yet, or the request never reached a server, or it was a read whose
/// connection broke. A write that broke in flight may have been applied, so
/// it is not repeated.
pub fn can_retry(req: &RpcRequest, err: &CallError) -> bool {
    match err {
        CallError::Remote(RpcError::NoLeader) => true,
        CallError::Remote(_) | CallError::UnexpectedResponse(_) | CallError::Shutdown => false,
        CallError::Dial { .. } => true,
        CallError::Io { .. } | CallError::Timeout { .. } | CallError::Frame { .. } => is_read(req),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoints::catalog::CatalogRpc;
    use crate::endpoints::kv::{KeyRequest, KvRpc};
    use consul_types::catalog::DeregisterRequest;

    #[test]
    fn writes_broken_in_flight_are_not_retried() {
        let write = RpcRequest::Catalog(CatalogRpc::deregister(
            DeregisterRequest::default(),
            Default::default(),
        ));
        let read = RpcRequest::Kv(KvRpc::Get(KeyRequest::default()));
        let io = CallError::Io {
            addr: "x".into(),
            reason: "reset".into(),
        };
        let dial = CallError::Dial {
            addr: "x".into(),
            reason: "refused".into(),
        };
        assert!(!can_retry(&write, &io));
        assert!(can_retry(&read, &io));
        assert!(can_retry(&write, &dial));
        assert!(can_retry(&write, &CallError::Remote(RpcError::NoLeader)));
        assert!(!can_retry(
            &read,
            &CallError::Remote(RpcError::PermissionDenied)
        ));
    }
}
