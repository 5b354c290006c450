//! What the server side implements: one typed entry point for every non-Raft request. The
//! implementation calls the same `crate::endpoints` functions local calls use, so this layer
//! holds no endpoint logic.

use std::future::Future;
use std::pin::Pin;

use super::request::RpcRequest;
use super::response::RpcResponse;
use crate::RpcError;

/// A boxed, sendable future.
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// Answers requests arriving on multiplexed streams. [`RpcRequest::Raft`] never reaches it
/// (the listener routes Raft to its [`super::RaftSlot`]).
pub trait RpcHandler: Send + Sync + 'static {
    /// Runs one request to completion.
    fn handle(&self, req: RpcRequest) -> BoxFuture<Result<RpcResponse, RpcError>>;
}

impl<F, Fut> RpcHandler for F
where
    F: Fn(RpcRequest) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<RpcResponse, RpcError>> + Send + 'static,
{
    fn handle(&self, req: RpcRequest) -> BoxFuture<Result<RpcResponse, RpcError>> {
        Box::pin(self(req))
    }
}

/// A handler installed after the listener is bound (the server needs the listener's address
/// before it exists). Until [`LateHandler::set`], calls fail with "server is starting".
#[derive(Default)]
pub struct LateHandler {
    inner: std::sync::OnceLock<std::sync::Arc<dyn RpcHandler>>,
}

impl LateHandler {
    /// Installs the real handler; a second call is ignored and returns `false`.
    pub fn set(&self, handler: std::sync::Arc<dyn RpcHandler>) -> bool {
        self.inner.set(handler).is_ok()
    }
}

impl RpcHandler for LateHandler {
    fn handle(&self, req: RpcRequest) -> BoxFuture<Result<RpcResponse, RpcError>> {
        match self.inner.get() {
            Some(h) => h.handle(req),
            None => Box::pin(async { Err(RpcError::Internal("server is starting".into())) }),
        }
    }
}
