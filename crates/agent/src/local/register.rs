//! The agent's domain operations on its local state: registering and
//! removing services and checks (from the HTTP API, config files or the
//! persisted registrations of a previous run), keeping local state, the
//! catalog, probes and TTL timers in step.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use consul_server::RpcError;
use consul_types::agent::{CheckDefinition, ServiceDefinition};
use consul_types::catalog::{NodeService, ServiceAddress};

use super::{check_from_definition, service_checks_from_definition};
use crate::agent::Agent;

/// Why a registration was refused or could not be completed.
#[derive(Debug, thiserror::Error)]
pub enum LocalError {
    /// The definition is invalid (the message is Consul's).
    #[error("{0}")]
    Invalid(String),
    /// The service or check does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The registration could not be kept under the data dir.
    #[error("{0}")]
    Persist(String),
    /// The catalog refused it or could not be reached.
    #[error("{0}")]
    Rpc(#[from] RpcError),
}

/// Where a definition came from: script checks need `enable_script_checks`
/// from the API, either that or `enable_local_script_checks` from files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The HTTP API (or a persisted API registration).
    Api,
    /// A config file.
    File,
}

/// The instance id a service definition registers under.
pub fn service_id(def: &ServiceDefinition) -> String {
    if def.id.is_empty() {
        def.name.clone()
    } else {
        def.id.clone()
    }
}

/// A service's tagged addresses with the ones Consul's agent adds: when the
/// service's own address is an IP, `lan_ipv4` and `wan_ipv4` (or `_ipv6`)
/// with that address and the service port, unless given.
pub fn with_default_tagged_addresses(def: &ServiceDefinition) -> BTreeMap<String, ServiceAddress> {
    let mut out = def.tagged_addresses.clone();
    let keys = match def.address.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(_)) => ["lan_ipv4", "wan_ipv4"],
        Ok(std::net::IpAddr::V6(_)) => ["lan_ipv6", "wan_ipv6"],
        Err(_) => return out,
    };
    for key in keys {
        out.entry(key.to_string())
            .or_insert_with(|| ServiceAddress {
                address: def.address.clone(),
                port: def.port,
            });
    }
    out
}

/// A check's `deregister_critical_service_after`, raised to the agent's
/// minimum (Consul: 1m) with a warning.
fn deregister_after(agent: &Agent, def: &CheckDefinition) -> Option<Duration> {
    let after = def.deregister_critical_service_after?;
    let min = agent.info().check_deregister_interval_min;
    if after < min {
        tracing::warn!(
            check = %def.name,
            "agent: deregister_critical_service_after is below the minimum of {min:?}; raising"
        );
        return Some(min);
    }
    Some(after)
}

fn scripts_allowed(agent: &Agent, source: Source) -> bool {
    let info = agent.info();
    info.enable_script_checks || (source == Source::File && info.enable_local_script_checks)
}

