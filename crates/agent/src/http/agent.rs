//! `/v1/agent/*`: the local agent's services, checks, identity, membership and
//! lifecycle (reload, leave, maintenance).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::response::Response;
use consul_types::agent::{AgentService, CheckDefinition, ServiceDefinition};
use consul_types::catalog::{status, HealthCheck, NodeService};
use serde_json::json;

use super::catalog::decode_body;
use super::respond::{json, HttpError, HttpResult};
use super::Ctx;
use crate::agent::{Agent, VERSION};
use crate::local::{check_from_definition, service_checks_from_definition, truncate_output};

/// Id of the node maintenance check.
pub const NODE_MAINT_CHECK: &str = "_node_maintenance";
/// Prefix of service maintenance check ids.
pub const SERVICE_MAINT_PREFIX: &str = "_service_maintenance:";

fn empty() -> Response {
    Response::new(axum::body::Body::empty())
}

fn agent_service(agent: &Agent, s: &NodeService) -> AgentService {
    AgentService {
        id: s.id.clone(),
        service: s.service.clone(),
        tags: s.tags.clone(),
        meta: s.meta.clone(),
        port: s.port,
        address: s.address.clone(),
        weights: s.weights,
        enable_tag_override: s.enable_tag_override,
        datacenter: agent.datacenter().to_string(),
        content_hash: String::new(),
    }
}

/// GET /v1/agent/services
pub async fn services(ctx: Ctx) -> HttpResult {
    let agent = ctx.agent.clone();
    let (out, hash) = hash_blocking(&ctx, move || {
        let out: BTreeMap<String, AgentService> = agent
            .local()
            .services()
            .iter()
            .map(|(k, v)| (k.clone(), agent_service(&agent, v)))
            .collect();
        let hash = content_hash(&out);
        Some((out, hash))
    })
    .await?
    .expect("the services map always exists");
    Ok(with_hash(json(&out, ctx.pretty), &hash))
}

/// GET /v1/agent/service/<id>
pub async fn service(ctx: Ctx, id: String) -> HttpResult {
    let agent = ctx.agent.clone();
    let wanted = id.clone();
    let found = hash_blocking(&ctx, move || {
        let svc = agent.local().service(&wanted)?;
        let mut out = agent_service(&agent, &svc);
        out.content_hash = content_hash(&out);
        let hash = out.content_hash.clone();
        Some((out, hash))
    })
    .await?;
    let Some((out, hash)) = found else {
        return Err(HttpError::not_found(format!("unknown service ID: {id}")));
    };
    Ok(with_hash(json(&out, ctx.pretty), &hash))
}

fn with_hash(mut resp: Response, hash: &str) -> Response {
    resp.headers_mut().insert(
        axum::http::HeaderName::from_static("x-consul-contenthash"),
        axum::http::HeaderValue::from_str(hash).expect("hex is a valid header"),
    );
    resp
}

/// Consul's hash-based blocking for agent-local reads: with `?hash=H`, wait
/// (up to `wait`, default 5 min, capped at 10) until the result's hash
/// differs from H, re-reading on every local change.
async fn hash_blocking<T>(
    ctx: &Ctx,
    read: impl Fn() -> Option<(T, String)>,
) -> Result<Option<(T, String)>, HttpError> {
    let opts = ctx.params.query_options()?;
    let Some(want) = ctx
        .params
        .get("hash")
        .filter(|h| !h.is_empty())
        .map(str::to_string)
    else {
        return Ok(read());
    };
    let deadline = tokio::time::Instant::now() + opts.blocking_timeout();
    let mut changes = ctx.agent.local().subscribe();
    loop {
        changes.borrow_and_update();
        let current = read();
        if current.as_ref().is_none_or(|(_, h)| *h != want) {
            return Ok(current);
        }
        if tokio::time::timeout_at(deadline, changes.changed())
            .await
            .is_err()
        {
            return Ok(current);
        }
    }
}

/// A stable hash of a service definition (FNV-1a over its JSON).
fn content_hash<T: serde::Serialize>(value: &T) -> String {
    let bytes = serde_json::to_vec(value).unwrap_or_default();
    let mut h: u64 = 0xcbf29ce484222325;
    for b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x100000001b3);
    }
    format!("{h:016x}")
}

/// GET /v1/agent/checks
pub async fn checks(ctx: Ctx) -> HttpResult {
    Ok(json(&ctx.agent.local().checks(), ctx.pretty))
}

