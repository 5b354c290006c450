//! The one entry point for every request, local or arriving over RPC. It routes by **area**
//! and applies the rules that hold for every area, here and nowhere else:
//!
//! 1. **Datacenter** — a request for another datacenter is refused with "No path to
//!    datacenter" (WAN forwarding will go here, in [`Server::check_datacenter`]).
//! 2. **Leader** — a request that needs the leader (writes, default and consistent reads;
//!    [`RpcRequest::needs_leader`]) is forwarded to it from a follower, as Consul's
//!    `forward()`; stale reads are answered here.
//! 3. **ACL** — on the server that serves it, the caller's token is resolved once
//!    ([`Server::resolve_token`], cached per ACL index) and the request's declared
//!    requirement ([`crate::acl_check::AclRequirement`], one file per area) is checked;
//!    the identity joins the [`RequestCtx`] so lists can be filtered.
//! 4. **Consistency** — the read options are derived once into the [`RequestCtx`]
//!    ([`crate::Server::read`] applies the mode).
//!
//! Then the area's own `serve` (`crate::endpoints::<area>::serve`) runs the operation.

use std::sync::Arc;

use crate::endpoints::{
    acl, catalog, health, internal, kv, operator, session, snapshot, status, txn,
};
use crate::rpc::{can_retry, BoxFuture, RpcHandler, RpcRequest, RpcResponse};
use crate::server::RPC_HOLD_TIMEOUT;
use crate::{Identity, QueryOptions, RpcError, Server};

/// What the dispatcher settled for a request before handing it to its area.
#[derive(Debug, Clone)]
pub struct RequestCtx {
    /// The read options (consistency mode, blocking index and wait) of a read; the defaults
    /// for a write.
    pub read: QueryOptions,
    /// Who is asking, resolved from the request's token.
    pub identity: Arc<Identity>,
}

impl RequestCtx {
    /// Whether the caller may see something, by `check` on its authorizer
    /// (for filtering lists).
    pub fn may(&self, check: impl FnOnce(&consul_acl::Authorizer) -> consul_acl::Decision) -> bool {
        check(&self.identity.authz).allowed()
    }
}

impl Server {
    /// Serve `req`: refuse another datacenter, forward it to the leader if it needs one and
    /// we are not it, else run it here.
    pub async fn handle(&self, req: RpcRequest) -> Result<RpcResponse, RpcError> {
        // The token's `Debug` is redacted, so a request can be traced whole.
        tracing::trace!(request = ?req, "rpc: request");
        self.check_datacenter(req.datacenter())?;
        if !req.needs_leader() {
            return self.serve_here(req).await;
        }
        let start = std::time::Instant::now();
        loop {
            if self.is_leader() {
                return self.serve_here(req).await;
            }
            self.hold_for_leader().await?;
            let Some(leader) = self.leader_addr().filter(|_| !self.is_leader()) else {
                continue;
            };
            let addr = leader
                .parse()
                .map_err(|_| RpcError::Internal(format!("bad leader address {leader}")))?;
            match self
                .pool()
                .call_with_hold(addr, &req, RPC_HOLD_TIMEOUT)
                .await
            {
                Ok(resp) => return Ok(resp),
                // The leader we knew is gone or deposed: like Consul's
                // forward(), try again once another leader is known, while
                // rpc_hold_timeout lasts.
                Err(e) if can_retry(&req, &e) && start.elapsed() < RPC_HOLD_TIMEOUT => {
                    tracing::debug!(%leader, error = %e, "rpc: forward to leader failed; retrying");
                    self.leader_moved_from(&leader).await;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// The datacenter rule: "" and our own are served; any other has no path until WAN
    /// federation forwards it.
    fn check_datacenter(&self, dc: &str) -> Result<(), RpcError> {
        if !dc.is_empty() && dc != self.config().datacenter {
            return Err(RpcError::NoPathToDatacenter);
        }
        Ok(())
    }

    /// Wait until the known leader is no longer `old` (or a short jitter passed).
    async fn leader_moved_from(&self, old: &str) {
        let jitter = rand::random::<u64>() % (RPC_HOLD_TIMEOUT / 16).as_millis().max(1) as u64;
        let mut metrics = self.raft().metrics();
        let moved = async {
            while self.leader_addr().as_deref() == Some(old) {
                if metrics.changed().await.is_err() {
                    std::future::pending::<()>().await;
                }
            }
        };
        let _ = tokio::time::timeout(std::time::Duration::from_millis(jitter.max(10)), moved).await;
    }

    /// Run `req` on this server: resolve its token, derive its read options, and hand it to
    /// its area.
    async fn serve_here(&self, req: RpcRequest) -> Result<RpcResponse, RpcError> {
        let required = req.acl_requirement();
        let identity = if required.is_some_and(|r| !r.resolves_token()) {
            Arc::new(Identity::unrestricted())
        } else {
            self.resolve_token(req.token())?
        };
        if let Some(required) = required {
            required.check_acl(&identity, &self.config().acl)?;
        }
        let ctx = RequestCtx {
            read: req
                .query_options()
                .map(|q| q.to_options())
                .unwrap_or_default(),
            identity,
        };
        match req {
            RpcRequest::Raft(_) => Err(RpcError::BadRequest(
                "raft traffic goes to the raft channel".into(),
            )),
            RpcRequest::Status(r) => status::serve(self, &ctx, r).await,
            RpcRequest::Kv(r) => kv::serve(self, &ctx, r).await,
            RpcRequest::Catalog(r) => catalog::serve(self, &ctx, r).await,
            RpcRequest::Health(r) => health::serve(self, &ctx, r).await,
            RpcRequest::Operator(r) => operator::serve(self, &ctx, r).await,
            RpcRequest::Internal(r) => internal::serve(self, &ctx, r).await,
            RpcRequest::Session(r) => session::serve(self, &ctx, r).await,
            RpcRequest::Txn(r) => txn::serve(self, &ctx, r).await,
            RpcRequest::Acl(r) => acl::serve(self, &ctx, r).await,
            RpcRequest::Snapshot(r) => snapshot::serve(self, &ctx, r).await,
        }
    }
}

impl RpcHandler for Server {
    fn handle(&self, req: RpcRequest) -> BoxFuture<Result<RpcResponse, RpcError>> {
        let server = self.clone();
        Box::pin(async move { server.handle(req).await })
    }
}
