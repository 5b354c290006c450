//! Turning check definitions into catalog checks, with Consul's defaults for
//! ids, names and initial status.

use consul_types::agent::{CheckDefinition, ServiceDefinition};
use consul_types::catalog::{status, HealthCheck, NodeService};
use consul_types::duration::format_go_duration;

/// Check output is kept up to this many bytes (Consul's `checks.DefaultBufSize`).
pub const MAX_OUTPUT_BYTES: usize = 4096;

/// Why a definition is rejected (the text Consul answers with a 400).
pub type DefinitionError = String;

/// Build the catalog check for a standalone check definition.
pub fn check_from_definition(
    node: &str,
    def: &CheckDefinition,
    service: Option<&NodeService>,
) -> Result<HealthCheck, DefinitionError> {
    if def.name.is_empty() {
        return Err("Missing check name".into());
    }
    let mut check = build(node, check_id_of(def), def.name.clone(), def, service)?;
    // Consul's standalone checks show their interval even when there is
    // none ("0s"); service checks leave it empty.
    check.interval = format_go_duration(def.interval.unwrap_or_default());
    Ok(check)
}

/// The id a standalone check registers under: the given id, else its name.
pub fn check_id_of(def: &CheckDefinition) -> String {
    if def.given_id().is_empty() {
        def.name.clone()
    } else {
        def.given_id().to_string()
    }
}

/// Build the checks of a service definition: ids `service:<id>` (one check)
/// or `service:<id>:<n>` (several), names `Service '<name>' check`.
pub fn service_checks_from_definition(
    node: &str,
    def: &ServiceDefinition,
    service: &NodeService,
) -> Result<Vec<HealthCheck>, DefinitionError> {
    let defs: Vec<&CheckDefinition> = def.check.iter().chain(def.checks.iter()).collect();
    let many = defs.len() > 1;
    defs.iter()
        .enumerate()
        .map(|(i, c)| {
            let id = match (c.given_id().is_empty(), many) {
                (false, _) => c.given_id().to_string(),
                (true, false) => format!("service:{}", service.id),
                (true, true) => format!("service:{}:{}", service.id, i + 1),
            };
            let name = if c.name.is_empty() {
                format!("Service '{}' check", service.service)
            } else {
                c.name.clone()
            };
            build(node, id, name, c, Some(service))
        })
        .collect()
}

fn build(
    node: &str,
    id: String,
    name: String,
    def: &CheckDefinition,
    service: Option<&NodeService>,
) -> Result<HealthCheck, DefinitionError> {
    let initial = if def.status.is_empty() {
        status::CRITICAL.to_string()
    } else {
        def.status.clone()
    };
    if !status::is_valid(&initial) {
        return Err(format!("Invalid check status: {:?}", def.status));
    }
    let kind = def.kind();
    if kind.is_empty() {
        return Err("Invalid check: must specify one of TTL, HTTP, TCP, UDP, gRPC, H2PING, Args, DockerContainerID or alias".into());
    }
    Ok(HealthCheck {
        node: node.to_string(),
        check_id: id,
        name,
        status: initial,
        notes: def.notes.clone(),
        output: String::new(),
        service_id: service.map(|s| s.id.clone()).unwrap_or_default(),
        service_name: service.map(|s| s.service.clone()).unwrap_or_default(),
        service_tags: service.map(|s| s.tags.clone()).unwrap_or_default(),
        check_type: kind.to_string(),
        interval: def.interval.map(format_go_duration).unwrap_or_default(),
        timeout: def.timeout.map(format_go_duration).unwrap_or_default(),
        ..Default::default()
    })
}
