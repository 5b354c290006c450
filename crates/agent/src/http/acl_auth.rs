//! `/v1/acl/auth-method*`, `/v1/acl/binding-rule*`, `/v1/acl/login` and
//! `/v1/acl/logout`, as Consul 1.10 serves them: auth methods by name,
//! binding rules by ID, a login's body `{AuthMethod, BearerToken, Meta}`
//! answered with the created token, a logout with `true`.

use axum::body::Bytes;
use axum::extract::Path;
use axum::routing::{get, post, put};
use axum::Router;
use consul_server::endpoints::acl::{AclBindingRuleListRequest, AclRpc};
use consul_types::acl_auth::{AclAuthMethod, AclBindingRule, AclLoginParams};

use super::acl::{call, decode, get_request, write};
use super::respond::{HttpError, HttpResult};
use super::Ctx;
use crate::agent::Agent;

type P = Path<String>;

/// The auth-method, binding-rule, login and logout routes.
pub fn routes() -> Router<std::sync::Arc<Agent>> {
    Router::new()
        .route("/v1/acl/auth-method", put(method_create))
        .route(
            "/v1/acl/auth-method/{name}",
            get(|c: Ctx, Path(n): P| method_read(c, n))
                .put(|c: Ctx, Path(n): P, b: Bytes| method_update(c, n, b))
                .delete(|c: Ctx, Path(n): P| method_delete(c, n)),
        )
        .route("/v1/acl/auth-methods", get(method_list))
        .route("/v1/acl/binding-rule", put(rule_create))
        .route(
            "/v1/acl/binding-rule/{id}",
            get(|c: Ctx, Path(id): P| rule_read(c, id))
                .put(|c: Ctx, Path(id): P, b: Bytes| rule_update(c, id, b))
                .delete(|c: Ctx, Path(id): P| rule_delete(c, id)),
        )
        .route("/v1/acl/binding-rules", get(rule_list))
        .route("/v1/acl/login", post(login))
        .route("/v1/acl/logout", post(logout))
}

/// PUT /v1/acl/auth-method
async fn method_create(ctx: Ctx, body: Bytes) -> HttpResult {
    let m: AclAuthMethod = decode(&body)?;
    let req = write(&ctx, m);
    call(ctx, AclRpc::AuthMethodSet(req), false).await
}

/// PUT /v1/acl/auth-method/<name>
async fn method_update(ctx: Ctx, name: String, body: Bytes) -> HttpResult {
    let mut m: AclAuthMethod = decode(&body)?;
    if !m.name.is_empty() && m.name != name {
        return Err(HttpError::bad_request(
            "Auth Method Name in URL and payload do not match",
        ));
    }
    m.name = name;
    let req = write(&ctx, m);
    call(ctx, AclRpc::AuthMethodSet(req), false).await
}

/// GET /v1/acl/auth-method/<name>
async fn method_read(ctx: Ctx, name: String) -> HttpResult {
    let req = get_request(&ctx, name, true)?;
    call(ctx, AclRpc::AuthMethodRead(req), true).await
}

/// DELETE /v1/acl/auth-method/<name>
async fn method_delete(ctx: Ctx, name: String) -> HttpResult {
    let req = write(&ctx, name);
    call(ctx, AclRpc::AuthMethodDelete(req), false).await
}

/// GET /v1/acl/auth-methods
async fn method_list(ctx: Ctx) -> HttpResult {
    let req = ctx.dc_request(ctx.query_options()?);
    call(ctx, AclRpc::AuthMethodList(req), true).await
}

/// PUT /v1/acl/binding-rule
async fn rule_create(ctx: Ctx, body: Bytes) -> HttpResult {
    let mut r: AclBindingRule = decode(&body)?;
    r.id.clear();
    let req = write(&ctx, r);
    call(ctx, AclRpc::BindingRuleSet(req), false).await
}

/// PUT /v1/acl/binding-rule/<id>
async fn rule_update(ctx: Ctx, id: String, body: Bytes) -> HttpResult {
    let mut r: AclBindingRule = decode(&body)?;
    if !r.id.is_empty() && r.id != id {
        return Err(HttpError::bad_request(
            "BindingRule ID in URL and payload do not match",
        ));
    }
    r.id = id;
    let req = write(&ctx, r);
    call(ctx, AclRpc::BindingRuleSet(req), false).await
}

/// GET /v1/acl/binding-rule/<id>
async fn rule_read(ctx: Ctx, id: String) -> HttpResult {
    let req = get_request(&ctx, id, false)?;
    call(ctx, AclRpc::BindingRuleRead(req), true).await
}

/// DELETE /v1/acl/binding-rule/<id>
async fn rule_delete(ctx: Ctx, id: String) -> HttpResult {
    let req = write(&ctx, id);
    call(ctx, AclRpc::BindingRuleDelete(req), false).await
}

/// GET /v1/acl/binding-rules (`?authmethod=`)
async fn rule_list(ctx: Ctx) -> HttpResult {
    let req = AclBindingRuleListRequest {
        datacenter: ctx.datacenter.clone(),
        auth_method: ctx.params.get("authmethod").unwrap_or_default().to_string(),
        query_options: ctx.query_options()?,
    };
    call(ctx, AclRpc::BindingRuleList(req), true).await
}

/// POST /v1/acl/login: the token the login created.
async fn login(ctx: Ctx, body: Bytes) -> HttpResult {
    let p: AclLoginParams = decode(&body)?;
    let req = write(&ctx, p);
    call(ctx, AclRpc::Login(req), false).await
}

/// POST /v1/acl/logout (with the login's token): `true`.
async fn logout(ctx: Ctx) -> HttpResult {
    let req = write(&ctx, ());
    call(ctx, AclRpc::Logout(req), false).await
}
