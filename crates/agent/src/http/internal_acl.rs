//! `POST /v1/internal/acl/authorize`: answers, for the caller's own token,
//! whether each of up to 64 named checks (`Resource`, `Segment`, `Access`)
//! is allowed — what a UI asks before showing a page. 401 with ACLs disabled.

use axum::body::Bytes;
use axum::routing::post;
use axum::Router;
use serde::{Deserialize, Serialize};

use super::respond::{json, HttpError, HttpResult};
use super::Ctx;
use crate::agent::Agent;

/// Most checks one request may ask (Consul's limit).
const MAX_REQUESTS: usize = 64;

/// The route, merged into the API router.
pub fn routes() -> Router<std::sync::Arc<Agent>> {
    Router::new().route("/v1/internal/acl/authorize", post(authorize))
}

/// One named check, and its answer.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
struct Check {
    resource: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    segment: String,
    access: String,
    #[serde(skip_deserializing)]
    allow: bool,
}

/// POST /v1/internal/acl/authorize
pub async fn authorize(ctx: Ctx, body: Bytes) -> HttpResult {
    if !ctx.agent.acl().enabled() {
        return Err(HttpError {
            status: axum::http::StatusCode::UNAUTHORIZED,
            message: "ACL support disabled".into(),
        });
    }
    let mut checks: Vec<Check> = if body.iter().all(u8::is_ascii_whitespace) {
        Vec::new()
    } else {
        consul_types::json::from_slice_ci::<Option<Vec<Check>>>(&body)
            .map_err(|e| HttpError::bad_request(format!("Failed to decode request body: {e}")))?
            .unwrap_or_default()
    };
    if checks.len() > MAX_REQUESTS {
        return Err(HttpError::bad_request(format!(
            "Refusing to process more than {MAX_REQUESTS} authorizations at once"
        )));
    }
    let identity = ctx.identity().await?;
    for c in &mut checks {
        let d = consul_acl::enforce_named(&identity.authz, &c.resource, &c.segment, &c.access)
            .map_err(|e| HttpError::bad_request(e.to_string()))?;
        c.allow = d.allowed();
    }
    Ok(json(&checks, ctx.pretty))
}
