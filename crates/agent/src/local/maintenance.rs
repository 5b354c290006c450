//! Maintenance mode of the node and of local services: a critical check
//! (`_node_maintenance`, `_service_maintenance:<id>`) that takes them out of
//! DNS and `?passing` answers until it is turned off.

use std::sync::Arc;

use consul_types::catalog::{status, HealthCheck};

use super::LocalError;
use crate::agent::Agent;

/// Id of the node maintenance check.
pub const NODE_MAINT_CHECK: &str = "_node_maintenance";
/// Prefix of service maintenance check ids.
pub const SERVICE_MAINT_PREFIX: &str = "_service_maintenance:";

const NODE_DEFAULT_REASON: &str =
    "Maintenance mode is enabled for this node, but no reason was provided. This is a default message.";
const SERVICE_DEFAULT_REASON: &str =
    "Maintenance mode is enabled for this service, but no reason was provided. This is a default message.";

/// Turn node maintenance on (with `reason`, or Consul's default text) or off.
pub async fn set_node(
    agent: &Arc<Agent>,
    enable: bool,
    reason: Option<&str>,
) -> Result<(), LocalError> {
    if !enable {
        if agent.local().remove_check(NODE_MAINT_CHECK) {
            agent.deregister_check(NODE_MAINT_CHECK).await?;
        }
        return Ok(());
    }
    let check = HealthCheck {
        node: agent.info().node_name.clone(),
        check_id: NODE_MAINT_CHECK.into(),
        name: "Node Maintenance Mode".into(),
        notes: reason.unwrap_or(NODE_DEFAULT_REASON).into(),
        status: status::CRITICAL.into(),
        check_type: "maintenance".into(),
        ..Default::default()
    };
    agent.local().add_check(check.clone(), None);
    agent.sync_check(&check).await?;
    Ok(())
}

/// Turn maintenance of local service `id` on or off.
pub async fn set_service(
    agent: &Arc<Agent>,
    id: &str,
    enable: bool,
    reason: Option<&str>,
) -> Result<(), LocalError> {
    let Some(svc) = agent.local().service(id) else {
        return Err(LocalError::NotFound(format!(
            "No service registered with ID {id:?}"
        )));
    };
    let check_id = format!("{SERVICE_MAINT_PREFIX}{id}");
    if !enable {
        if agent.local().remove_check(&check_id) {
            agent.deregister_check(&check_id).await?;
        }
        return Ok(());
    }
    let check = HealthCheck {
        node: agent.info().node_name.clone(),
        check_id,
        name: "Service Maintenance Mode".into(),
        notes: reason.unwrap_or(SERVICE_DEFAULT_REASON).into(),
        status: status::CRITICAL.into(),
        service_id: svc.id.clone(),
        service_name: svc.service.clone(),
        service_tags: svc.tags.clone(),
        check_type: "maintenance".into(),
        ..Default::default()
    };
    agent.local().add_check(check.clone(), None);
    agent.sync_check(&check).await?;
    Ok(())
}
