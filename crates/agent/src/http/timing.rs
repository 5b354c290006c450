//! Every API request's time, as Consul's `handleFuncMetrics` reports it:
//! `consul.api.http` with `method` and `path` labels, and (unless
//! `telemetry.disable_compat_1.9`) the pre-1.9 timer
//! `consul.http.<METHOD>.<pattern parts>`, e.g. `consul.http.GET.v1.kv._`.
//!
//! Consul registers prefixes such as `/v1/kv/` and parses the rest itself;
//! our patterns name that rest (`/v1/kv/{*key}`), so the pattern is cut at
//! its first parameter to get Consul's.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::agent::Agent;

/// The layer: time the request and emit both timers.
pub async fn measure(State(agent): State<Arc<Agent>>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().as_str().to_string();
    let pattern = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| consul_pattern(m.as_str()).to_string());
    let resp = next.run(req).await;
    if let Some(pattern) = pattern {
        let label = path_label(&pattern);
        consul_telemetry::measure_since_with_labels(
            &["api", "http"],
            start,
            &[("method", &method), ("path", &label)],
        );
        if !agent.info().config.telemetry.disable_compat_1_9 {
            let mut key = vec!["http", method.as_str()];
            key.extend(pattern_parts(&pattern));
            consul_telemetry::measure_since(&key, start);
        }
    }
    resp
}

/// The prefix Consul registers for `pattern`: everything before the first
/// `{` parameter (`/v1/kv/{*key}` → `/v1/kv/`).
pub fn consul_pattern(pattern: &str) -> &str {
    pattern.find('{').map_or(pattern, |i| &pattern[..i])
}

/// The name parts of a pattern: the path's segments, an empty one (after a
/// trailing `/`) written `_` (`/v1/kv/` → `v1 kv _`).
pub fn pattern_parts(pattern: &str) -> Vec<&str> {
    pattern
        .split('/')
        .enumerate()
        .filter_map(|(i, p)| match (i, p) {
            (0, "") => None,
            (_, "") => Some("_"),
            (_, p) => Some(p),
        })
        .collect()
}

/// The `path` label: the pattern without its leading `/`, `/` → `_`.
pub fn path_label(pattern: &str) -> String {
    pattern
        .strip_prefix('/')
        .unwrap_or(pattern)
        .replace('/', "_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_consuls_patterns() {
        let p = consul_pattern("/v1/kv/{*key}");
        assert_eq!(p, "/v1/kv/");
        assert_eq!(pattern_parts(p), ["v1", "kv", "_"]);
        assert_eq!(path_label(p), "v1_kv_");
        let p = consul_pattern("/v1/acl/token/{id}/clone");
        assert_eq!(pattern_parts(p), ["v1", "acl", "token", "_"]);
        assert_eq!(pattern_parts("/v1/agent/self"), ["v1", "agent", "self"]);
        assert_eq!(path_label("/v1/agent/self"), "v1_agent_self");
    }
}
