//! ACL tables: policies (by ID, with a unique-name index), roles (the same)
//! and tokens (by accessor ID, with a unique-secret index), plus the index of
//! the bootstrap, which allows it only once (unless reset).
//!
//! The leader validates a write and fills IDs, links and hashes before it
//! enters Raft; the rules here are the ones every server must apply alike:
//! names and secrets stay unique, a token or role links only to existing
//! policies and roles, and deleting a policy or role unlinks it.

use std::sync::Arc;

use consul_types::acl::{AclPolicy, AclRequest, AclRole, AclToken};

use crate::error::StateError;
use crate::store::Store;
use crate::table::Table;
use crate::txn::{ReadTxn, WriteTxn};
use crate::watch::WatchSet;

/// The ACL rows of one version of the state.
#[derive(Debug, Clone, Default)]
pub(crate) struct AclTables {
    /// Policies by ID.
    pub policies: imbl::OrdMap<String, Arc<AclPolicy>>,
    /// Policy name → ID.
    pub policy_names: imbl::OrdMap<String, String>,
    /// Roles by ID.
    pub roles: imbl::OrdMap<String, Arc<AclRole>>,
    /// Role name → ID.
    pub role_names: imbl::OrdMap<String, String>,
    /// Tokens by accessor ID.
    pub tokens: imbl::OrdMap<String, Arc<AclToken>>,
    /// Token secret → accessor ID.
    pub token_secrets: imbl::OrdMap<String, String>,
    /// Raft index of the bootstrap (0: never bootstrapped).
    pub bootstrap_index: u64,
    /// Auth methods by name (`acl_auth.rs`).
    pub auth_methods: imbl::OrdMap<String, Arc<consul_types::acl_auth::AclAuthMethod>>,
    /// Binding rules by ID (`acl_auth.rs`).
    pub binding_rules: imbl::OrdMap<String, Arc<consul_types::acl_auth::AclBindingRule>>,
}

impl AclTables {
    pub(crate) fn insert_policy(&mut self, p: AclPolicy) {
        self.policy_names.insert(p.name.clone(), p.id.clone());
        self.policies.insert(p.id.clone(), Arc::new(p));
    }

    pub(crate) fn insert_role(&mut self, r: AclRole) {
        self.role_names.insert(r.name.clone(), r.id.clone());
        self.roles.insert(r.id.clone(), Arc::new(r));
    }

    pub(crate) fn insert_token(&mut self, t: AclToken) {
        self.token_secrets
            .insert(t.secret_id.clone(), t.accessor_id.clone());
        self.tokens.insert(t.accessor_id.clone(), Arc::new(t));
    }
}

fn invalid(msg: impl Into<String>) -> StateError {
    StateError::InvalidRequest(msg.into())
}

impl Store {
    /// Apply one ACL write at `index`, all of it or nothing.
    pub fn acl_apply(&self, index: u64, req: &AclRequest) -> Result<(), StateError> {
        let mut tx = self.write(index);
        tx.acl_apply(req)?;
        tx.commit();
        Ok(())
    }
}

