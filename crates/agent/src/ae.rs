//! Anti-entropy: the agent owns its node's entry in the catalog. Every change
//! is pushed at once (see `Agent::sync_*`); in addition, a full sync every
//! `ae_interval` (plus a random stagger scaled by cluster size, as Consul
//! does) compares the catalog with local state and repairs the difference:
//! services and checks edited or added directly in the catalog for this node
//! are reverted, missing ones are registered again. The server's own `consul`
//! service and the `serfHealth` check belong to the leader and are left alone.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use consul_server::endpoints::catalog::CatalogRpc;
use consul_server::endpoints::health::HealthRpc;
use consul_server::rpc::{NodeSpecificRequest, RpcRequest};
use consul_server::RpcError;
use consul_types::catalog::{HealthCheck, NodeService, CONSUL_SERVICE, SERF_CHECK_ID};
use rand::Rng;

use crate::Agent;

/// Above this many nodes the stagger grows (Consul's `scaleThreshold`).
const SCALE_THRESHOLD: usize = 128;

/// Consul's stagger scale: 1 up to 128 nodes, then ceil(log2(n) − log2(128)) + 1.
pub fn scale_factor(nodes: usize) -> u32 {
    if nodes <= SCALE_THRESHOLD {
        return 1;
    }
    ((nodes as f64).log2() - (SCALE_THRESHOLD as f64).log2()).ceil() as u32 + 1
}

/// What a full sync changed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SyncReport {
    /// The node itself (address, tagged addresses, metadata) was registered.
    pub node_synced: bool,
    /// Services (re-)registered.
    pub services_synced: usize,
    /// Services removed from the catalog.
    pub services_removed: usize,
    /// Checks (re-)registered.
    pub checks_synced: usize,
    /// Checks removed from the catalog.
    pub checks_removed: usize,
}

fn same_service(local: &NodeService, remote: &NodeService) -> bool {
    local.service == remote.service
        && local.tags == remote.tags
        && local.address == remote.address
        && local.port == remote.port
        && local.meta == remote.meta
        && local.weights == remote.weights
        && local.enable_tag_override == remote.enable_tag_override
}

fn same_check(local: &HealthCheck, remote: &HealthCheck) -> bool {
    local.name == remote.name
        && local.status == remote.status
        && local.notes == remote.notes
        && local.output == remote.output
        && local.service_id == remote.service_id
}

/// Compare the catalog's view of this node with local state and repair it.
pub async fn full_sync(agent: &Arc<Agent>) -> Result<SyncReport, RpcError> {
    let node = agent.info().node_name.clone();
    let req = NodeSpecificRequest {
        node: node.clone(),
        ..Default::default()
    };
    let remote_node = agent
        .rpc(RpcRequest::Catalog(CatalogRpc::NodeServices(req.clone())))
        .await?
        .into_node_services()
        .map_err(RpcError::from)?
        .node_services;
    let remote_checks = agent
        .rpc(RpcRequest::Health(HealthRpc::NodeChecks(req)))
        .await?
        .into_health_checks()
        .map_err(RpcError::from)?
        .health_checks;
    let mut report = SyncReport::default();
    let node_in_sync = remote_node
        .as_ref()
        .is_some_and(|n| agent.node_matches(&n.node));
    if !node_in_sync {
        agent.sync_node().await?;
        report.node_synced = true;
    }
    let remote_services: BTreeMap<String, NodeService> =
        remote_node.map(|n| n.services).unwrap_or_default();
    let remote_checks: BTreeMap<String, HealthCheck> = remote_checks
        .into_iter()
        .map(|c| (c.check_id.clone(), c))
        .collect();

    for (id, mut svc) in agent.local().services() {
        match remote_services.get(&id) {
            // With tag override, tags edited in the catalog win and are adopted locally.
            Some(remote) if svc.enable_tag_override && remote.tags != svc.tags => {
                svc.tags = remote.tags.clone();
                agent.local().add_service(svc.clone());
                if !same_service(&svc, remote) {
                    agent.sync_service(&svc).await?;
                    report.services_synced += 1;
                }
            }
            Some(remote) if same_service(&svc, remote) => {}
            _ => {
                agent.sync_service(&svc).await?;
                report.services_synced += 1;
            }
        }
    }
    let local_services = agent.local().services();
    for id in remote_services.keys() {
        if id != CONSUL_SERVICE && !local_services.contains_key(id) {
            agent.deregister_service(id).await?;
            report.services_removed += 1;
        }
    }

    let local_checks = agent.local().checks();
    for (id, check) in &local_checks {
        match remote_checks.get(id) {
            Some(remote) if same_check(check, remote) => {}
            _ => {
                agent.sync_check(check).await?;
                report.checks_synced += 1;
            }
        }
    }
    for id in remote_checks.keys() {
        if id != SERF_CHECK_ID && !local_checks.contains_key(id) {
            // A check that went with a just-removed service is already gone.
            if agent.deregister_check(id).await.is_ok() {
                report.checks_removed += 1;
            }
        }
    }
    Ok(report)
}

/// After a failed full sync, the next try comes this soon (plus up to as much
/// again at random), until one succeeds. Consul waits 15 s; a client agent
/// that has just joined would then lack its node metadata in the catalog for
/// that long.
const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(1);

/// Run full syncs forever: the first at once (as Consul's state syncer
/// starts), retried quickly until it succeeds, then every `interval` plus a
/// stagger.
pub async fn run(agent: Arc<Agent>, interval: Duration) {
    let mut wait = Duration::ZERO;
    loop {
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = agent.shutdown_requested() => return,
        }
        let ok = match full_sync(&agent).await {
            Ok(r) => {
                if r != SyncReport::default() {
                    tracing::info!(?r, "agent: anti-entropy synced the catalog");
                }
                true
            }
            Err(e) => {
                tracing::debug!(error = %e, "agent: anti-entropy sync failed; retrying");
                false
            }
        };
        wait = if ok {
            // Consul scales by the LAN pool's size.
            let nodes = agent.lan().members().await.map_or(1, |m| m.len());
            let spread = interval * scale_factor(nodes);
            interval
                + rand::thread_rng().gen_range(Duration::ZERO..spread.max(Duration::from_millis(1)))
        } else {
            RETRY_AFTER_FAILURE + rand::thread_rng().gen_range(Duration::ZERO..RETRY_AFTER_FAILURE)
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stagger_scales_like_consul() {
        assert_eq!(scale_factor(1), 1);
        assert_eq!(scale_factor(128), 1);
        assert_eq!(scale_factor(129), 2);
        assert_eq!(scale_factor(256), 2);
        assert_eq!(scale_factor(257), 3);
        assert_eq!(scale_factor(512), 3);
        assert_eq!(scale_factor(4096), 6);
    }
}