/// Add a service and its checks to local state and the catalog, and start
/// their probes.
pub async fn register_service(
    agent: &Arc<Agent>,
    def: ServiceDefinition,
    source: Source,
) -> Result<(), LocalError> {
    if def.name.is_empty() {
        return Err(LocalError::Invalid("Missing service name".into()));
    }
    let svc = NodeService {
        kind: def.kind.clone(),
        id: service_id(&def),
        service: def.name.clone(),
        tags: def.tags.clone(),
        address: def.address.clone(),
        tagged_addresses: with_default_tagged_addresses(&def),
        meta: def.meta.clone(),
        port: def.port,
        weights: def.weights.unwrap_or_default(),
        enable_tag_override: def.enable_tag_override,
        proxy: def.proxy.clone(),
        connect: def.connect.clone(),
        ..Default::default()
    };
    let node = agent.info().node_name.clone();
    let checks = service_checks_from_definition(&node, &def, &svc).map_err(LocalError::Invalid)?;
    let defs: Vec<&CheckDefinition> = def.check.iter().chain(def.checks.iter()).collect();
    let ttls: Vec<_> = defs.iter().map(|c| c.ttl).collect();
    let reap_after: Vec<_> = defs.iter().map(|c| deregister_after(agent, c)).collect();
    let mut specs = Vec::new();
    for (check, d) in checks.iter().zip(&defs) {
        let allowed = scripts_allowed(agent, source);
        if let Some(spec) = crate::checks::spec_from_definition(&check.check_id, d, allowed)
            .map_err(LocalError::Invalid)?
        {
            specs.push(spec);
        }
    }
    // Replacing a service drops the checks it had before.
    if let Some(old) = agent.local().remove_service(&svc.id) {
        for cid in old
            .iter()
            .filter(|cid| !checks.iter().any(|c| &&c.check_id == cid))
        {
            agent.deregister_check(cid).await?;
        }
    }
    agent.local().add_service(svc.clone());
    for ((check, ttl), reap) in checks.into_iter().zip(ttls).zip(reap_after) {
        let id = check.check_id.clone();
        let generation = agent.local().add_check(check, ttl);
        if let Some(after) = reap {
            agent.local().set_deregister_after(&id, after);
        }
        if let Some(ttl) = ttl {
            agent.arm_ttl(id, ttl, generation);
        }
    }
    agent.sync_service(&svc).await?;
    for spec in specs {
        agent.start_monitor(spec);
    }
    Ok(())
}

/// Add a standalone check (of the node, or bound to a local service) to local
/// state and the catalog and start its probe; returns its id.
pub async fn register_check(
    agent: &Arc<Agent>,
    def: &CheckDefinition,
    source: Source,
) -> Result<String, LocalError> {
    let service = if def.service_id.is_empty() {
        None
    } else {
        Some(agent.local().service(&def.service_id).ok_or_else(|| {
            LocalError::Invalid(format!("ServiceID {:?} does not exist", def.service_id))
        })?)
    };
    let node = agent.info().node_name.clone();
    let check = check_from_definition(&node, def, service.as_ref()).map_err(LocalError::Invalid)?;
    let id = check.check_id.clone();
    let allowed = scripts_allowed(agent, source);
    let spec =
        crate::checks::spec_from_definition(&id, def, allowed).map_err(LocalError::Invalid)?;
    let generation = agent.local().add_check(check.clone(), def.ttl);
    if let Some(after) = deregister_after(agent, def) {
        agent.local().set_deregister_after(&id, after);
    }
    if let Some(ttl) = def.ttl {
        agent.arm_ttl(id.clone(), ttl, generation);
    }
    agent.sync_check(&check).await?;
    if let Some(spec) = spec {
        agent.start_monitor(spec);
    }
    Ok(id)
}

/// Remove a local service (and its checks) from local state, the data dir and
/// the catalog.
pub async fn deregister_service(agent: &Arc<Agent>, id: &str) -> Result<(), LocalError> {
    if agent.local().remove_service(id).is_none() {
        return Err(LocalError::NotFound(format!(
            "Unknown service ID {id:?}. Ensure that the service ID is passed, not the service name."
        )));
    }
    if let Some(p) = agent.local().persist() {
        p.remove_service(id);
    }
    agent.deregister_service(id).await?;
    Ok(())
}

/// Remove a local check from local state, the data dir and the catalog.
pub async fn deregister_check(agent: &Arc<Agent>, id: &str) -> Result<(), LocalError> {
    if !agent.local().remove_check(id) {
        return Err(unknown_check(id));
    }
    if let Some(p) = agent.local().persist() {
        p.remove_check(id);
    }
    agent.deregister_check(id).await?;
    Ok(())
}

/// Consul's answer for a check id this agent does not have.
pub fn unknown_check(id: &str) -> LocalError {
    LocalError::NotFound(format!(
        "Unknown check ID {id:?}. Ensure that the check ID is passed, not the check name."
    ))
}

/// Register a service through the API and keep it (with the `token` it was
/// registered with) under the data dir.
pub async fn register_api_service(
    agent: &Arc<Agent>,
    def: ServiceDefinition,
    token: &str,
) -> Result<(), LocalError> {
    register_service(agent, def.clone(), Source::Api).await?;
    if let Some(p) = agent.local().persist() {
        p.save_service(&service_id(&def), &def, token)
            .map_err(|e| LocalError::Persist(format!("failed to persist service: {e}")))?;
    }
    Ok(())
}

