//! `/v1/session/*`: create, destroy, renew (PUT) and info, node, list (GET,
//! blocking), with Consul's defaults and error texts.

use axum::body::Bytes;
use consul_server::endpoints::session::{SessionApplyRequest, SessionRpc, SessionSpecificRequest};
use consul_server::rpc::{IndexedSessions, RpcRequest};
use consul_server::QueryMeta;
use consul_types::catalog::SERF_CHECK_ID;
use consul_types::session::{
    lock_delay_from_json, ServiceCheck, Session, SessionBehavior, SessionOp, DEFAULT_LOCK_DELAY,
};
use serde::{Deserialize, Serialize};

use super::catalog::node_request;
use super::respond::{json, json_with_meta, rpc_err, HttpError, HttpResult};
use super::Ctx;

/// The body of `PUT /v1/session/create`; absent fields take Consul's defaults.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
struct CreateBody {
    name: String,
    node: Option<String>,
    lock_delay: Option<serde_json::Value>,
    behavior: String,
    #[serde(rename = "TTL")]
    ttl: String,
    node_checks: Option<Vec<String>>,
    service_checks: Option<Vec<ServiceCheck>>,
    checks: Option<Vec<String>>,
}

/// `{"ID": …}`, the answer of a create.
#[derive(Serialize)]
struct CreateResponse {
    #[serde(rename = "ID")]
    id: String,
}

fn decode_failed(e: impl std::fmt::Display) -> HttpError {
    HttpError::bad_request(format!("Request decode failed: {e}"))
}

/// The session a create body describes, with Consul's defaults (this
/// agent's node, the `serfHealth` check, 15 s lock-delay, release) and its
/// fix-up of the deprecated `Checks` field against `NodeChecks`.
fn session_from_body(body: &[u8], this_node: &str) -> Result<Session, HttpError> {
    let b: CreateBody = if body.is_empty() {
        CreateBody::default()
    } else {
        let v: serde_json::Value = serde_json::from_slice(body).map_err(decode_failed)?;
        consul_types::json::from_value_ci(v).map_err(decode_failed)?
    };
    let lock_delay = match &b.lock_delay {
        Some(v) => lock_delay_from_json(v).map_err(decode_failed)?,
        None => DEFAULT_LOCK_DELAY,
    };
    let behavior = SessionBehavior::parse(&b.behavior).map_err(HttpError::internal)?;
    let serf = || vec![SERF_CHECK_ID.to_string()];
    let mut checks = b.checks.unwrap_or_else(serf);
    let mut node_checks = Some(b.node_checks.unwrap_or_else(serf));
    if checks.is_empty() {
        node_checks = Some(Vec::new());
    } else if checks == serf() || node_checks.as_ref().is_some_and(Vec::is_empty) {
        checks.clear();
    }
    Ok(Session {
        name: b.name,
        node: b.node.unwrap_or_else(|| this_node.to_string()),
        lock_delay,
        behavior,
        ttl: b.ttl,
        node_checks,
        service_checks: b.service_checks,
        checks,
        ..Default::default()
    })
}

/// PUT /v1/session/create
pub async fn create(ctx: Ctx, body: Bytes) -> HttpResult {
    let session = session_from_body(&body, &ctx.agent.info().node_name)?;
    let req = SessionApplyRequest {
        datacenter: ctx.datacenter.clone(),
        op: SessionOp::Create,
        session,
        token: ctx.token.clone(),
    };
    let id = ctx
        .rpc(RpcRequest::Session(SessionRpc::Apply(req)))
        .await?
        .into_string()
        .map_err(rpc_err)?;
    Ok(json(&CreateResponse { id }, ctx.pretty))
}

fn missing_session(id: &str) -> Result<(), HttpError> {
    if id.is_empty() {
        return Err(HttpError::bad_request("Missing session"));
    }
    Ok(())
}

/// PUT /v1/session/destroy/<id>
pub async fn destroy(ctx: Ctx, id: String) -> HttpResult {
    missing_session(&id)?;
    let req = SessionApplyRequest {
        datacenter: ctx.datacenter.clone(),
        op: SessionOp::Destroy,
        session: Session {
            id,
            ..Default::default()
        },
        token: ctx.token.clone(),
    };
    ctx.rpc(RpcRequest::Session(SessionRpc::Apply(req)))
        .await?
        .into_empty()
        .map_err(rpc_err)?;
    Ok(json(&true, ctx.pretty))
}

