//! `GET /v1/agent/monitor?loglevel=<level>[&logjson]`: the agent's log,
//! streamed as it is written, one line per event (hclog's text layout, or
//! its JSON with `logjson`), until the client goes away; `agent:read`.

use axum::body::Body;
use axum::http::{header, HeaderValue};
use axum::response::Response;
use axum::routing::get;
use axum::Router;

use super::respond::{HttpError, HttpResult};
use super::Ctx;
use crate::agent::Agent;
use crate::monitor::{json_line, parse_level, text_line, Subscription};

/// The monitor route.
pub fn routes() -> Router<std::sync::Arc<Agent>> {
    Router::new().route("/v1/agent/monitor", get(monitor))
}

async fn monitor(ctx: Ctx) -> HttpResult {
    let name = ctx.params.get("loglevel").unwrap_or("info").to_string();
    let level = parse_level(&name)
        .ok_or_else(|| HttpError::bad_request(format!("Unknown log level: {name}")))?;
    let json = ctx.params.flag("logjson");
    let sub = Subscription::new(level);
    tracing::debug!("agent: a monitor attached");
    let lines = futures::stream::unfold(sub, move |mut sub| async move {
        let r = sub.next().await?;
        let mut line = if json { json_line(&r) } else { text_line(&r) };
        line.push('\n');
        Some((Ok::<_, std::io::Error>(line), sub))
    });
    let mut resp = Response::new(Body::from_stream(lines));
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    Ok(resp)
}
