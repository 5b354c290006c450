//! [`AgentAcl`]: the agent's tokens and its resolution of callers' tokens.
//!
//! On a server agent a token is resolved by the local server (from its
//! state, cached per ACL index). A client agent asks a server for what the
//! token grants (`ACL.Resolve`), compiles it with the same pure function and
//! keeps it for `token_ttl`. When no server answers, `down_policy` decides:
//! `extend-cache`/`async-cache` keep using an expired entry (and deny what
//! was never resolved), `allow` allows, `deny` denies.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use consul_acl::{Authorizer, Policy, StaticAuthorizer};
use consul_config::AclConfig;
use consul_server::endpoints::acl::{AclBody, AclGetRequest, AclRpc};
use consul_server::rpc::{RpcRequest, Token, WireQueryOptions};
use consul_server::{Identity, RpcError};

use super::{AgentTokens, TokenKind};
use crate::servers::Servers;

/// Most client-side resolutions kept at once.
const CACHE_LIMIT: usize = 4096;

/// The agent's ACL state.
#[derive(Debug)]
pub struct AgentAcl {
    enabled: bool,
    default_policy: StaticAuthorizer,
    down_policy: String,
    token_ttl: Duration,
    persist_in: Option<PathBuf>,
    tokens: RwLock<AgentTokens>,
    /// Raised by every token change (answers cached per token go stale).
    generation: std::sync::atomic::AtomicU64,
    cache: Mutex<HashMap<String, (Instant, Arc<Identity>)>>,
    /// The token each local service / node check was registered with.
    registered_with: Mutex<HashMap<(bool, String), Token>>,
}

impl AgentAcl {
    /// The ACL state of an agent configured with `cfg` (persisted tokens in
    /// `data_dir` override configured ones, as in Consul).
    pub fn new(cfg: &AclConfig, data_dir: Option<&std::path::Path>) -> AgentAcl {
        let mut tokens = AgentTokens {
            default: cfg.default.clone().unwrap_or_default(),
            agent: cfg.agent.clone().unwrap_or_default(),
            agent_recovery: cfg.agent_recovery.clone().unwrap_or_default(),
            replication: cfg.replication.clone().unwrap_or_default(),
        };
        let persist_in = data_dir
            .filter(|_| cfg.enable_token_persistence)
            .map(|d| d.to_path_buf());
        if let Some(saved) = persist_in.as_deref().and_then(AgentTokens::load) {
            for (kind, value) in [
                (TokenKind::Default, saved.default),
                (TokenKind::Agent, saved.agent),
                (TokenKind::AgentRecovery, saved.agent_recovery),
                (TokenKind::Replication, saved.replication),
            ] {
                if !value.is_empty() {
                    tokens.set(kind, value);
                }
            }
        }
        AgentAcl {
            enabled: cfg.enabled,
            default_policy: if cfg.default_policy == "deny" {
                StaticAuthorizer::DenyAll
            } else {
                StaticAuthorizer::AllowAll
            },
            down_policy: cfg.down_policy.clone(),
            token_ttl: cfg.token_ttl,
            persist_in,
            tokens: RwLock::new(tokens),
            generation: Default::default(),
            cache: Mutex::default(),
            registered_with: Mutex::default(),
        }
    }