impl WriteTxn<'_> {
    /// Apply one ACL write.
    pub fn acl_apply(&mut self, req: &AclRequest) -> Result<(), StateError> {
        match req {
            AclRequest::Bootstrap { token, reset_index } => {
                self.acl_bootstrap(token.clone(), *reset_index)
            }
            AclRequest::TokenSet(tokens) => tokens
                .iter()
                .try_for_each(|t| self.acl_token_set(t.clone())),
            AclRequest::TokenDelete(ids) => {
                ids.iter().for_each(|id| self.acl_token_delete(id));
                Ok(())
            }
            AclRequest::PolicySet(ps) => ps.iter().try_for_each(|p| self.acl_policy_set(p.clone())),
            AclRequest::PolicyDelete(ids) => {
                ids.iter().for_each(|id| self.acl_policy_delete(id));
                Ok(())
            }
            AclRequest::RoleSet(rs) => rs.iter().try_for_each(|r| self.acl_role_set(r.clone())),
            AclRequest::RoleDelete(ids) => {
                ids.iter().for_each(|id| self.acl_role_delete(id));
                Ok(())
            }
            AclRequest::AuthMethodSet(ms) => ms
                .iter()
                .try_for_each(|m| self.acl_auth_method_set(m.clone())),
            AclRequest::AuthMethodDelete(names) => {
                names.iter().for_each(|n| self.acl_auth_method_delete(n));
                Ok(())
            }
            AclRequest::BindingRuleSet(rs) => rs
                .iter()
                .try_for_each(|r| self.acl_binding_rule_set(r.clone())),
            AclRequest::BindingRuleDelete(ids) => {
                ids.iter().for_each(|id| self.acl_binding_rule_delete(id));
                Ok(())
            }
        }
    }

    /// The bootstrap: allowed once, or again when `reset_index` names the
    /// last bootstrap's index (Consul's `acl-bootstrap-reset` file).
    pub fn acl_bootstrap(&mut self, token: AclToken, reset_index: u64) -> Result<(), StateError> {
        let done = self.t.acl.bootstrap_index;
        if done != 0 && reset_index != done {
            return Err(invalid(format!(
                "ACL bootstrap no longer allowed (reset index: {done})"
            )));
        }
        self.acl_token_set(token)?;
        self.t.acl.bootstrap_index = self.index;
        Ok(())
    }

    /// Create or replace a token (matched by accessor ID).
    pub fn acl_token_set(&mut self, mut t: AclToken) -> Result<(), StateError> {
        if t.accessor_id.is_empty() || t.secret_id.is_empty() {
            return Err(invalid("Missing token AccessorID or SecretID"));
        }
        if let Some(owner) = self.t.acl.token_secrets.get(&t.secret_id) {
            if *owner != t.accessor_id {
                return Err(invalid("Invalid Token: SecretID is already in use"));
            }
        }
        for p in &mut t.policies {
            let policy = self
                .t
                .acl
                .policies
                .get(&p.id)
                .ok_or_else(|| invalid(format!("No such policy ID: {}", p.id)))?;
            p.name = policy.name.clone();
        }
        for r in &mut t.roles {
            let role = self
                .t
                .acl
                .roles
                .get(&r.id)
                .ok_or_else(|| invalid(format!("No such role ID: {}", r.id)))?;
            r.name = role.name.clone();
        }
        match self.t.acl.tokens.get(&t.accessor_id).cloned() {
            Some(old) => {
                if old.secret_id != t.secret_id {
                    return Err(invalid(
                        "Invalid Token: SecretID cannot be changed for an existing token",
                    ));
                }
                t.create_index = old.create_index;
            }
            None => t.create_index = self.index,
        }
        t.modify_index = self.index;
        self.t.acl.insert_token(t);
        self.touch(Table::AclTokens);
        Ok(())
    }

    /// Delete a token; an unknown accessor is a no-op.
    pub fn acl_token_delete(&mut self, accessor_id: &str) {
        if let Some(t) = self.t.acl.tokens.remove(accessor_id) {
            self.t.acl.token_secrets.remove(&t.secret_id);
            self.touch(Table::AclTokens);
        }
    }

    /// Create or replace a policy (matched by ID); its name must be unique.
    pub fn acl_policy_set(&mut self, mut p: AclPolicy) -> Result<(), StateError> {
        if p.id.is_empty() || p.name.is_empty() {
            return Err(invalid("Missing policy ID or Name"));
        }
        if let Some(owner) = self.t.acl.policy_names.get(&p.name) {
            if *owner != p.id {
                return Err(invalid(format!(
                    "Invalid Policy: A Policy with Name {:?} already exists",
                    p.name
                )));
            }
        }
        match self.t.acl.policies.get(&p.id).cloned() {
            Some(old) => {
                p.create_index = old.create_index;
                if old.name != p.name {
                    self.t.acl.policy_names.remove(&old.name);
                    self.relink_policy_name(&p.id, &p.name);
                }
            }
            None => p.create_index = self.index,
        }
        p.modify_index = self.index;
        self.t.acl.insert_policy(p);
        self.touch(Table::AclPolicies);
        Ok(())
    }

    /// Delete a policy and unlink it from every token and role.
    pub fn acl_policy_delete(&mut self, id: &str) {
        let Some(p) = self.t.acl.policies.remove(id) else {
            return;
        };
        self.t.acl.policy_names.remove(&p.name);
        self.touch(Table::AclPolicies);
        let tokens: Vec<Arc<AclToken>> = self
            .t
            .acl
            .tokens
            .values()
            .filter(|t| t.policies.iter().any(|l| l.id == id))
            .cloned()
            .collect();
        for t in tokens {
            let mut t = AclToken::clone(&t);
            t.policies.retain(|l| l.id != id);
            t.modify_index = self.index;
            self.t.acl.insert_token(t);
            self.touch(Table::AclTokens);
        }
        let roles: Vec<Arc<AclRole>> = self
            .t
            .acl
            .roles
            .values()
            .filter(|r| r.policies.iter().any(|l| l.id == id))
            .cloned()
            .collect();
        for r in roles {
            let mut r = AclRole::clone(&r);
            r.policies.retain(|l| l.id != id);
            r.modify_index = self.index;
            self.t.acl.insert_role(r);
            self.touch(Table::AclRoles);
        }
    }

    /// After a policy rename, links carry the new name.
    fn relink_policy_name(&mut self, id: &str, name: &str) {
        let rename = |links: &mut Vec<consul_types::acl::Link>| {
            links
                .iter_mut()
                .filter(|l| l.id == id)
                .for_each(|l| l.name = name.to_string())
        };
        let tokens: Vec<AclToken> = self
            .t
            .acl
            .tokens
            .values()
            .filter(|t| t.policies.iter().any(|l| l.id == id))
            .map(|t| AclToken::clone(t))
            .collect();
        for mut t in tokens {
            rename(&mut t.policies);
            self.t.acl.insert_token(t);
        }
        let roles: Vec<AclRole> = self
            .t
            .acl
            .roles
            .values()
            .filter(|r| r.policies.iter().any(|l| l.id == id))
            .map(|r| AclRole::clone(r))
            .collect();
        for mut r in roles {
            rename(&mut r.policies);
            self.t.acl.insert_role(r);
        }
    }

    /// Create or replace a role (matched by ID); its name must be unique and
    /// its policies must exist.
    pub fn acl_role_set(&mut self, mut r: AclRole) -> Result<(), StateError> {
        if r.id.is_empty() || r.name.is_empty() {
            return Err(invalid("Missing role ID or Name"));
        }
        if let Some(owner) = self.t.acl.role_names.get(&r.name) {
            if *owner != r.id {
                return Err(invalid(format!(
                    "Invalid Role: A Role with Name {:?} already exists",
                    r.name
                )));
            }
        }
        for p in &mut r.policies {
            let policy = self
                .t
                .acl
                .policies
                .get(&p.id)
                .ok_or_else(|| invalid(format!("No such policy ID: {}", p.id)))?;
            p.name = policy.name.clone();
        }
        match self.t.acl.roles.get(&r.id).cloned() {
            Some(old) => {
                r.create_index = old.create_index;
                if old.name != r.name {
                    self.t.acl.role_names.remove(&old.name);
                }
            }
            None => r.create_index = self.index,
        }
        r.modify_index = self.index;
        let (id, name) = (r.id.clone(), r.name.clone());
        self.t.acl.insert_role(r);
        let tokens: Vec<AclToken> = self
            .t
            .acl
            .tokens
            .values()
            .filter(|t| t.roles.iter().any(|l| l.id == id && l.name != name))
            .map(|t| AclToken::clone(t))
            .collect();
        for mut t in tokens {
            t.roles
                .iter_mut()
                .filter(|l| l.id == id)
                .for_each(|l| l.name = name.clone());
            self.t.acl.insert_token(t);
        }
        self.touch(Table::AclRoles);
        Ok(())
    }

    /// Delete a role and unlink it from every token.
    pub fn acl_role_delete(&mut self, id: &str) {
        let Some(r) = self.t.acl.roles.remove(id) else {
            return;
        };
        self.t.acl.role_names.remove(&r.name);
        self.touch(Table::AclRoles);
        let tokens: Vec<AclToken> = self
            .t
            .acl
            .tokens
            .values()
            .filter(|t| t.roles.iter().any(|l| l.id == id))
            .map(|t| AclToken::clone(t))
            .collect();
        for mut t in tokens {
            t.roles.retain(|l| l.id != id);
            t.modify_index = self.index;
            self.t.acl.insert_token(t);
            self.touch(Table::AclTokens);
        }
    }
}

