//! Every API route's ACL requirement, declared in one table ([`ROUTES`]),
//! and the layer that enforces it ([`enforce`]): with ACLs enabled, a route
//! missing from the table is refused (403), so a new route cannot be
//! reachable without a decision. A unit test checks the table against the
//! routes the HTTP sources register.
//!
//! Most routes are decided by the server that serves them (`Server`: the
//! dispatcher checks each typed request, see `consul_server::acl_check`).
//! Agent-local routes are checked here, or by their handler when the
//! permission depends on what the request names (`Handler`: the handler
//! calls [`super::Ctx::require`] or filters with [`super::Ctx::identity`]).

use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use consul_acl::{Authorize, Decision};

use super::respond::HttpError;
use crate::agent::Agent;

/// What a route needs from the caller's token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Decided by the server for each typed request.
    Server,
    /// Nothing (status endpoints).
    Anyone,
    /// Checked by the handler (depends on the request's body or target, or
    /// the answer is filtered).
    Handler,
    /// `agent:read` on this agent's node.
    AgentRead,
    /// `agent:write` on this agent's node.
    AgentWrite,
    /// `node:write` on this agent's node.
    NodeWrite,
    /// `operator:read`.
    OperatorRead,
    /// `operator:write`.
    OperatorWrite,
    /// `keyring:read` for GET, `keyring:write` otherwise.
    Keyring,
    /// `acl:write`.
    AclWrite,
}

/// `(route pattern as registered, requirement)`, every API route.
pub const ROUTES: &[(&str, Need)] = &[
    ("/v1/kv/", Need::Server),
    ("/v1/kv/{*key}", Need::Server),
    ("/v1/catalog/register", Need::Server),
    ("/v1/catalog/deregister", Need::Server),
    ("/v1/catalog/datacenters", Need::Server),
    ("/v1/catalog/nodes", Need::Server),
    ("/v1/catalog/services", Need::Server),
    ("/v1/catalog/service/{*name}", Need::Server),
    ("/v1/catalog/node/{*name}", Need::Server),
    ("/v1/catalog/node-services/{*name}", Need::Server),
    ("/v1/health/node/{*name}", Need::Server),
    ("/v1/health/checks/{*name}", Need::Server),
    ("/v1/health/service/{*name}", Need::Server),
    ("/v1/health/state/{*name}", Need::Server),
    ("/v1/agent/self", Need::AgentRead),
    ("/v1/agent/members", Need::Handler),
    ("/v1/agent/metrics", Need::AgentRead),
    ("/v1/agent/reload", Need::AgentWrite),
    ("/v1/agent/leave", Need::AgentWrite),
    ("/v1/agent/join/{*addr}", Need::AgentWrite),
    ("/v1/agent/force-leave/{*node}", Need::OperatorWrite),
    ("/v1/agent/maintenance", Need::NodeWrite),
    ("/v1/agent/services", Need::Handler),
    ("/v1/agent/checks", Need::Handler),
    ("/v1/agent/service/register", Need::Handler),
    ("/v1/agent/service/deregister/{*id}", Need::Handler),
    ("/v1/agent/service/maintenance/{*id}", Need::Handler),
    ("/v1/agent/service/{*id}", Need::Handler),
    ("/v1/agent/check/register", Need::Handler),
    ("/v1/agent/check/deregister/{*id}", Need::Handler),
    ("/v1/agent/check/pass/{*id}", Need::Handler),
    ("/v1/agent/check/warn/{*id}", Need::Handler),
    ("/v1/agent/check/fail/{*id}", Need::Handler),
    ("/v1/agent/check/update/{*id}", Need::Handler),
    ("/v1/agent/token/{kind}", Need::AclWrite),
    ("/v1/operator/raft/configuration", Need::Server),
    ("/v1/operator/raft/peer", Need::Server),
    ("/v1/operator/raft/transfer-leader", Need::Server),
    ("/v1/operator/autopilot/configuration", Need::Server),
    ("/v1/operator/autopilot/health", Need::Server),
    ("/v1/operator/autopilot/state", Need::Server),
    ("/v1/operator/keyring", Need::Keyring),
    ("/v1/event/fire/", Need::Server),
    ("/v1/event/fire/{*name}", Need::Server),
    ("/v1/event/list", Need::Handler),
    ("/v1/session/create", Need::Server),
    ("/v1/session/destroy/{*id}", Need::Server),
    ("/v1/session/destroy/", Need::Server),
    ("/v1/session/renew/{*id}", Need::Server),
    ("/v1/session/renew/", Need::Server),
    ("/v1/session/info/{*id}", Need::Server),
    ("/v1/session/info/", Need::Server),
    ("/v1/session/node/{*node}", Need::Server),
    ("/v1/session/node/", Need::Server),
    ("/v1/session/list", Need::Server),
    ("/v1/txn", Need::Server),
    ("/v1/snapshot", Need::Server),
    ("/v1/status/leader", Need::Anyone),
    ("/v1/status/peers", Need::Anyone),
    ("/v1/internal/ui/services", Need::Server),
    ("/v1/internal/ui/nodes", Need::Server),
    ("/v1/internal/ui/kv-search", Need::Server),
    ("/v1/internal/acl/authorize", Need::Handler),
    ("/v1/acl/bootstrap", Need::Server),
    ("/v1/acl/token", Need::Server),
    ("/v1/acl/token/self", Need::Server),
    ("/v1/acl/token/{id}", Need::Server),
    ("/v1/acl/token/{id}/clone", Need::Server),
    ("/v1/acl/tokens", Need::Server),
    ("/v1/acl/policy", Need::Server),
    ("/v1/acl/policy/name/{name}", Need::Server),
    ("/v1/acl/policy/{id}", Need::Server),
    ("/v1/acl/policies", Need::Server),
    ("/v1/acl/role", Need::Server),
    ("/v1/acl/role/name/{name}", Need::Server),
    ("/v1/acl/role/{id}", Need::Server),
    ("/v1/acl/roles", Need::Server),
    ("/v1/acl/replication", Need::Server),
    ("/v1/agent/host", Need::OperatorRead),
    ("/v1/agent/version", Need::Anyone),
    ("/v1/agent/monitor", Need::AgentRead),
    ("/v1/acl/auth-method", Need::Server),
    ("/v1/acl/auth-method/{name}", Need::Server),
    ("/v1/acl/auth-methods", Need::Server),
    ("/v1/acl/binding-rule", Need::Server),
    ("/v1/acl/binding-rule/{id}", Need::Server),
    ("/v1/acl/binding-rules", Need::Server),
    ("/v1/acl/login", Need::Server),
    ("/v1/acl/logout", Need::Server),
    ("/v1/acl/create", Need::Server),
    ("/v1/acl/update", Need::Server),
    ("/v1/acl/destroy/{id}", Need::Server),
    ("/v1/acl/info/{id}", Need::Server),
    ("/v1/acl/clone/{id}", Need::Server),
    ("/v1/acl/list", Need::Server),
];

