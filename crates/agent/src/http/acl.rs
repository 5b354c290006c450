//! `/v1/acl/*`: bootstrap, tokens, policies and roles, as Consul 1.10
//! serves them. Bodies decode with Go's rules (case-insensitive keys, `null`
//! = absent); the server validates and answers Consul's errors. With ACLs
//! disabled every route answers 401 "ACL support disabled" (from the server,
//! so a client agent answers the same).

use axum::body::Bytes;
use axum::extract::Path;
use axum::routing::{get, put};
use axum::Router;
use consul_server::endpoints::acl::{
    AclBody, AclGetRequest, AclRoleListRequest, AclRpc, AclTokenListRequest, AclTokenWrite,
    AclWriteRequest,
};
use consul_server::rpc::RpcRequest;
use consul_server::QueryMeta;
use consul_types::acl::{AclPolicy, AclRole, AclToken};
use serde::de::DeserializeOwned;

use super::respond::{json, json_with_meta, rpc_err, HttpError, HttpResult};
use super::Ctx;
use crate::agent::Agent;

type P = Path<String>;

/// The ACL routes, merged into the API router.
pub fn routes() -> Router<std::sync::Arc<Agent>> {
    Router::new()
        .route("/v1/acl/bootstrap", put(bootstrap))
        .route("/v1/acl/token", put(token_create))
        .route("/v1/acl/token/self", get(token_self))
        .route(
            "/v1/acl/token/{id}",
            get(|c: Ctx, Path(id): P| token_read(c, id))
                .put(|c: Ctx, Path(id): P, b: Bytes| token_update(c, id, b))
                .delete(|c: Ctx, Path(id): P| token_delete(c, id)),
        )
        .route(
            "/v1/acl/token/{id}/clone",
            put(|c: Ctx, Path(id): P, b: Bytes| token_clone(c, id, b)),
        )
        .route("/v1/acl/tokens", get(token_list))
        .route("/v1/acl/policy", put(policy_create))
        .route(
            "/v1/acl/policy/name/{name}",
            get(|c: Ctx, Path(n): P| policy_read(c, n, true)),
        )
        .route(
            "/v1/acl/policy/{id}",
            get(|c: Ctx, Path(id): P| policy_read(c, id, false))
                .put(|c: Ctx, Path(id): P, b: Bytes| policy_update(c, id, b))
                .delete(|c: Ctx, Path(id): P| policy_delete(c, id)),
        )
        .route("/v1/acl/policies", get(policy_list))
        .route("/v1/acl/role", put(role_create))
        .route(
            "/v1/acl/role/name/{name}",
            get(|c: Ctx, Path(n): P| role_read(c, n, true)),
        )
        .route(
            "/v1/acl/role/{id}",
            get(|c: Ctx, Path(id): P| role_read(c, id, false))
                .put(|c: Ctx, Path(id): P, b: Bytes| role_update(c, id, b))
                .delete(|c: Ctx, Path(id): P| role_delete(c, id)),
        )
        .route("/v1/acl/roles", get(role_list))
        .route("/v1/acl/replication", get(replication))
}

pub(super) fn decode<T: DeserializeOwned + Default>(body: &[u8]) -> Result<T, HttpError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    consul_types::json::from_slice_ci(body)
        .map_err(|e| HttpError::bad_request(format!("Request decode failed: {e}")))
}

pub(super) fn write<T>(ctx: &Ctx, body: T) -> AclWriteRequest<T> {
    AclWriteRequest {
        datacenter: ctx.datacenter.clone(),
        body,
        token: ctx.token.clone(),
    }
}

pub(super) fn get_request(
    ctx: &Ctx,
    id: String,
    by_name: bool,
) -> Result<AclGetRequest, HttpError> {
    Ok(AclGetRequest {
        datacenter: ctx.datacenter.clone(),
        id,
        by_name,
        query_options: ctx.query_options()?,
    })
}

