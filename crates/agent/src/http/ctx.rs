//! The request context every handler takes ([`Ctx`]): parsed once per request, before any
//! handler runs — the query string, pretty-printing, the caller's token ([`super::token`])
//! and the datacenter asked for — so handlers only pass them along into typed requests.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use super::params::Params;
use super::respond::{self, HttpError};
use super::token;
use crate::agent::Agent;

/// What every handler needs, parsed once per request: the agent, the query string, whether
/// to pretty-print JSON, and the two facts every typed RPC request carries — the caller's
/// token and the datacenter asked for. Handlers pass these along; they never parse them.
pub struct Ctx {
    /// The agent.
    pub agent: Arc<Agent>,
    /// Decoded query string.
    pub params: Params,
    /// `?pretty` or dev mode.
    pub pretty: bool,
    /// The caller's ACL token ([`token::request_token`]; redacted in `Debug`).
    pub token: consul_server::rpc::Token,
    /// `?dc=` / `?datacenter=` ("" = the agent's own).
    pub datacenter: String,
}

impl Ctx {
    /// This request's read options in their wire form, carrying the caller's token and its
    /// `?filter=` expression (as Consul's `QueryOptions` carry it on every read; only the
    /// endpoints that filter read it, on the server that serves them).
    pub fn query_options(&self) -> Result<consul_server::rpc::WireQueryOptions, HttpError> {
        let mut opts = consul_server::rpc::WireQueryOptions::from_options(
            &self.params.query_options()?,
            self.token.clone(),
        );
        opts.filter = self.filter().to_string();
        Ok(opts)
    }

    /// The `?filter=` expression ("" when absent or empty: no filter).
    pub fn filter(&self) -> &str {
        self.params.get("filter").unwrap_or("")
    }

    /// Who the caller is, for the checks an agent-local handler makes
    /// (resolved by the local server, or a server and cached on a client).
    pub async fn identity(&self) -> Result<std::sync::Arc<consul_server::Identity>, HttpError> {
        self.agent
            .resolve_token(&self.token)
            .await
            .map_err(HttpError::from)
    }

    /// 403 "Permission denied" unless `check` allows the caller.
    pub async fn require(
        &self,
        check: impl FnOnce(&consul_acl::Authorizer) -> consul_acl::Decision,
    ) -> Result<(), HttpError> {
        if !self.agent.acl().enabled() {
            return Ok(());
        }
        let id = self.identity().await?;
        if check(&id.authz).allowed() {
            Ok(())
        } else {
            Err(HttpError::from(consul_server::RpcError::PermissionDenied))
        }
    }

    /// Options that only carry the caller's token (calls that take no read parameters).
    pub fn token_only(&self) -> consul_server::rpc::WireQueryOptions {
        consul_server::rpc::WireQueryOptions {
            token: self.token.clone(),
            ..Default::default()
        }
    }

    /// A datacenter-wide request for this caller (`?node-meta` filters included).
    pub fn dc_request(
        &self,
        query_options: consul_server::rpc::WireQueryOptions,
    ) -> consul_server::rpc::DcSpecificRequest {
        consul_server::rpc::DcSpecificRequest {
            datacenter: self.datacenter.clone(),
            node_meta_filters: self.node_meta(),
            query_options,
        }
    }

    /// `?node-meta=k:v` filters as the map Consul's requests carry.
    pub fn node_meta(&self) -> std::collections::BTreeMap<String, String> {
        self.params.node_meta().into_iter().collect()
    }

    /// Send a typed request to the servers (see [`Agent::rpc`]).
    pub async fn rpc(
        &self,
        req: consul_server::rpc::RpcRequest,
    ) -> Result<consul_server::rpc::RpcResponse, HttpError> {
        self.agent.rpc(req).await.map_err(HttpError::from)
    }
}

impl Ctx {
    /// A read through [`Ctx::rpc`]: `pick` takes the result and its query
    /// meta out of the reply, which is answered as JSON with Consul's headers.
    pub async fn read<T: serde::Serialize>(
        &self,
        req: consul_server::rpc::RpcRequest,
        pick: impl FnOnce(
            consul_server::rpc::RpcResponse,
        ) -> Result<
            (T, consul_server::rpc::WireQueryMeta),
            consul_server::rpc::CallError,
        >,
    ) -> respond::HttpResult {
        let (value, meta) = pick(self.rpc(req).await?).map_err(respond::rpc_err)?;
        let mut resp =
            respond::json_with_meta(&value, &consul_server::QueryMeta::from(meta), self.pretty);
        respond::set_consistency(&mut resp, &self.params);
        Ok(resp)
    }
}

impl FromRequestParts<Arc<Agent>> for Ctx {
    type Rejection = HttpError;

    async fn from_request_parts(
        parts: &mut Parts,
        agent: &Arc<Agent>,
    ) -> Result<Self, Self::Rejection> {
        let params = Params::parse(parts.uri.query());
        let pretty = agent.info().dev || params.has("pretty");
        let mut token = token::request_token(&params, &parts.headers);
        if token.is_empty() {
            // No token: the agent's default (`acl.tokens.default`), as Consul.
            token = agent.acl().default_token();
        }
        let datacenter = params.datacenter();
        Ok(Ctx {
            agent: agent.clone(),
            params,
            pretty,
            token,
            datacenter,
        })
    }
}
