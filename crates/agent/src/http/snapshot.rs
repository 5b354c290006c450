//! `/v1/snapshot`: `GET` saves the whole state as an archive (from the
//! leader, or any server with `?stale`), `PUT` restores one (always on the
//! leader), each one typed `Snapshot.*` request through [`Ctx::rpc`]. The
//! archive is the body as is; a save carries its index in `X-Consul-Index`.

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderValue};
use axum::response::Response;
use consul_server::endpoints::snapshot::{SnapshotRestoreRequest, SnapshotRpc};
use consul_server::rpc::RpcRequest;
use consul_server::QueryMeta;

use super::respond::{empty, rpc_err, set_meta, HttpError, HttpResult};
use super::Ctx;

/// `GET /v1/snapshot[?stale]`.
pub async fn save(c: Ctx) -> HttpResult {
    let mut qo = c.token_only();
    qo.allow_stale = c.params.has("stale");
    let req = RpcRequest::Snapshot(SnapshotRpc::Save(c.dc_request(qo)));
    let reply = c.rpc(req).await?.into_snapshot().map_err(rpc_err)?;
    let mut resp = Response::new(Body::from(reply.archive));
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-gzip"),
    );
    set_meta(&mut resp, &QueryMeta::from(reply.query_meta));
    Ok(resp)
}

/// `PUT /v1/snapshot` with the archive as the body.
pub async fn restore(c: Ctx, body: Bytes) -> HttpResult {
    if c.params.has("stale") {
        // Consul's words: a restore must run on the leader.
        return Err(HttpError::internal("stale not allowed for restore"));
    }
    let req = RpcRequest::Snapshot(SnapshotRpc::Restore(SnapshotRestoreRequest {
        datacenter: c.datacenter.clone(),
        token: c.token.clone(),
        archive: body,
    }));
    c.rpc(req).await?;
    Ok(empty())
}