    /// Whether ACLs are enabled.
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// The agent's current tokens.
    pub fn tokens(&self) -> AgentTokens {
        self.tokens
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Set one of the agent's tokens (persisting it when configured to).
    pub fn set_token(&self, kind: TokenKind, token: String) -> std::io::Result<()> {
        let snapshot = {
            let mut t = self.tokens.write().unwrap_or_else(|e| e.into_inner());
            t.set(kind, token);
            t.clone()
        };
        self.generation
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        match &self.persist_in {
            Some(dir) => snapshot.save(dir),
            None => Ok(()),
        }
    }

    /// How many times the agent's tokens have changed (a version for answers
    /// cached per token).
    pub fn token_generation(&self) -> u64 {
        self.generation.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The token a request without one acts with (`acl.tokens.default`).
    pub fn default_token(&self) -> Token {
        Token::new(self.tokens().default)
    }

    /// The token of the agent's own catalog writes (`agent`, else `default`).
    pub fn agent_token(&self) -> Token {
        Token::new(self.tokens().agent_or_default())
    }

    /// Remember the token local service `id` was registered with.
    pub fn set_service_token(&self, id: &str, token: Token) {
        self.remember_registration(true, id, token);
    }

    /// Remember the token node-level check `id` was registered with.
    pub fn set_check_token(&self, id: &str, token: Token) {
        self.remember_registration(false, id, token);
    }

    fn remember_registration(&self, service: bool, id: &str, token: Token) {
        let mut m = self
            .registered_with
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if token.is_empty() {
            m.remove(&(service, id.to_string()));
        } else {
            m.insert((service, id.to_string()), token);
        }
    }

    fn registration_token(&self, service: bool, id: &str) -> Token {
        let m = self
            .registered_with
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        m.get(&(service, id.to_string()))
            .cloned()
            .unwrap_or_else(|| self.default_token())
    }

    /// The token service `id`'s catalog writes use: its registration's,
    /// else the default token (Consul's `serviceToken`).
    pub fn service_token(&self, id: &str) -> Token {
        self.registration_token(true, id)
    }

    /// The token node check `id`'s catalog writes use (as [`Self::service_token`]).
    pub fn check_token(&self, id: &str) -> Token {
        self.registration_token(false, id)
    }

    /// What the caller presenting `token` may do on this agent.
    pub async fn resolve(
        &self,
        servers: &Servers,
        node: &str,
        dc: &str,
        token: &Token,
    ) -> Result<Arc<Identity>, RpcError> {
        if !self.enabled {
            return Ok(Arc::new(Identity::unrestricted()));
        }
        let recovery = self.tokens().agent_recovery;
        if !recovery.is_empty() && token.secret() == recovery {
            return Ok(Arc::new(recovery_identity(node)));
        }
        if let Some(server) = servers.local() {
            return server.resolve_token(token);
        }
        let _t = consul_telemetry::timer(&["acl", "ResolveToken"]);
        let secret = token.secret().to_string();
        let cached = self.cached(&secret);
        if let Some((at, id)) = &cached {
            if at.elapsed() < self.token_ttl {
                return Ok(id.clone());
            }
        }
        match self.fetch(servers, dc, token).await {
            Ok(id) => {
                self.remember(secret, id.clone());
                Ok(id)
            }
            Err(e) if reaches_no_server(&e) => self.when_down(cached.map(|(_, id)| id)),
            Err(e) => Err(e),
        }
    }

    fn cached(&self, secret: &str) -> Option<(Instant, Arc<Identity>)> {
        let cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        cache.get(secret).cloned()
    }

    fn remember(&self, secret: String, id: Arc<Identity>) {
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if cache.len() >= CACHE_LIMIT {
            cache.clear();
        }
        cache.insert(secret, (Instant::now(), id));
    }

    /// Ask a server what `token` grants and compile it here.
    async fn fetch(
        &self,
        servers: &Servers,
        dc: &str,
        token: &Token,
    ) -> Result<Arc<Identity>, RpcError> {
        let req = RpcRequest::Acl(AclRpc::Resolve(AclGetRequest {
            query_options: WireQueryOptions {
                token: token.clone(),
                allow_stale: true,
                ..Default::default()
            },
            ..Default::default()
        }));
        let reply = servers
            .call(req)
            .await?
            .into_acl()
            .map_err(|e| RpcError::Internal(e.to_string()))?;
        let AclBody::Grants {
            token,
            roles,
            policies,
        } = reply.body
        else {
            return Err(RpcError::Internal("unexpected ACL answer".into()));
        };
        Ok(Arc::new(Identity {
            accessor_id: token.accessor_id.clone(),
            authz: consul_acl::compile::token_authorizer(
                &token,
                &roles,
                &policies,
                dc,
                self.default_policy,
            ),
        }))
    }

    /// `down_policy` when no server can be asked.
    fn when_down(&self, stale: Option<Arc<Identity>>) -> Result<Arc<Identity>, RpcError> {
        let fixed = |s| {
            Ok(Arc::new(Identity {
                accessor_id: String::new(),
                authz: Authorizer::fixed(s),
            }))
        };
        match self.down_policy.as_str() {
            "allow" => fixed(StaticAuthorizer::AllowAll),
            "deny" => fixed(StaticAuthorizer::DenyAll),
            _ => match stale {
                Some(id) => Ok(id),
                None => fixed(StaticAuthorizer::DenyAll),
            },
        }
    }
}

/// Whether `e` means no server could be asked (rather than a server's answer).
fn reaches_no_server(e: &RpcError) -> bool {
    matches!(
        e,
        RpcError::NoServers | RpcError::NoLeader | RpcError::Shutdown | RpcError::Internal(_)
    )
}

/// What the agent recovery token may do: write this agent, read every node.
fn recovery_identity(node: &str) -> Identity {
    let rules = format!(
        "agent {node:?} {{ policy = \"write\" }}\nnode_prefix \"\" {{ policy = \"read\" }}"
    );
    let policy = Policy::parse(&rules).unwrap_or_default();
    Identity {
        accessor_id: "agent-recovery-token".into(),
        authz: Authorizer::from_policies([&policy], StaticAuthorizer::DenyAll),
    }
}