/// Register a check through the API and keep it (with the `token` it was
/// registered with) under the data dir.
pub async fn register_api_check(
    agent: &Arc<Agent>,
    def: &CheckDefinition,
    token: &str,
) -> Result<(), LocalError> {
    let id = register_check(agent, def, Source::Api).await?;
    if let Some(p) = agent.local().persist() {
        p.save_check(&id, def, token)
            .map_err(|e| LocalError::Persist(format!("failed to persist check: {e}")))?;
    }
    Ok(())
}

/// Make the services and node-level checks defined in config files the ones
/// this agent runs: register every definition, and remove those an earlier
/// load registered that are no longer defined (a reload).
pub async fn apply_file_definitions(
    agent: &Arc<Agent>,
    services: Vec<ServiceDefinition>,
    checks: Vec<CheckDefinition>,
) -> Result<(), LocalError> {
    let service_ids: BTreeSet<String> = services.iter().map(service_id).collect();
    let check_ids: BTreeSet<String> = checks.iter().map(super::checks::check_id_of).collect();
    let (old_services, old_checks) = agent.local().take_file_ids();
    for gone in old_checks.difference(&check_ids) {
        if agent.local().remove_check(gone) {
            agent.deregister_check(gone).await?;
        }
    }
    for gone in old_services.difference(&service_ids) {
        if agent.local().remove_service(gone).is_some() {
            agent.deregister_service(gone).await?;
        }
    }
    // Record what files define before registering, so a failure part-way
    // still lets the next reload remove what did get registered.
    agent
        .local()
        .set_file_ids(service_ids.clone(), check_ids.clone());
    for def in services {
        register_service(agent, def, Source::File).await?;
    }
    for def in &checks {
        register_check(agent, def, Source::File).await?;
    }
    Ok(())
}

/// Re-register services and checks that were registered through the API
/// before a restart, each syncing again with the token it was registered
/// with.
pub async fn restore_persisted(agent: &Arc<Agent>) {
    let Some(p) = agent.local().persist().cloned() else {
        return;
    };
    for (def, token) in p.services() {
        agent
            .acl()
            .set_service_token(&service_id(&def), consul_server::rpc::Token::new(token));
        if let Err(e) = register_service(agent, def, Source::Api).await {
            tracing::warn!(error = %e, "agent: failed to restore persisted service");
        }
    }
    for (def, token) in p.checks() {
        if def.service_id.is_empty() {
            let id = super::checks::check_id_of(&def);
            agent
                .acl()
                .set_check_token(&id, consul_server::rpc::Token::new(token));
        }
        if let Err(e) = register_check(agent, &def, Source::Api).await {
            tracing::warn!(error = %e, "agent: failed to restore persisted check");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ip_address_gets_lan_and_wan_tagged_addresses_unless_given() {
        let mut def = ServiceDefinition {
            name: "web".into(),
            address: "10.0.0.7".into(),
            port: 80,
            ..Default::default()
        };
        let tagged = with_default_tagged_addresses(&def);
        assert_eq!(tagged["lan_ipv4"].address, "10.0.0.7");
        assert_eq!(tagged["wan_ipv4"].port, 80);
        assert_eq!(tagged.len(), 2);

        def.tagged_addresses.insert(
            "wan_ipv4".into(),
            ServiceAddress {
                address: "198.18.0.1".into(),
                port: 8080,
            },
        );
        assert_eq!(
            with_default_tagged_addresses(&def)["wan_ipv4"].address,
            "198.18.0.1"
        );

        def.address = "::1".into();
        def.tagged_addresses.clear();
        assert!(with_default_tagged_addresses(&def).contains_key("lan_ipv6"));
        def.address = "db.example".into();
        assert!(with_default_tagged_addresses(&def).is_empty());
        def.address = String::new();
        assert!(with_default_tagged_addresses(&def).is_empty());
    }
}