/// Which tokens a token list asks for (`/v1/acl/tokens?policy=&role=&authmethod=`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TokenFilter {
    /// Only tokens linking this policy ID.
    pub policy: String,
    /// Only tokens linking this role ID.
    pub role: String,
    /// Only tokens created by this auth method.
    pub auth_method: String,
}

impl ReadTxn {
    /// Index of the ACL tables together (what any ACL read reports, and what
    /// a cached resolution is valid for).
    pub fn acl_index(&self) -> u64 {
        self.max_index(&[Table::AclTokens, Table::AclPolicies, Table::AclRoles])
    }

    /// Raft index of the bootstrap (0: never).
    pub fn acl_bootstrap_index(&self) -> u64 {
        self.t.acl.bootstrap_index
    }

    /// A token by accessor ID.
    pub fn acl_token_by_accessor(&self, ws: &mut WatchSet, id: &str) -> (u64, Option<AclToken>) {
        ws.add_table(Table::AclTokens);
        let t = self.t.acl.tokens.get(id).map(|t| AclToken::clone(t));
        (self.table_index(Table::AclTokens), t)
    }

    /// A token by secret.
    pub fn acl_token_by_secret(&self, ws: &mut WatchSet, secret: &str) -> (u64, Option<AclToken>) {
        ws.add_table(Table::AclTokens);
        let t = self
            .t
            .acl
            .token_secrets
            .get(secret)
            .and_then(|id| self.t.acl.tokens.get(id))
            .map(|t| AclToken::clone(t));
        (self.table_index(Table::AclTokens), t)
    }

