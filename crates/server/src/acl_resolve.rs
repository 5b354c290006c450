//! Token resolution on the server that serves a request: secret → token →
//! its policies, roles and identities → one [`Authorizer`], with the
//! `default_policy` behind it. The dispatcher calls it once per request
//! ([`crate::dispatch`]); nothing else decides who may do what.
//!
//! Resolutions are cached per secret and stamped with the ACL tables' index:
//! an entry is reused until any token, policy or role write moves that index,
//! so a steady workload parses no rules, and a revoked grant stops working
//! at the write that revokes it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use consul_acl::builtin::ANONYMOUS_TOKEN_ID;
use consul_acl::{Authorizer, StaticAuthorizer};
use consul_state::{ReadTxn, WatchSet};
use consul_types::acl::{AclPolicy, AclRole, AclToken};
use consul_types::timestamp::Timestamp;

use crate::rpc::Token;
use crate::{RpcError, Server};

/// Most secrets remembered at once; the cache starts over beyond it.
const CACHE_LIMIT: usize = 4096;

/// The server's ACL settings (the agent's `acl` block).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AclSettings {
    /// `acl.enabled`.
    pub enabled: bool,
    /// `acl.default_policy` is "allow" (Consul's default) rather than "deny".
    pub default_allow: bool,
    /// `acl.tokens.initial_management` (alias `master`): the leader makes
    /// it a management token.
    pub initial_management: Option<String>,
    /// `acl.enable_key_list_policy`: listing keys needs `list`, not `read`.
    pub enable_key_list_policy: bool,
}

impl Default for AclSettings {
    fn default() -> Self {
        AclSettings {
            enabled: false,
            default_allow: true,
            initial_management: None,
            enable_key_list_policy: false,
        }
    }
}

impl AclSettings {
    /// The authorizer behind every token: `default_policy`.
    pub fn default_authorizer(&self) -> StaticAuthorizer {
        if self.default_allow {
            StaticAuthorizer::AllowAll
        } else {
            StaticAuthorizer::DenyAll
        }
    }
}

/// Who a request comes from, as far as ACLs care.
#[derive(Debug, Clone)]
pub struct Identity {
    /// The token's accessor ID ("" with ACLs disabled).
    pub accessor_id: String,
    /// What it may do.
    pub authz: Authorizer,
}

impl Identity {
    /// Everything allowed (ACLs disabled).
    pub fn unrestricted() -> Identity {
        Identity {
            accessor_id: String::new(),
            authz: Authorizer::fixed(StaticAuthorizer::ManageAll),
        }
    }
}

/// The per-secret resolution cache.
#[derive(Debug, Default)]
pub(crate) struct ResolveCache {
    entries: Mutex<HashMap<String, (u64, Arc<Identity>)>>,
}

impl ResolveCache {
    fn get(&self, secret: &str, acl_index: u64) -> Option<Arc<Identity>> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(secret)
            .filter(|(idx, _)| *idx == acl_index)
            .map(|(_, id)| id.clone())
    }

    fn put(&self, secret: &str, acl_index: u64, id: Arc<Identity>) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= CACHE_LIMIT {
            entries.clear();
        }
        entries.insert(secret.to_string(), (acl_index, id));
    }
}

impl Server {
    /// Resolve the caller's token into what it may do. With ACLs disabled
    /// everything is allowed; an unknown or expired secret is "ACL not found".
    pub fn resolve_token(&self, token: &Token) -> Result<Arc<Identity>, RpcError> {
        let settings = &self.config().acl;
        if !settings.enabled {
            return Ok(Arc::new(Identity::unrestricted()));
        }
        let _t = consul_telemetry::timer(&["acl", "ResolveToken"]);
        let snap = self.store().snapshot();
        let index = snap.acl_index();
        let secret = token.secret();
        if let Some(hit) = self.acl_cache().get(secret, index) {
            return Ok(hit);
        }
        let token = find_live_token(&snap, secret)?;
        let identity = Arc::new(Identity {
            accessor_id: token.accessor_id.clone(),
            authz: authorizer_for(&snap, &token, &self.config().datacenter, settings),
        });
        self.acl_cache().put(secret, index, identity.clone());
        Ok(identity)
    }
}

/// The live token a secret names: "" is the anonymous token (with no
/// grants before the leader has written it); an unknown or expired secret
/// is "ACL not found".
pub(crate) fn find_live_token(snap: &ReadTxn, secret: &str) -> Result<AclToken, RpcError> {
    match find_token(snap, secret) {
        Some(t) if !t.expired(Timestamp::now()) => Ok(t),
        None if secret.is_empty() => Ok(AclToken {
            accessor_id: ANONYMOUS_TOKEN_ID.into(),
            ..Default::default()
        }),
        _ => Err(RpcError::AclNotFound),
    }
}

/// The token a secret names ("" is the anonymous token).
fn find_token(snap: &ReadTxn, secret: &str) -> Option<AclToken> {
    let mut ws = WatchSet::new();
    if secret.is_empty() {
        return snap.acl_token_by_accessor(&mut ws, ANONYMOUS_TOKEN_ID).1;
    }
    snap.acl_token_by_secret(&mut ws, secret).1
}

/// The roles and policies `token` links (directly or through its roles),
/// from the state: what [`consul_acl::compile::token_authorizer`] needs.
pub(crate) fn grants_of(snap: &ReadTxn, token: &AclToken) -> (Vec<AclRole>, Vec<AclPolicy>) {
    let mut ws = WatchSet::new();
    let roles: Vec<AclRole> = token
        .roles
        .iter()
        .filter_map(|l| snap.acl_role_by_id(&mut ws, &l.id).1)
        .collect();
    let mut ids: Vec<&str> = token.policies.iter().map(|l| l.id.as_str()).collect();
    ids.extend(
        roles
            .iter()
            .flat_map(|r| r.policies.iter().map(|l| l.id.as_str())),
    );
    ids.sort_unstable();
    ids.dedup();
    let policies = ids
        .into_iter()
        .filter_map(|id| snap.acl_policy_by_id(&mut ws, id).1)
        .collect();
    (roles, policies)
}

/// Compile everything `token` grants in datacenter `dc`, from the state.
pub(crate) fn authorizer_for(
    snap: &ReadTxn,
    token: &AclToken,
    dc: &str,
    settings: &AclSettings,
) -> Authorizer {
    let (roles, policies) = grants_of(snap, token);
    consul_acl::compile::token_authorizer(
        token,
        &roles,
        &policies,
        dc,
        settings.default_authorizer(),
    )
}