/// Send `req`; answer its body as Consul does (reads with the index headers).
pub(super) async fn call(ctx: Ctx, req: AclRpc, with_meta: bool) -> HttpResult {
    let r = ctx
        .rpc(RpcRequest::Acl(req))
        .await?
        .into_acl()
        .map_err(rpc_err)?;
    let meta: QueryMeta = r.query_meta.into();
    let meta = with_meta.then_some(&meta);
    let pretty = ctx.pretty;
    Ok(match &r.body {
        AclBody::Token(t) => answer(t, meta, pretty),
        AclBody::Tokens(t) => answer(t, meta, pretty),
        AclBody::Policy(p) => answer(p, meta, pretty),
        AclBody::Policies(p) => answer(p, meta, pretty),
        // Consul: a role, auth method or binding rule that does not exist
        // is a bare 404.
        AclBody::Role(None) | AclBody::AuthMethod(None) | AclBody::BindingRule(None) => {
            let mut r = answer(&(), meta, pretty);
            *r.status_mut() = axum::http::StatusCode::NOT_FOUND;
            *r.body_mut() = axum::body::Body::empty();
            r.headers_mut().remove(axum::http::header::CONTENT_TYPE);
            r
        }
        AclBody::Role(x) => answer(x, meta, pretty),
        AclBody::Roles(x) => answer(x, meta, pretty),
        AclBody::Legacy(x) => answer(x, meta, pretty),
        AclBody::LegacyId(id) => answer(&serde_json::json!({ "ID": id }), meta, pretty),
        AclBody::Replication(x) => answer(x, meta, pretty),
        AclBody::AuthMethod(x) => answer(x, meta, pretty),
        AclBody::AuthMethods(x) => answer(x, meta, pretty),
        AclBody::BindingRule(x) => answer(x, meta, pretty),
        AclBody::BindingRules(x) => answer(x, meta, pretty),
        AclBody::Deleted => answer(&true, meta, pretty),
        AclBody::Grants { .. } => return Err(HttpError::internal("unexpected ACL answer")),
    })
}

fn answer<T: serde::Serialize>(
    v: &T,
    meta: Option<&QueryMeta>,
    pretty: bool,
) -> axum::response::Response {
    match meta {
        Some(m) => json_with_meta(v, m, pretty),
        None => json(v, pretty),
    }
}

/// PUT /v1/acl/bootstrap
pub async fn bootstrap(ctx: Ctx) -> HttpResult {
    let req = write(&ctx, ());
    call(ctx, AclRpc::Bootstrap(req), false).await
}

/// PUT /v1/acl/token
pub async fn token_create(ctx: Ctx, body: Bytes) -> HttpResult {
    let acl_token: AclToken = decode(&body)?;
    let req = write(
        &ctx,
        AclTokenWrite {
            acl_token,
            create: true,
        },
    );
    call(ctx, AclRpc::TokenSet(req), false).await
}

/// PUT /v1/acl/token/<accessor>
pub async fn token_update(ctx: Ctx, id: String, body: Bytes) -> HttpResult {
    let mut acl_token: AclToken = decode(&body)?;
    if !acl_token.accessor_id.is_empty() && acl_token.accessor_id != id {
        return Err(HttpError::bad_request(
            "Token Accessor ID in URL and payload do not match",
        ));
    }
    acl_token.accessor_id = id;
    let req = write(
        &ctx,
        AclTokenWrite {
            acl_token,
            create: false,
        },
    );
    call(ctx, AclRpc::TokenSet(req), false).await
}

/// PUT /v1/acl/token/<accessor>/clone (body: optional `Description`)
pub async fn token_clone(ctx: Ctx, id: String, body: Bytes) -> HttpResult {
    let mut acl_token: AclToken = decode(&body)?;
    acl_token.accessor_id = id;
    let req = write(
        &ctx,
        AclTokenWrite {
            acl_token,
            create: true,
        },
    );
    call(ctx, AclRpc::TokenClone(req), false).await
}

/// GET /v1/acl/token/<accessor>
pub async fn token_read(ctx: Ctx, id: String) -> HttpResult {
    let req = get_request(&ctx, id, false)?;
    call(ctx, AclRpc::TokenRead(req), true).await
}

/// GET /v1/acl/token/self
pub async fn token_self(ctx: Ctx) -> HttpResult {
    let req = get_request(&ctx, String::new(), false)?;
    call(ctx, AclRpc::TokenSelf(req), true).await
}

