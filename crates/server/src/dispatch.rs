//! One typed entry point for every request, local or arriving over RPC:
//! requests that must run on the leader (writes, default and consistent
//! reads) are forwarded to it when this server is a follower, exactly as
//! Consul's `forward()` does; stale reads are answered here. The work itself
//! is the same `endpoints::*` code either way.

use crate::endpoints::{catalog, health, kv, operator, status};
use crate::rpc::can_retry;
use crate::rpc::{
    BoxFuture, CatalogRpc, HealthRpc, IndexedCheckServiceNodes, IndexedDirEntries,
    IndexedHealthChecks, IndexedKeyList, IndexedNodeServices, IndexedNodes, IndexedServiceNodes,
    IndexedServices, KvRpc, OperatorRpc, RpcHandler, RpcRequest, RpcResponse, StatusRpc,
};
use crate::server::RPC_HOLD_TIMEOUT;
use crate::{RpcError, Server};

fn meta_filters(m: &std::collections::BTreeMap<String, String>) -> Vec<(String, String)> {
    m.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

/// Whether `req` must be served by the leader.
fn needs_leader(req: &RpcRequest) -> bool {
    match req {
        RpcRequest::Raft(_) | RpcRequest::Status(_) => false,
        RpcRequest::Kv(KvRpc::Apply(_)) => true,
        RpcRequest::Catalog(CatalogRpc::Register(_) | CatalogRpc::Deregister(_)) => true,
        RpcRequest::Catalog(CatalogRpc::ListDatacenters) => false,
        RpcRequest::Operator(OperatorRpc::RaftGetConfiguration(r)) => !r.query_options.allow_stale,
        RpcRequest::Operator(_) => true,
        other => other.query_options().is_some_and(|q| !q.allow_stale),
    }
}

impl Server {
    /// Serve `req`: forward it to the leader if it needs one and we are not
    /// it, else run it here.
    pub async fn handle(&self, req: RpcRequest) -> Result<RpcResponse, RpcError> {
        if !needs_leader(&req) {
            return self.handle_local(req).await;
        }
        let start = std::time::Instant::now();
        loop {
            if self.is_leader() {
                return self.handle_local(req).await;
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

    /// Run `req` on this server.
    pub async fn handle_local(&self, req: RpcRequest) -> Result<RpcResponse, RpcError> {
        match req {
            RpcRequest::Raft(_) => Err(RpcError::BadRequest(
                "raft traffic goes to the raft channel".into(),
            )),
            RpcRequest::Status(StatusRpc::Ping) => Ok(RpcResponse::Empty),
            RpcRequest::Status(StatusRpc::Leader) => Ok(RpcResponse::String(status::leader(self))),
            RpcRequest::Status(StatusRpc::Peers) => Ok(RpcResponse::Strings(status::peers(self))),
            RpcRequest::Status(StatusRpc::RaftStats) => {
                Ok(RpcResponse::RaftStats(operator::raft_stats(self)))
            }
            RpcRequest::Operator(r) => self.handle_operator(r).await,
            RpcRequest::Kv(r) => self.handle_kv(r).await,
            RpcRequest::Catalog(r) => self.handle_catalog(r).await,
            RpcRequest::Health(r) => self.handle_health(r).await,
        }
    }

    async fn handle_kv(&self, req: KvRpc) -> Result<RpcResponse, RpcError> {
        match req {
            KvRpc::Apply(r) => {
                check_dc(self, &r.datacenter)?;
                Ok(RpcResponse::Bool(kv::apply(self, r.to_kv_request()).await?))
            }
            KvRpc::Get(r) => {
                let opts = r.query_options.to_options(&r.datacenter);
                let (meta, entry) = kv::get(self, &opts, &r.key).await?;
                Ok(RpcResponse::DirEntries(IndexedDirEntries {
                    entries: entry.into_iter().collect(),
                    query_meta: meta.into(),
                }))
            }
            KvRpc::List(r) => {
                let opts = r.query_options.to_options(&r.datacenter);
                let (meta, entries) = kv::list(self, &opts, &r.key).await?;
                Ok(RpcResponse::DirEntries(IndexedDirEntries {
                    entries,
                    query_meta: meta.into(),
                }))
            }
            KvRpc::ListKeys(r) => {
                let opts = r.query_options.to_options(&r.datacenter);
                let (meta, keys) = kv::keys(self, &opts, &r.prefix, &r.seperator).await?;
                Ok(RpcResponse::KeyList(IndexedKeyList {
                    keys,
                    query_meta: meta.into(),
                }))
            }
        }
    }

    async fn handle_catalog(&self, req: CatalogRpc) -> Result<RpcResponse, RpcError> {
        match req {
            CatalogRpc::Register(r) => catalog::register(self, *r)
                .await
                .map(|_| RpcResponse::Bool(true)),
            CatalogRpc::Deregister(r) => catalog::deregister(self, r)
                .await
                .map(|_| RpcResponse::Bool(true)),
            CatalogRpc::ListDatacenters => Ok(RpcResponse::Strings(catalog::datacenters(self))),
            CatalogRpc::ListNodes(r) => {
                let opts = r.query_options.to_options(&r.datacenter);
                let (meta, nodes) =
                    catalog::nodes(self, &opts, &meta_filters(&r.node_meta_filters)).await?;
                Ok(RpcResponse::Nodes(IndexedNodes {
                    nodes,
                    query_meta: meta.into(),
                }))
            }
            CatalogRpc::ListServices(r) => {
                let opts = r.query_options.to_options(&r.datacenter);
                let (meta, services) =
                    catalog::services(self, &opts, &meta_filters(&r.node_meta_filters)).await?;
                Ok(RpcResponse::Services(IndexedServices {
                    services,
                    query_meta: meta.into(),
                }))
            }
            CatalogRpc::ServiceNodes(r) => {
                let opts = r.query_options.to_options(&r.datacenter);
                let filters = meta_filters(&r.node_meta_filters);
                let (meta, nodes) =
                    catalog::service_nodes(self, &opts, &r.service_name, &r.service_tags, &filters)
                        .await?;
                Ok(RpcResponse::ServiceNodes(IndexedServiceNodes {
                    service_nodes: nodes,
                    query_meta: meta.into(),
                }))
            }
            CatalogRpc::NodeServices(r) => {
                let opts = r.query_options.to_options(&r.datacenter);
                let (meta, ns) = catalog::node_services(self, &opts, &r.node).await?;
                Ok(RpcResponse::NodeServices(IndexedNodeServices {
                    node_services: ns,
                    query_meta: meta.into(),
                }))
            }
        }
    }

    async fn handle_health(&self, req: HealthRpc) -> Result<RpcResponse, RpcError> {
        match req {
            HealthRpc::NodeChecks(r) => {
                let opts = r.query_options.to_options(&r.datacenter);
                let (meta, checks) = health::node_checks(self, &opts, &r.node).await?;
                Ok(RpcResponse::HealthChecks(IndexedHealthChecks {
                    health_checks: checks,
                    query_meta: meta.into(),
                }))
            }
            HealthRpc::ServiceChecks(r) => {
                let opts = r.query_options.to_options(&r.datacenter);
                let filters = meta_filters(&r.node_meta_filters);
                let (meta, checks) =
                    health::service_checks(self, &opts, &r.service_name, &filters).await?;
                Ok(RpcResponse::HealthChecks(IndexedHealthChecks {
                    health_checks: checks,
                    query_meta: meta.into(),
                }))
            }
            HealthRpc::ChecksInState(r) => {
                let opts = r.query_options.to_options(&r.datacenter);
                let filters = meta_filters(&r.node_meta_filters);
                let (meta, checks) =
                    health::checks_in_state(self, &opts, &r.state, &filters).await?;
                Ok(RpcResponse::HealthChecks(IndexedHealthChecks {
                    health_checks: checks,
                    query_meta: meta.into(),
                }))
            }
            HealthRpc::ServiceNodes(r) => {
                let opts = r.query_options.to_options(&r.datacenter);
                let filters = meta_filters(&r.node_meta_filters);
                let (meta, nodes) = health::service_nodes(
                    self,
                    &opts,
                    &r.service_name,
                    &r.service_tags,
                    &filters,
                    r.passing_only,
                )
                .await?;
                Ok(RpcResponse::CheckServiceNodes(IndexedCheckServiceNodes {
                    nodes,
                    query_meta: meta.into(),
                }))
            }
        }
    }
}

impl Server {
    async fn handle_operator(&self, req: OperatorRpc) -> Result<RpcResponse, RpcError> {
        match req {
            OperatorRpc::RaftGetConfiguration(r) => {
                check_dc(self, &r.datacenter)?;
                Ok(RpcResponse::RaftConfiguration(
                    operator::raft_configuration(self),
                ))
            }
            OperatorRpc::RaftRemovePeerById(r) => {
                check_dc(self, &r.datacenter)?;
                operator::remove_peer_by_id(self, &r.id).await?;
                Ok(RpcResponse::Empty)
            }
            OperatorRpc::RaftRemovePeerByAddress(r) => {
                check_dc(self, &r.datacenter)?;
                operator::remove_peer_by_address(self, &r.address).await?;
                Ok(RpcResponse::Empty)
            }
            OperatorRpc::AutopilotGetConfiguration(r) => {
                check_dc(self, &r.datacenter)?;
                Ok(RpcResponse::AutopilotConfig(
                    operator::autopilot_get_config(self),
                ))
            }
            OperatorRpc::AutopilotSetConfiguration(r) => {
                check_dc(self, &r.datacenter)?;
                Ok(RpcResponse::Bool(operator::autopilot_set_config(
                    self, r.config, r.cas,
                )))
            }
            OperatorRpc::ServerHealth(r) => {
                check_dc(self, &r.datacenter)?;
                Ok(RpcResponse::OperatorHealth(
                    operator::server_health(self).await?,
                ))
            }
        }
    }
}

fn check_dc(server: &Server, dc: &str) -> Result<(), RpcError> {
    if !dc.is_empty() && dc != server.config().datacenter {
        return Err(RpcError::NoPathToDatacenter);
    }
    Ok(())
}

impl RpcHandler for Server {
    fn handle(&self, req: RpcRequest) -> BoxFuture<Result<RpcResponse, RpcError>> {
        let server = self.clone();
        Box::pin(async move { server.handle(req).await })
    }
}