/// The requirement of the route registered as `pattern`.
pub fn need(pattern: &str) -> Option<Need> {
    ROUTES.iter().find(|(p, _)| *p == pattern).map(|(_, n)| *n)
}

/// The layer: refuse what the table says the caller may not do.
pub async fn enforce(
    State(agent): State<std::sync::Arc<Agent>>,
    req: Request,
    next: Next,
) -> Response {
    if !agent.acl().enabled() {
        return next.run(req).await;
    }
    let pattern = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_default();
    let need = match need(&pattern) {
        Some(Need::Server | Need::Anyone | Need::Handler) => return next.run(req).await,
        Some(n) => n,
        None => {
            tracing::warn!(route = %pattern, "acl: route without a declared requirement; refused");
            return HttpError::from(consul_server::RpcError::PermissionDenied).into_response();
        }
    };
    let params = super::params::Params::parse(req.uri().query());
    let mut token = super::token::request_token(&params, req.headers());
    if token.is_empty() {
        token = agent.acl().default_token();
    }
    let identity = match agent.resolve_token(&token).await {
        Ok(id) => id,
        Err(e) => return HttpError::from(e).into_response(),
    };
    let node = agent.info().node_name.clone();
    let a = &identity.authz;
    let decision: Decision = match need {
        Need::AgentRead => a.agent_read(&node),
        Need::AgentWrite => a.agent_write(&node),
        Need::NodeWrite => a.node_write(&node),
        Need::OperatorRead => a.operator_read(),
        Need::OperatorWrite => a.operator_write(),
        Need::Keyring if req.method() == Method::GET => a.keyring_read(),
        Need::Keyring => a.keyring_write(),
        Need::AclWrite => a.acl_write(),
        Need::Server | Need::Anyone | Need::Handler => Decision::Allow,
    };
    if !decision.allowed() {
        return HttpError::from(consul_server::RpcError::PermissionDenied).into_response();
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `"/v1/…"` literal passed to `.route(` in the HTTP sources.
    fn registered_routes() -> Vec<String> {
        let sources = [
            include_str!("mod.rs"),
            include_str!("acl.rs"),
            include_str!("acl_legacy.rs"),
            include_str!("acl_auth.rs"),
            include_str!("agent_host.rs"),
            include_str!("agent_monitor.rs"),
            include_str!("operator_autopilot_state.rs"),
            include_str!("agent_token.rs"),
            include_str!("internal_ui.rs"),
            include_str!("internal_acl.rs"),
            include_str!("kv_search.rs"),
        ];
        let mut out = Vec::new();
        for src in sources {
            let mut rest = src;
            while let Some(i) = rest.find(".route(") {
                rest = &rest[i + ".route(".len()..];
                let trimmed = rest.trim_start();
                if let Some(lit) = trimmed.strip_prefix('"') {
                    let end = lit.find('"').expect("closed literal");
                    out.push(lit[..end].to_string());
                }
            }
        }
        out
    }

    #[test]
    fn every_registered_route_declares_its_requirement() {
        let routes = registered_routes();
        assert!(routes.len() >= 60, "found {} routes", routes.len());
        for r in &routes {
            assert!(
                need(r).is_some(),
                "route {r} has no ACL requirement in ROUTES"
            );
        }
        for (p, _) in ROUTES {
            assert!(
                routes.iter().any(|r| r == p),
                "ROUTES names {p}, which is not registered"
            );
        }
    }
}
