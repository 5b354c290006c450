//! `PUT /v1/agent/token/<kind>` with `{"Token": "…"}`: set one of the
//! agent's tokens at run time (persisted when `acl.enable_token_persistence`).
//! Needs `acl:write` (declared in `acl_routes.rs`); 401 with ACLs disabled.

use axum::body::Bytes;
use axum::extract::Path;
use axum::routing::put;
use axum::Router;
use serde::Deserialize;

use super::respond::{empty, HttpError, HttpResult};
use super::Ctx;
use crate::acl::TokenKind;
use crate::agent::Agent;

/// The agent token route, merged into the API router.
pub fn routes() -> Router<std::sync::Arc<Agent>> {
    Router::new().route(
        "/v1/agent/token/{kind}",
        put(|c: Ctx, Path(kind): Path<String>, b: Bytes| set(c, kind, b)),
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
struct Body {
    token: String,
}

/// PUT /v1/agent/token/<kind>
pub async fn set(ctx: Ctx, kind: String, body: Bytes) -> HttpResult {
    if !ctx.agent.acl().enabled() {
        return Err(HttpError {
            status: axum::http::StatusCode::UNAUTHORIZED,
            message: "ACL support disabled".into(),
        });
    }
    let b: Body = consul_types::json::from_slice_ci(&body)
        .map_err(|e| HttpError::bad_request(format!("Request decode failed: {e}")))?;
    let Some(kind) = TokenKind::from_url(&kind) else {
        return Err(HttpError::not_found(format!("Token {kind:?} is unknown")));
    };
    ctx.agent
        .acl()
        .set_token(kind, b.token)
        .map_err(|e| HttpError::internal(format!("Failed persisting tokens: {e}")))?;
    tracing::info!(?kind, "agent: updated an ACL token");
    Ok(empty())
}
