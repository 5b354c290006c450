//! The legacy ACL API of Consul ≤ 1.3, still served by 1.10 for scripts
//! written against it: `PUT /v1/acl/create|update`, `PUT
//! /v1/acl/destroy/<id>`, `GET /v1/acl/info/<id>`, `PUT /v1/acl/clone/<id>`
//! and `GET /v1/acl/list`, where a token's `ID` is its secret.

use axum::body::Bytes;
use axum::extract::Path;
use axum::routing::{get, put};
use axum::Router;
use consul_server::endpoints::acl::{AclBody, AclRpc, LegacyApply};
use consul_server::rpc::RpcRequest;
use consul_types::acl::LegacyAcl;

use super::acl::{call, decode, get_request, write};
use super::respond::{rpc_err, HttpError, HttpResult};
use super::Ctx;
use crate::agent::Agent;

type P = Path<String>;

/// The legacy ACL routes, merged into the API router.
pub fn routes() -> Router<std::sync::Arc<Agent>> {
    Router::new()
        .route("/v1/acl/create", put(|c: Ctx, b: Bytes| set(c, b, false)))
        .route("/v1/acl/update", put(|c: Ctx, b: Bytes| set(c, b, true)))
        .route(
            "/v1/acl/destroy/{id}",
            put(|c: Ctx, Path(id): P| destroy(c, id)),
        )
        .route("/v1/acl/info/{id}", get(|c: Ctx, Path(id): P| info(c, id)))
        .route(
            "/v1/acl/clone/{id}",
            put(|c: Ctx, Path(id): P| clone(c, id)),
        )
        .route("/v1/acl/list", get(list))
}

fn apply(ctx: &Ctx, op: &str, acl: LegacyAcl) -> AclRpc {
    AclRpc::LegacyApply(write(ctx, LegacyApply { op: op.into(), acl }))
}

/// PUT /v1/acl/create and /v1/acl/update: `{"ID"}` of the token.
async fn set(ctx: Ctx, body: Bytes, update: bool) -> HttpResult {
    let mut acl: LegacyAcl = decode(&body)?;
    if acl.kind.is_empty() {
        acl.kind = "client".into();
    }
    if update && acl.id.is_empty() {
        return Err(HttpError::bad_request("ACL ID must be set"));
    }
    let req = apply(&ctx, "set", acl);
    call(ctx, req, false).await
}

/// PUT /v1/acl/destroy/<secret>: `true`.
async fn destroy(ctx: Ctx, id: String) -> HttpResult {
    let req = apply(
        &ctx,
        "delete",
        LegacyAcl {
            id,
            ..Default::default()
        },
    );
    ctx.rpc(RpcRequest::Acl(req))
        .await?
        .into_acl()
        .map_err(rpc_err)?;
    Ok(super::respond::json(&true, ctx.pretty))
}

/// GET /v1/acl/info/<secret>: the token in a list (empty when unknown).
async fn info(ctx: Ctx, id: String) -> HttpResult {
    let req = get_request(&ctx, id, false)?;
    call(ctx, AclRpc::LegacyGet(req), true).await
}

/// PUT /v1/acl/clone/<secret>: a copy under a new secret, `{"ID"}`.
async fn clone(ctx: Ctx, id: String) -> HttpResult {
    let req = get_request(&ctx, id, false)?;
    let found = ctx
        .rpc(RpcRequest::Acl(AclRpc::LegacyGet(req)))
        .await?
        .into_acl()
        .map_err(rpc_err)?;
    let Some(mut acl) = (match found.body {
        AclBody::Legacy(mut l) => l.pop(),
        _ => None,
    }) else {
        return Err(consul_server::RpcError::PermissionDenied.into());
    };
    acl.id.clear();
    let req = apply(&ctx, "set", acl);
    call(ctx, req, false).await
}

/// GET /v1/acl/list: every legacy token (needs `acl:write`).
async fn list(ctx: Ctx) -> HttpResult {
    let req = ctx.dc_request(ctx.query_options()?);
    call(ctx, AclRpc::LegacyList(req), true).await
}