    /// The tokens that match `filter`, by accessor ID.
    pub fn acl_tokens(&self, ws: &mut WatchSet, filter: &TokenFilter) -> (u64, Vec<AclToken>) {
        ws.add_table(Table::AclTokens);
        let out = self
            .t
            .acl
            .tokens
            .values()
            .filter(|t| {
                filter.policy.is_empty() || t.policies.iter().any(|l| l.id == filter.policy)
            })
            .filter(|t| filter.role.is_empty() || t.roles.iter().any(|l| l.id == filter.role))
            .filter(|t| filter.auth_method.is_empty() || t.auth_method == filter.auth_method)
            .map(|t| AclToken::clone(t))
            .collect();
        (self.table_index(Table::AclTokens), out)
    }

    /// Accessor IDs of up to `limit` tokens expired at `now` (the leader's
    /// reaper deletes them).
    pub fn acl_expired_tokens(
        &self,
        now: consul_types::timestamp::Timestamp,
        limit: usize,
    ) -> Vec<String> {
        self.t
            .acl
            .tokens
            .values()
            .filter(|t| t.expired(now))
            .take(limit)
            .map(|t| t.accessor_id.clone())
            .collect()
    }

    /// A policy by ID.
    pub fn acl_policy_by_id(&self, ws: &mut WatchSet, id: &str) -> (u64, Option<AclPolicy>) {
        ws.add_table(Table::AclPolicies);
        let p = self.t.acl.policies.get(id).map(|p| AclPolicy::clone(p));
        (self.table_index(Table::AclPolicies), p)
    }

    /// A policy by name.
    pub fn acl_policy_by_name(&self, ws: &mut WatchSet, name: &str) -> (u64, Option<AclPolicy>) {
        match self.t.acl.policy_names.get(name) {
            Some(id) => self.acl_policy_by_id(ws, &id.clone()),
            None => {
                ws.add_table(Table::AclPolicies);
                (self.table_index(Table::AclPolicies), None)
            }
        }
    }

    /// Every policy, by ID.
    pub fn acl_policies(&self, ws: &mut WatchSet) -> (u64, Vec<AclPolicy>) {
        ws.add_table(Table::AclPolicies);
        let out = self
            .t
            .acl
            .policies
            .values()
            .map(|p| AclPolicy::clone(p))
            .collect();
        (self.table_index(Table::AclPolicies), out)
    }

    /// A role by ID.
    pub fn acl_role_by_id(&self, ws: &mut WatchSet, id: &str) -> (u64, Option<AclRole>) {
        ws.add_table(Table::AclRoles);
        let r = self.t.acl.roles.get(id).map(|r| AclRole::clone(r));
        (self.table_index(Table::AclRoles), r)
    }

    /// A role by name.
    pub fn acl_role_by_name(&self, ws: &mut WatchSet, name: &str) -> (u64, Option<AclRole>) {
        match self.t.acl.role_names.get(name) {
            Some(id) => self.acl_role_by_id(ws, &id.clone()),
            None => {
                ws.add_table(Table::AclRoles);
                (self.table_index(Table::AclRoles), None)
            }
        }
    }

    /// Every role, by ID (optionally only those linking `policy`).
    pub fn acl_roles(&self, ws: &mut WatchSet, policy: &str) -> (u64, Vec<AclRole>) {
        ws.add_table(Table::AclRoles);
        let out = self
            .t
            .acl
            .roles
            .values()
            .filter(|r| policy.is_empty() || r.policies.iter().any(|l| l.id == policy))
            .map(|r| AclRole::clone(r))
            .collect();
        (self.table_index(Table::AclRoles), out)
    }
}
