//! `GET /v1/agent/metrics` (needs `agent:read`, checked by the route table):
//! the last finished 10 s interval of the in-memory sink as Consul's JSON,
//! or with `?format=prometheus` (or a Prometheus `Accept` header) the text
//! exposition format — refused with 415 while
//! `telemetry.prometheus_retention_time` is 0, as Consul 1.10 does.

use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::respond::{json, HttpError, HttpResult};
use super::Ctx;

/// Consul's answer when the Prometheus format is asked for but disabled.
const PROMETHEUS_DISABLED: &str =
    "Prometheus is not enabled since its retention time is not positive";

/// GET /v1/agent/metrics
pub async fn metrics(ctx: Ctx, headers: HeaderMap) -> HttpResult {
    let Some(m) = consul_telemetry::global() else {
        return Err(HttpError::internal("metrics are not initialized"));
    };
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if ctx.params.get("format") == Some("prometheus") || accepts_prometheus(accept) {
        return Ok(match m.prometheus_text() {
            Some(text) => (
                [(
                    header::CONTENT_TYPE,
                    consul_telemetry::prometheus::CONTENT_TYPE,
                )],
                text,
            )
                .into_response(),
            None => prometheus_disabled(),
        });
    }
    Ok(json(&m.summary(), ctx.pretty))
}

fn prometheus_disabled() -> Response {
    (
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        PROMETHEUS_DISABLED,
    )
        .into_response()
}

/// Whether an `Accept` header asks for a Prometheus format, by Consul's
/// rule: `application/openmetrics-text`, or `text/plain` with a version
/// parameter (`version=0.4.0` as Consul checks it, and `version=0.0.4`, the
/// one Prometheus sends).
pub fn accepts_prometheus(accept: &str) -> bool {
    accept.split(',').any(|v| {
        let mut info = v.split(';');
        let mime = info.next().unwrap_or("").trim().to_ascii_lowercase();
        let version = info.next().map(str::trim);
        mime == "application/openmetrics-text"
            || (mime == "text/plain" && matches!(version, Some("version=0.4.0" | "version=0.0.4")))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prometheus_accept_headers() {
        assert!(accepts_prometheus("text/plain; version=0.0.4"));
        assert!(accepts_prometheus("text/plain;version=0.4.0;q=0.5"));
        assert!(accepts_prometheus(
            "application/openmetrics-text;version=1.0.0,*/*;q=0.1"
        ));
        assert!(!accepts_prometheus("text/plain"));
        assert!(!accepts_prometheus("application/json"));
        assert!(!accepts_prometheus(""));
    }
}
