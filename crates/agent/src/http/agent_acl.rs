//! The checks of agent-local handlers whose permission depends on what the
//! request names (`Need::Handler` in `acl_routes.rs`): writing a service
//! needs `service:write` on its name, a check the same on its service or
//! `node:write` on this node for a node-level check; local lists are
//! filtered by `service:read` / `node:read`, members by `node:read`,
//! events by `event:read`. With ACLs disabled every check passes.

use std::collections::BTreeMap;

use consul_acl::{Authorize, Authorizer, Decision};
use consul_types::catalog::HealthCheck;

use super::respond::HttpError;
use super::Ctx;

/// `service:write` on the local service `id` (unknown: nothing to protect,
/// the handler answers its own 404 — once the token itself resolved).
pub async fn service_write_by_id(ctx: &Ctx, id: &str) -> Result<(), HttpError> {
    match ctx.agent.local().service(id) {
        Some(s) => ctx.require(|a| a.service_write(&s.service)).await,
        None => known_token(ctx).await,
    }
}

/// Only that the caller's token exists ("ACL not found" otherwise).
async fn known_token(ctx: &Ctx) -> Result<(), HttpError> {
    filter_authz(ctx).await.map(|_| ())
}

/// `service:write` on `name`.
pub async fn service_write(ctx: &Ctx, name: &str) -> Result<(), HttpError> {
    ctx.require(|a| a.service_write(name)).await
}

/// Writing a check that belongs to local service `service_id` ("" =
/// node-level): `service:write` on that service, else `node:write` here.
pub async fn check_write_for(ctx: &Ctx, service_id: &str) -> Result<(), HttpError> {
    let node = ctx.agent.info().node_name.clone();
    match (!service_id.is_empty())
        .then(|| ctx.agent.local().service(service_id))
        .flatten()
    {
        Some(s) => ctx.require(|a| a.service_write(&s.service)).await,
        None => ctx.require(|a| a.node_write(&node)).await,
    }
}

/// Writing the local check `id` (unknown: the handler answers its 404).
pub async fn check_write_by_id(ctx: &Ctx, id: &str) -> Result<(), HttpError> {
    match ctx.agent.local().check(id) {
        Some(c) => check_write_for(ctx, &c.check.service_id).await,
        None => known_token(ctx).await,
    }
}

/// The caller's authorizer, or `None` with ACLs disabled (nothing filtered).
pub async fn filter_authz(ctx: &Ctx) -> Result<Option<Authorizer>, HttpError> {
    if !ctx.agent.acl().enabled() {
        return Ok(None);
    }
    Ok(Some(ctx.identity().await?.authz.clone()))
}

fn ok(authz: &Option<Authorizer>, f: impl FnOnce(&Authorizer) -> Decision) -> bool {
    authz.as_ref().is_none_or(|a| f(a).allowed())
}

/// Keep the local services the caller may read.
pub fn filter_services<T>(
    authz: &Option<Authorizer>,
    services: &mut BTreeMap<String, T>,
    name: impl Fn(&T) -> &str,
) {
    services.retain(|_, s| ok(authz, |a| a.service_read(name(s))));
}

/// Keep the local checks the caller may read (a service check by its
/// service, a node check by this node).
pub fn filter_checks(authz: &Option<Authorizer>, checks: &mut BTreeMap<String, HealthCheck>) {
    checks.retain(|_, c| {
        if c.service_name.is_empty() {
            ok(authz, |a| a.node_read(&c.node))
        } else {
            ok(authz, |a| a.service_read(&c.service_name))
        }
    });
}

/// Whether the caller may see `node` (members).
pub fn may_read_node(authz: &Option<Authorizer>, node: &str) -> bool {
    ok(authz, |a| a.node_read(node))
}

/// Whether the caller may see events named `name`.
pub fn may_read_event(authz: &Option<Authorizer>, name: &str) -> bool {
    ok(authz, |a| a.event_read(name))
}