/// DELETE /v1/acl/token/<accessor>
pub async fn token_delete(ctx: Ctx, id: String) -> HttpResult {
    let req = write(&ctx, id);
    call(ctx, AclRpc::TokenDelete(req), false).await
}

/// GET /v1/acl/tokens (`?policy=`, `?role=`, `?authmethod=`)
pub async fn token_list(ctx: Ctx) -> HttpResult {
    let param = |k: &str| ctx.params.get(k).unwrap_or_default().to_string();
    let req = AclTokenListRequest {
        datacenter: ctx.datacenter.clone(),
        policy: param("policy"),
        role: param("role"),
        auth_method: param("authmethod"),
        query_options: ctx.query_options()?,
    };
    call(ctx, AclRpc::TokenList(req), true).await
}

/// PUT /v1/acl/policy
pub async fn policy_create(ctx: Ctx, body: Bytes) -> HttpResult {
    let mut policy: AclPolicy = decode(&body)?;
    policy.id.clear();
    let req = write(&ctx, policy);
    call(ctx, AclRpc::PolicySet(req), false).await
}

/// PUT /v1/acl/policy/<id>
pub async fn policy_update(ctx: Ctx, id: String, body: Bytes) -> HttpResult {
    let mut policy: AclPolicy = decode(&body)?;
    if !policy.id.is_empty() && policy.id != id {
        return Err(HttpError::bad_request(
            "Policy ID in URL and payload do not match",
        ));
    }
    policy.id = id;
    let req = write(&ctx, policy);
    call(ctx, AclRpc::PolicySet(req), false).await
}

/// GET /v1/acl/policy/<id> and /v1/acl/policy/name/<name>
pub async fn policy_read(ctx: Ctx, id: String, by_name: bool) -> HttpResult {
    let req = get_request(&ctx, id, by_name)?;
    call(ctx, AclRpc::PolicyRead(req), true).await
}

/// DELETE /v1/acl/policy/<id>
pub async fn policy_delete(ctx: Ctx, id: String) -> HttpResult {
    let req = write(&ctx, id);
    call(ctx, AclRpc::PolicyDelete(req), false).await
}

/// GET /v1/acl/policies
pub async fn policy_list(ctx: Ctx) -> HttpResult {
    let req = ctx.dc_request(ctx.query_options()?);
    call(ctx, AclRpc::PolicyList(req), true).await
}

/// PUT /v1/acl/role
pub async fn role_create(ctx: Ctx, body: Bytes) -> HttpResult {
    let mut role: AclRole = decode(&body)?;
    role.id.clear();
    let req = write(&ctx, role);
    call(ctx, AclRpc::RoleSet(req), false).await
}

/// PUT /v1/acl/role/<id>
pub async fn role_update(ctx: Ctx, id: String, body: Bytes) -> HttpResult {
    let mut role: AclRole = decode(&body)?;
    if !role.id.is_empty() && role.id != id {
        return Err(HttpError::bad_request(
            "Role ID in URL and payload do not match",
        ));
    }
    role.id = id;
    let req = write(&ctx, role);
    call(ctx, AclRpc::RoleSet(req), false).await
}

/// GET /v1/acl/role/<id> and /v1/acl/role/name/<name>
pub async fn role_read(ctx: Ctx, id: String, by_name: bool) -> HttpResult {
    let req = get_request(&ctx, id, by_name)?;
    call(ctx, AclRpc::RoleRead(req), true).await
}

/// DELETE /v1/acl/role/<id>
pub async fn role_delete(ctx: Ctx, id: String) -> HttpResult {
    let req = write(&ctx, id);
    call(ctx, AclRpc::RoleDelete(req), false).await
}

/// GET /v1/acl/roles (`?policy=`)
pub async fn role_list(ctx: Ctx) -> HttpResult {
    let req = AclRoleListRequest {
        datacenter: ctx.datacenter.clone(),
        policy: ctx.params.get("policy").unwrap_or_default().to_string(),
        query_options: ctx.query_options()?,
    };
    call(ctx, AclRpc::RoleList(req), true).await
}

/// GET /v1/acl/replication
pub async fn replication(ctx: Ctx) -> HttpResult {
    let req = ctx.dc_request(ctx.query_options()?);
    call(ctx, AclRpc::ReplicationStatus(req), false).await
}
