//! Consul's service reaper: a service whose check has been critical for
//! longer than the check's `deregister_critical_service_after` is removed
//! from the agent and the catalog.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::Agent;

/// Reap every `interval` until shutdown.
pub async fn run(agent: Arc<Agent>, interval: Duration) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(interval) => {}
            _ = agent.shutdown_requested() => return,
        }
        reap(&agent).await;
    }
}

/// Remove the services that are due now.
pub async fn reap(agent: &Agent) {
    for (service, check) in agent.local().services_to_reap(Instant::now()) {
        if agent.local().remove_service(&service).is_none() {
            continue;
        }
        if let Some(p) = agent.local().persist() {
            p.remove_service(&service);
        }
        tracing::info!(
            check = %check,
            service = %service,
            "agent: Check for service has been critical for too long; deregistered service"
        );
        if let Err(e) = agent.deregister_service(&service).await {
            // Anti-entropy removes it from the catalog later.
            tracing::warn!(service = %service, error = %e, "agent: failed to deregister reaped service");
        }
    }
}
