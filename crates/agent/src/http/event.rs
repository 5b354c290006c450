//! `/v1/event/fire/<name>` and `/v1/event/list`: user events (see [`crate::events`]).

use std::time::Duration;

use axum::body::Bytes;
use axum::http::HeaderValue;

use super::respond::{json, HttpError, HttpResult, X_CONSUL_INDEX};
use super::Ctx;
use crate::events::fire::{fire as fire_event, FireError};
use crate::events::ring::list_index;
use crate::events::user_event::UserEvent;

/// The longest an event list blocks (Consul's `maxQueryTime`), also its default.
const MAX_QUERY_TIME: Duration = Duration::from_secs(600);

/// PUT /v1/event/fire/ (no name)
pub async fn fire_unnamed() -> HttpError {
    HttpError::bad_request("Missing name")
}

/// PUT /v1/event/fire/<name>: the body is the payload; `?node=`, `?service=`, `?tag=`
/// filter the receivers. Answers the event as fired.
pub async fn fire(ctx: Ctx, name: String, body: Bytes) -> HttpResult {
    if name.is_empty() {
        return Err(fire_unnamed().await);
    }
    let param = |k: &str| ctx.params.get(k).unwrap_or("").to_string();
    let ev = UserEvent {
        name,
        payload: body.to_vec(),
        node_filter: param("node"),
        service_filter: param("service"),
        tag_filter: param("tag"),
        ..Default::default()
    };
    match fire_event(&ctx.agent, ctx.datacenter.clone(), ctx.token.clone(), ev).await {
        Ok(ev) => Ok(json(&ev, ctx.pretty)),
        // Consul answers every refusal, its own validation included, as a 500.
        Err(FireError::Invalid(e)) => Err(HttpError::internal(e.to_string())),
        Err(FireError::Rpc(e)) => Err(match HttpError::from(e) {
            e if e.status == axum::http::StatusCode::FORBIDDEN => e,
            e => HttpError::internal(e.message),
        }),
    }
}

/// GET /v1/event/list?name=: the events this agent received, oldest first. With `?index=`
/// it blocks until the list's index (its last event's id as a number) differs from it.
pub async fn list(ctx: Ctx) -> HttpResult {
    let opts = ctx.params.query_options()?;
    let name = ctx.params.get("name").unwrap_or("").to_string();
    let ring = ctx.agent.events();
    let wait = match opts.max_wait {
        Duration::ZERO => MAX_QUERY_TIME,
        w => w.min(MAX_QUERY_TIME),
    };
    let deadline = tokio::time::Instant::now() + wait;
    let (events, index) = loop {
        let mut changed = ring.subscribe();
        let events = ring.list(&name);
        let index = list_index(&events);
        if opts.min_index == 0 || index != opts.min_index {
            break (events, index);
        }
        tokio::select! {
            r = changed.changed() => if r.is_err() { break (events, index) },
            _ = tokio::time::sleep_until(deadline) => break (events, index),
            _ = ctx.agent.shutdown_requested() => break (events, index),
        }
    };
    let authz = super::agent_acl::filter_authz(&ctx).await?;
    let mut events = events;
    events.retain(|e| super::agent_acl::may_read_event(&authz, &e.name));
    let mut resp = json(&events, ctx.pretty);
    resp.headers_mut()
        .insert(X_CONSUL_INDEX, HeaderValue::from(index));
    Ok(resp)
}