fn specific(ctx: &Ctx, id: String) -> Result<SessionSpecificRequest, HttpError> {
    missing_session(&id)?;
    Ok(SessionSpecificRequest {
        datacenter: ctx.datacenter.clone(),
        session_id: id,
        query_options: ctx.query_options()?,
    })
}

/// PUT /v1/session/renew/<id>: the session in an array, or 404.
pub async fn renew(ctx: Ctx, id: String) -> HttpResult {
    let req = specific(&ctx, id.clone())?;
    let r = ctx
        .rpc(RpcRequest::Session(SessionRpc::Renew(req)))
        .await?
        .into_sessions()
        .map_err(rpc_err)?;
    if r.sessions.is_empty() {
        return Err(HttpError::not_found(format!("Session id '{id}' not found")));
    }
    Ok(json(&r.sessions, ctx.pretty))
}

/// A read's sessions with the query meta headers.
async fn read(ctx: Ctx, req: SessionRpc) -> HttpResult {
    let r: IndexedSessions = ctx
        .rpc(RpcRequest::Session(req))
        .await?
        .into_sessions()
        .map_err(rpc_err)?;
    let meta: QueryMeta = r.query_meta.into();
    Ok(json_with_meta(&r.sessions, &meta, ctx.pretty))
}

/// GET /v1/session/info/<id>
pub async fn info(ctx: Ctx, id: String) -> HttpResult {
    let req = specific(&ctx, id)?;
    read(ctx, SessionRpc::Get(req)).await
}

/// GET /v1/session/node/<node>
pub async fn node(ctx: Ctx, node: String) -> HttpResult {
    let req = node_request(&ctx, node)?;
    read(ctx, SessionRpc::NodeSessions(req)).await
}

/// GET /v1/session/list
pub async fn list(ctx: Ctx) -> HttpResult {
    let req = ctx.dc_request(ctx.query_options()?);
    read(ctx, SessionRpc::List(req)).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn s(body: &str) -> Session {
        session_from_body(body.as_bytes(), "me").unwrap()
    }

    #[test]
    fn an_empty_body_takes_consuls_defaults() {
        let d = s("");
        assert_eq!(d.node, "me");
        assert_eq!(d.node_checks, Some(vec!["serfHealth".to_string()]));
        assert!(d.checks.is_empty());
        assert_eq!(d.lock_delay, Duration::from_secs(15));
        assert_eq!(d.behavior, SessionBehavior::Release);
        assert_eq!(s("{}"), d);
    }

    #[test]
    fn checks_fixup_matches_consul() {
        // An explicit empty Checks means no checks at all.
        let x = s(r#"{"Checks":[]}"#);
        assert_eq!((x.checks.len(), x.node_checks), (0, Some(vec![])));
        let x = s(r#"{"Checks":["serfHealth"],"NodeChecks":[]}"#);
        assert_eq!((x.checks.len(), x.node_checks), (0, Some(vec![])));
        let x = s(r#"{"checks":["a"]}"#);
        assert_eq!(x.check_ids(), ["a", "serfHealth"]);
        let x = s(r#"{"Name":"n","ttl":"10s","LockDelay":20,"Behavior":"delete"}"#);
        assert_eq!(
            (x.name.as_str(), x.ttl.as_str(), x.lock_delay, x.behavior),
            ("n", "10s", Duration::from_secs(20), SessionBehavior::Delete)
        );
    }

    #[test]
    fn bad_bodies_are_refused_with_a_reason() {
        let err = |b: &str| session_from_body(b.as_bytes(), "me").unwrap_err();
        assert_eq!(err("{bad").status, axum::http::StatusCode::BAD_REQUEST);
        assert!(err("{bad").message.starts_with("Request decode failed: "));
        assert_eq!(
            err(r#"{"LockDelay":"bad"}"#).message,
            "Request decode failed: time: invalid duration \"bad\""
        );
        let b = err(r#"{"Behavior":"bogus"}"#);
        assert_eq!(
            (b.status.as_u16(), b.message.as_str()),
            (500, "Invalid Behavior setting 'bogus'")
        );
    }
}
