//! `/v1/agent/*`: the local agent's services, checks, identity, membership and
//! lifecycle (reload, leave, maintenance).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::response::Response;
use consul_types::agent::{AgentService, CheckDefinition, ServiceDefinition};
use consul_types::catalog::{status, NodeService};

use super::catalog::decode_body;
use super::respond::{json, HttpError, HttpResult};
use super::Ctx;
use consul_acl::Authorize;
use consul_server::query_filter::QueryFilter;

use super::agent_acl;
use super::respond::empty;
use crate::agent::Agent;
use crate::local::{maintenance, register, truncate_output};

fn agent_service(agent: &Agent, s: &NodeService) -> AgentService {
    AgentService {
        kind: s.kind.clone(),
        id: s.id.clone(),
        service: s.service.clone(),
        tags: s.tags.clone(),
        meta: s.meta.clone(),
        port: s.port,
        address: s.address.clone(),
        tagged_addresses: s.tagged_addresses.clone(),
        weights: s.weights,
        enable_tag_override: s.enable_tag_override,
        proxy: s.proxy.clone(),
        connect: s.connect.clone(),
        datacenter: agent.datacenter().to_string(),
        content_hash: String::new(),
    }
}

/// GET /v1/agent/services
pub async fn services(ctx: Ctx) -> HttpResult {
    let agent = ctx.agent.clone();
    let authz = agent_acl::filter_authz(&ctx).await?;
    let filter = QueryFilter::parse(ctx.filter(), consul_filter::consul::agent_service())?;
    let (out, hash) = hash_blocking(&ctx, move || {
        let mut out: BTreeMap<String, AgentService> = agent
            .local()
            .services()
            .iter()
            .map(|(k, v)| (k.clone(), agent_service(&agent, v)))
            .collect();
        agent_acl::filter_services(&authz, &mut out, |s| s.service.as_str());
        // The hash is of what the caller sees, so a change the filter hides does not wake it.
        let out = filter.retain_values(&mut out).map(|()| out);
        let hash = out.as_ref().map(content_hash).unwrap_or_default();
        Some((out, hash))
    })
    .await?
    .expect("the services map always exists");
    Ok(with_hash(json(&out?, ctx.pretty), &hash))
}

/// GET /v1/agent/service/<id>
pub async fn service(ctx: Ctx, id: String) -> HttpResult {
    // Resolve the token before looking: an unknown one is "ACL not found".
    let authz = agent_acl::filter_authz(&ctx).await?;
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
    if authz.is_some_and(|a| !a.service_read(&out.service).allowed()) {
        return Err(HttpError::from(consul_server::RpcError::PermissionDenied));
    }
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
    let authz = agent_acl::filter_authz(&ctx).await?;
    let filter = QueryFilter::parse(ctx.filter(), consul_filter::consul::health_check())?;
    let mut checks = ctx.agent.local().checks();
    agent_acl::filter_checks(&authz, &mut checks);
    filter.retain_values(&mut checks)?;
    Ok(json(&checks, ctx.pretty))
}

/// PUT /v1/agent/service/register
pub async fn service_register(ctx: Ctx, body: Bytes) -> HttpResult {
    let def: ServiceDefinition = decode_body(&body)?;
    agent_acl::service_write(&ctx, &def.name).await?;
    let id = if def.id.is_empty() {
        def.name.clone()
    } else {
        def.id.clone()
    };
    ctx.agent.acl().set_service_token(&id, ctx.token.clone());
    register::register_api_service(&ctx.agent, def, ctx.token.secret()).await?;
    Ok(empty())
}

/// PUT /v1/agent/service/deregister/<id>
pub async fn service_deregister(ctx: Ctx, id: String) -> HttpResult {
    agent_acl::service_write_by_id(&ctx, &id).await?;
    register::deregister_service(&ctx.agent, &id).await?;
    Ok(empty())
}

/// PUT /v1/agent/check/register
pub async fn check_register(ctx: Ctx, body: Bytes) -> HttpResult {
    let def: CheckDefinition = decode_body(&body)?;
    agent_acl::check_write_for(&ctx, &def.service_id).await?;
    if def.service_id.is_empty() {
        let id = crate::local::checks::check_id_of(&def);
        ctx.agent.acl().set_check_token(&id, ctx.token.clone());
    }
    register::register_api_check(&ctx.agent, &def, ctx.token.secret()).await?;
    Ok(empty())
}

/// PUT /v1/agent/check/deregister/<id>
pub async fn check_deregister(ctx: Ctx, id: String) -> HttpResult {
    agent_acl::check_write_by_id(&ctx, &id).await?;
    register::deregister_check(&ctx.agent, &id).await?;
    Ok(empty())
}

fn unknown_check(id: &str) -> HttpError {
    register::unknown_check(id).into()
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
    agent_acl::check_write_by_id(&ctx, &id).await?;
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
    agent_acl::check_write_by_id(&ctx, &id).await?;
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
    let authz = agent_acl::filter_authz(&ctx).await?;
    let out: Vec<_> = members
        .iter()
        .filter(|m| agent_acl::may_read_node(&authz, &m.name))
        .map(crate::lan::member::to_json)
        .collect();
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
    // However the leave goes, the agent stops: a leave that cannot finish
    // (no peer to tell) must not leave the process running.
    let left = tokio::time::timeout(crate::run::GRACEFUL_TIMEOUT, ctx.agent.leave()).await;
    ctx.agent.request_shutdown();
    match left {
        Ok(result) => result.map_err(|e| HttpError::internal(e.to_string()))?,
        Err(_) => return Err(HttpError::internal("leave timed out; shutting down")),
    }
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

/// `?reason=`, if given and not empty.
fn reason(ctx: &Ctx) -> Option<&str> {
    ctx.params.get("reason").filter(|r| !r.is_empty())
}

/// PUT /v1/agent/maintenance?enable=&reason=
pub async fn maintenance(ctx: Ctx) -> HttpResult {
    let enable = maintenance_enable(&ctx)?;
    maintenance::set_node(&ctx.agent, enable, reason(&ctx)).await?;
    Ok(empty())
}

/// PUT /v1/agent/service/maintenance/<id>?enable=&reason=
pub async fn service_maintenance(ctx: Ctx, id: String) -> HttpResult {
    agent_acl::service_write_by_id(&ctx, &id).await?;
    let enable = maintenance_enable(&ctx)?;
    maintenance::set_service(&ctx.agent, &id, enable, reason(&ctx)).await?;
    Ok(empty())
}