/// PUT /v1/agent/service/register
pub async fn service_register(ctx: Ctx, body: Bytes) -> HttpResult {
    let def: ServiceDefinition = decode_body(&body)?;
    register_service(&ctx.agent, def.clone(), Source::Api).await?;
    if let Some(p) = ctx.agent.local().persist() {
        let id = if def.id.is_empty() {
            &def.name
        } else {
            &def.id
        };
        p.save_service(id, &def)
            .map_err(|e| HttpError::internal(format!("failed to persist service: {e}")))?;
    }
    Ok(empty())
}

/// Where a definition came from: script checks need `enable_script_checks`
/// from the API, either that or `enable_local_script_checks` from files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The HTTP API.
    Api,
    /// A config file.
    File,
}

/// A check's `deregister_critical_service_after`, raised to the agent's
/// minimum (Consul: 1m) with a warning.
fn deregister_after(agent: &Agent, def: &CheckDefinition) -> Option<std::time::Duration> {
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
) -> Result<(), HttpError> {
    if def.name.is_empty() {
        return Err(HttpError::bad_request("Missing service name"));
    }
    let svc = NodeService {
        id: if def.id.is_empty() {
            def.name.clone()
        } else {
            def.id.clone()
        },
        service: def.name.clone(),
        tags: def.tags.clone(),
        address: def.address.clone(),
        meta: def.meta.clone(),
        port: def.port,
        weights: def.weights.unwrap_or_default(),
        enable_tag_override: def.enable_tag_override,
        ..Default::default()
    };
    let node = agent.info().node_name.clone();
    let checks =
        service_checks_from_definition(&node, &def, &svc).map_err(HttpError::bad_request)?;
    let defs: Vec<&CheckDefinition> = def.check.iter().chain(def.checks.iter()).collect();
    let ttls: Vec<_> = defs.iter().map(|c| c.ttl).collect();
    let reap_after: Vec<_> = defs.iter().map(|c| deregister_after(agent, c)).collect();
    let mut specs = Vec::new();
    for (check, d) in checks.iter().zip(&defs) {
        let allowed = scripts_allowed(agent, source);
        if let Some(spec) = crate::checks::spec_from_definition(&check.check_id, d, allowed)
            .map_err(HttpError::bad_request)?
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

/// PUT /v1/agent/service/deregister/<id>
pub async fn service_deregister(ctx: Ctx, id: String) -> HttpResult {
    if ctx.agent.local().remove_service(&id).is_none() {
        return Err(HttpError::not_found(format!("Unknown service ID {id:?}. Ensure that the service ID is passed, not the service name.")));
    }
    if let Some(p) = ctx.agent.local().persist() {
        p.remove_service(&id);
    }
    ctx.agent.deregister_service(&id).await?;
    Ok(empty())
}

/// PUT /v1/agent/check/register
pub async fn check_register(ctx: Ctx, body: Bytes) -> HttpResult {
    let def: CheckDefinition = decode_body(&body)?;
    let id = register_check(&ctx.agent, &def, Source::Api).await?;
    if let Some(p) = ctx.agent.local().persist() {
        p.save_check(&id, &def)
            .map_err(|e| HttpError::internal(format!("failed to persist check: {e}")))?;
    }
    Ok(empty())
}

/// Add a standalone check to local state and the catalog and start its
/// probe; returns its id.
pub async fn register_check(
    agent: &Arc<Agent>,
    def: &CheckDefinition,
    source: Source,
) -> Result<String, HttpError> {
    let service = if def.service_id.is_empty() {
        None
    } else {
        Some(agent.local().service(&def.service_id).ok_or_else(|| {
            HttpError::bad_request(format!("ServiceID {:?} does not exist", def.service_id))
        })?)
    };
    let node = agent.info().node_name.clone();
    let check =
        check_from_definition(&node, def, service.as_ref()).map_err(HttpError::bad_request)?;
    let id = check.check_id.clone();
    let allowed = scripts_allowed(agent, source);
    let spec =
        crate::checks::spec_from_definition(&id, def, allowed).map_err(HttpError::bad_request)?;
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

/// PUT /v1/agent/check/deregister/<id>
pub async fn check_deregister(ctx: Ctx, id: String) -> HttpResult {
    if !ctx.agent.local().remove_check(&id) {
        return Err(unknown_check(&id));
    }
    if let Some(p) = ctx.agent.local().persist() {
        p.remove_check(&id);
    }
    ctx.agent.deregister_check(&id).await?;
    Ok(empty())
}

fn unknown_check(id: &str) -> HttpError {
    HttpError::not_found(format!(
        "Unknown check ID {id:?}. Ensure that the check ID is passed, not the check name."
    ))
}

/// Set a TTL check's status, re-arm its timer and push it to the catalog.
async fn update_check(
    agent: &Arc<Agent>,
    id: &str,
    new_status: &str,
    output: &str,
) -> Result<(), HttpError> {
    let Some(local) = agent.local().check(id) else {
        return Err(unknown_check(id));
    };
    if local.ttl.is_none() {
        return Err(HttpError::internal(format!(
            "CheckID {id:?} does not have associated TTL"
        )));
    }
    let (check, generation) = agent
        .local()
        .update_check(id, new_status, output)
        .ok_or_else(|| unknown_check(id))?;
    if let Some(ttl) = local.ttl {
        agent.arm_ttl(id.to_string(), ttl, generation);
    }
    agent.sync_check(&check).await?;
    Ok(())
}

/// PUT /v1/agent/check/pass|warn|fail/<id>?note=
pub async fn check_status(ctx: Ctx, id: String, new_status: &'static str) -> HttpResult {
    let note = ctx.params.get("note").unwrap_or("").to_string();
    update_check(&ctx.agent, &id, new_status, &note).await?;
    Ok(empty())
}

/// PUT /v1/agent/check/update/<id> with `{"Status": …, "Output": …}`
pub async fn check_update(ctx: Ctx, id: String, body: Bytes) -> HttpResult {
    #[derive(serde::Deserialize, Default)]
    #[serde(rename_all = "PascalCase", default)]
    struct Update {
        status: String,
        output: String,
    }
    let upd: Update = decode_body(&body)?;
    if !status::is_valid(&upd.status) {
        return Err(HttpError::bad_request(format!(
            "Invalid check status: '{}'",
            upd.status
        )));
    }
    update_check(&ctx.agent, &id, &upd.status, &truncate_output(&upd.output)).await?;
    Ok(empty())
}

/// The serf member record of this agent (Consul's `api.AgentMember`), from
/// the LAN pool.
pub async fn self_member(agent: &Agent) -> Result<serde_json::Value, HttpError> {
    match agent.lan().local_member().await {
        Ok(Some(m)) => Ok(crate::lan::member::to_json(&m)),
        Ok(None) => Ok(serde_json::Value::Null),
        Err(e) => Err(HttpError::internal(e.to_string())),
    }
}

/// GET /v1/agent/self
pub async fn self_(ctx: Ctx) -> HttpResult {
    let info = ctx.agent.info();
    let mut meta = BTreeMap::from([("consul-network-segment".to_string(), String::new())]);
    meta.extend(info.node_meta.clone());
    let body = json!({
        "Config": {
            "Datacenter": info.datacenter,
            "PrimaryDatacenter": info.datacenter,
            "NodeName": info.node_name,
            "NodeID": info.node_id,
            "Revision": "",
            "Server": info.server,
            "Version": VERSION,
        },
        "DebugConfig": {
            "Bootstrap": info.bootstrap,
            "BootstrapExpect": info.bootstrap_expect,
            "DevMode": info.dev,
            "KVMaxValueSize": info.kv_max_value_size,
        },
        "Coord": null,
        "Member": self_member(&ctx.agent).await?,
        "Stats": {
            "agent": { "check_monitors": "0", "check_ttls": ctx.agent.local().checks().len().to_string(), "checks": ctx.agent.local().checks().len().to_string(), "services": ctx.agent.local().services().len().to_string() },
            "consul": { "server": info.server.to_string(), "leader": ctx.agent.server().is_some_and(|s| s.is_leader()).to_string(), "known_datacenters": "1" },
            "runtime": { "arch": std::env::consts::ARCH, "os": std::env::consts::OS, "version": "rust" },
        },
        "Meta": meta,
    });
    Ok(json(&body, ctx.pretty))
}

/// GET /v1/agent/members: the LAN pool. `?wan` asks for the WAN pool,
/// which does not exist yet: like a Consul client agent, we answer `[]`.
pub async fn members(ctx: Ctx) -> HttpResult {
    if wan_requested(&ctx) {
        return Ok(json(&Vec::<serde_json::Value>::new(), ctx.pretty));
    }
    let members = ctx
        .agent
        .lan()
        .members()
        .await
        .map_err(|e| HttpError::internal(e.to_string()))?;
    let out: Vec<_> = members.iter().map(crate::lan::member::to_json).collect();
    Ok(json(&out, ctx.pretty))
}

/// `?wan=<anything non-empty>` (Go: `Query().Get("wan") != ""`).
fn wan_requested(ctx: &Ctx) -> bool {
    ctx.params.get("wan").is_some_and(|v| !v.is_empty())
}

/// PUT /v1/agent/join/<addr>[?wan=1]: join the LAN pool through `addr`.
pub async fn join(ctx: Ctx, addr: String) -> HttpResult {
    if wan_requested(&ctx) {
        return Err(HttpError::internal(
            "WAN gossip pool is not available yet on this agent",
        ));
    }
    ctx.agent
        .lan()
        .join(&[addr])
        .await
        .map_err(|e| HttpError::internal(e.to_string()))?;
    Ok(empty())
}

/// PUT /v1/agent/force-leave/<node>[?prune]: move a member to `left`.
pub async fn force_leave(ctx: Ctx, node: String) -> HttpResult {
    let prune = ctx.params.has("prune");
    ctx.agent
        .lan()
        .force_leave(&node, prune)
        .await
        .map_err(|e| HttpError::internal(e.to_string()))?;
    Ok(empty())
}

/// PUT /v1/agent/reload
pub async fn reload(ctx: Ctx) -> HttpResult {
    crate::run::reload(&ctx.agent)
        .await
        .map_err(|e| HttpError::internal(e.to_string()))?;
    Ok(empty())
}

/// PUT /v1/agent/leave: leave the LAN pool gracefully, answer, then shut
/// down.
pub async fn leave(ctx: Ctx) -> HttpResult {
    tracing::info!("agent: graceful leave requested");
    let left = ctx.agent.leave().await;
    ctx.agent.request_shutdown();
    left.map_err(|e| HttpError::internal(e.to_string()))?;
    Ok(empty())
}

fn maintenance_enable(ctx: &Ctx) -> Result<bool, HttpError> {
    match ctx.params.get("enable") {
        None | Some("") => Err(HttpError::bad_request("Missing value for enable")),
        Some(v) => v
            .parse::<bool>()
            .map_err(|_| HttpError::bad_request(format!("Invalid value for enable: {v:?}"))),
    }
}

/// PUT /v1/agent/maintenance?enable=&reason=
pub async fn maintenance(ctx: Ctx) -> HttpResult {
    let enable = maintenance_enable(&ctx)?;
    let node = ctx.agent.info().node_name.clone();
    if enable {
        let reason = ctx.params.get("reason").filter(|r| !r.is_empty()).unwrap_or(
            "Maintenance mode is enabled for this node, but no reason was provided. This is a default message.",
        );
        let check = HealthCheck {
            node,
            check_id: NODE_MAINT_CHECK.into(),
            name: "Node Maintenance Mode".into(),
            notes: reason.into(),
            status: status::CRITICAL.into(),
            check_type: "maintenance".into(),
            ..Default::default()
        };
        ctx.agent.local().add_check(check.clone(), None);
        ctx.agent.sync_check(&check).await?;
    } else if ctx.agent.local().remove_check(NODE_MAINT_CHECK) {
        ctx.agent.deregister_check(NODE_MAINT_CHECK).await?;
    }
    Ok(empty())
}

/// PUT /v1/agent/service/maintenance/<id>?enable=&reason=
pub async fn service_maintenance(ctx: Ctx, id: String) -> HttpResult {
    let enable = maintenance_enable(&ctx)?;
    let Some(svc) = ctx.agent.local().service(&id) else {
        return Err(HttpError::not_found(format!(
            "No service registered with ID {id:?}"
        )));
    };
    let check_id = format!("{SERVICE_MAINT_PREFIX}{id}");
    if enable {
        let reason = ctx.params.get("reason").filter(|r| !r.is_empty()).unwrap_or(
            "Maintenance mode is enabled for this service, but no reason was provided. This is a default message.",
        );
        let check = HealthCheck {
            node: ctx.agent.info().node_name.clone(),
            check_id,
            name: "Service Maintenance Mode".into(),
            notes: reason.into(),
            status: status::CRITICAL.into(),
            service_id: svc.id.clone(),
            service_name: svc.service.clone(),
            service_tags: svc.tags.clone(),
            check_type: "maintenance".into(),
            ..Default::default()
        };
        ctx.agent.local().add_check(check.clone(), None);
        ctx.agent.sync_check(&check).await?;
    } else if ctx.agent.local().remove_check(&check_id) {
        ctx.agent.deregister_check(&check_id).await?;
    }
    Ok(empty())
}
