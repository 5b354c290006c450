//! Session endpoint (`Session.*`): create and destroy through Raft (the
//! leader chooses a new session's UUID before the write, so every server
//! applies the same one), blocking reads, and renew, which resets the
//! leader's TTL timer (`crate::session_timers`).

mod acl;
mod request;

pub use request::{SessionApplyRequest, SessionRpc, SessionSpecificRequest};

use consul_types::command::Command;
use consul_types::session::{validate_ttl, validate_uuid, Session, SessionOp, SessionRequest};

use crate::dispatch::RequestCtx;
use crate::new_uuid::new_uuid;
use crate::rpc::{IndexedSessions, RpcResponse};
use crate::{QueryMeta, QueryOptions, RpcError, Server};

/// Serve one `Session.*` call (routed here by the dispatcher).
pub(crate) async fn serve(
    server: &Server,
    ctx: &RequestCtx,
    req: SessionRpc,
) -> Result<RpcResponse, RpcError> {
    let opts = &ctx.read;
    let indexed = |(meta, mut sessions): (QueryMeta, Vec<Session>)| {
        crate::acl_filter::sessions(ctx, &mut sessions);
        RpcResponse::Sessions(IndexedSessions {
            sessions,
            query_meta: meta.into(),
        })
    };
    match req {
        SessionRpc::Apply(r) => match r.op {
            SessionOp::Create => Ok(RpcResponse::String(create(server, r.session).await?)),
            SessionOp::Destroy => {
                acl::check_on_session(server, ctx, &r.session.id)?;
                destroy(server, &r.session.id).await?;
                Ok(RpcResponse::Empty)
            }
        },
        SessionRpc::Get(r) => get(server, opts, &r.session_id).await.map(indexed),
        SessionRpc::List(_) => list(server, opts).await.map(indexed),
        SessionRpc::NodeSessions(r) => node_sessions(server, opts, &r.node).await.map(indexed),
        SessionRpc::Renew(r) => {
            acl::check_on_session(server, ctx, &r.session_id)?;
            renew(server, &r.session_id).await.map(indexed)
        }
    }
}

/// Consul's wording for a refusal behind `Session.Apply`'s Raft write.
fn apply_failed(e: RpcError) -> RpcError {
    match e {
        RpcError::Internal(m) => RpcError::Internal(format!("apply failed: {m}")),
        other => other,
    }
}

/// Create a session on the leader: validate, choose an unused ID, replicate,
/// start its TTL timer. Answers the ID.
pub async fn create(server: &Server, mut s: Session) -> Result<String, RpcError> {
    if s.node.is_empty() {
        return Err(RpcError::Internal("Must provide Node".into()));
    }
    validate_ttl(&s.ttl).map_err(RpcError::Internal)?;
    let snap = server.store().snapshot();
    s.id = loop {
        let id = new_uuid();
        let mut ws = consul_state::WatchSet::new();
        if matches!(snap.session_get(&mut ws, &id), Ok((_, None))) {
            break id;
        }
    };
    s.create_index = 0;
    s.modify_index = 0;
    let id = s.id.clone();
    let cmd = Command::Session(SessionRequest {
        op: SessionOp::Create,
        session: s.clone(),
    });
    server.apply(cmd).await.map_err(apply_failed)?;
    server.session_timers().reset(&s);
    Ok(id)
}

/// Destroy a session (invalidating it); an unknown one is not an error.
pub async fn destroy(server: &Server, id: &str) -> Result<(), RpcError> {
    if id.is_empty() {
        return Err(RpcError::Internal("Must provide ID".into()));
    }
    validate_uuid(id).map_err(|e| {
        RpcError::Internal(format!(
            "apply failed: failed session lookup: index error: {e}"
        ))
    })?;
    let cmd = Command::Session(SessionRequest {
        op: SessionOp::Destroy,
        session: Session {
            id: id.to_string(),
            ..Default::default()
        },
    });
    server.apply(cmd).await.map_err(apply_failed)?;
    server.session_timers().clear(id);
    Ok(())
}

/// A session lookup error as a 500 with Consul's message.
fn lookup(e: consul_state::StateError) -> RpcError {
    RpcError::Internal(e.to_string())
}

/// One session (none when unknown); blocks like every read.
pub async fn get(
    server: &Server,
    opts: &QueryOptions,
    id: &str,
) -> Result<(QueryMeta, Vec<Session>), RpcError> {
    let mut bad = None;
    let r = server
        .read(opts, |snap, ws| match snap.session_get(ws, id) {
            Ok((idx, s)) => (idx, s.into_iter().collect()),
            Err(e) => {
                bad = Some(e);
                (0, Vec::new())
            }
        })
        .await?;
    match bad {
        Some(e) => Err(lookup(e)),
        None => Ok(r),
    }
}

/// Every session.
pub async fn list(
    server: &Server,
    opts: &QueryOptions,
) -> Result<(QueryMeta, Vec<Session>), RpcError> {
    server.read(opts, |snap, ws| snap.session_list(ws)).await
}

/// The sessions of one node.
pub async fn node_sessions(
    server: &Server,
    opts: &QueryOptions,
    node: &str,
) -> Result<(QueryMeta, Vec<Session>), RpcError> {
    server
        .read(opts, |snap, ws| snap.node_sessions(ws, node))
        .await
}

/// Renew on the leader: the session (if it exists) with its timer reset.
pub async fn renew(server: &Server, id: &str) -> Result<(QueryMeta, Vec<Session>), RpcError> {
    let snap = server.store().snapshot();
    let (idx, s) = snap
        .session_get(&mut consul_state::WatchSet::new(), id)
        .map_err(lookup)?;
    if let Some(s) = &s {
        server.session_timers().reset(s);
    }
    Ok((server.query_meta(idx), s.into_iter().collect()))
}
