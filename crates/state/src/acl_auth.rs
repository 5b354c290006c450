//! ACL auth methods (by name) and binding rules (by ID). A binding rule
//! needs its auth method; deleting a method deletes its binding rules and
//! every token its logins created, in the same write, as Consul does.

use std::sync::Arc;

use consul_types::acl_auth::{AclAuthMethod, AclBindingRule};

use crate::error::StateError;
use crate::table::Table;
use crate::txn::{ReadTxn, WriteTxn};
use crate::watch::WatchSet;

fn invalid(msg: impl Into<String>) -> StateError {
    StateError::InvalidRequest(msg.into())
}

impl WriteTxn<'_> {
    /// Create or replace an auth method (matched by name).
    pub fn acl_auth_method_set(&mut self, mut m: AclAuthMethod) -> Result<(), StateError> {
        if m.name.is_empty() {
            return Err(invalid("Invalid Auth Method: no Name is set"));
        }
        m.create_index = match self.t.acl.auth_methods.get(&m.name) {
            Some(old) => old.create_index,
            None => self.index,
        };
        m.modify_index = self.index;
        self.t.acl.auth_methods.insert(m.name.clone(), Arc::new(m));
        self.touch(Table::AclAuthMethods);
        Ok(())
    }

    /// Delete an auth method, its binding rules and the tokens it created.
    pub fn acl_auth_method_delete(&mut self, name: &str) {
        if self.t.acl.auth_methods.remove(name).is_none() {
            return;
        }
        self.touch(Table::AclAuthMethods);
        let rules: Vec<String> = self
            .t
            .acl
            .binding_rules
            .values()
            .filter(|r| r.auth_method == name)
            .map(|r| r.id.clone())
            .collect();
        rules.iter().for_each(|id| self.acl_binding_rule_delete(id));
        let tokens: Vec<String> = self
            .t
            .acl
            .tokens
            .values()
            .filter(|t| t.auth_method == name)
            .map(|t| t.accessor_id.clone())
            .collect();
        tokens.iter().for_each(|id| self.acl_token_delete(id));
    }

    /// Create or replace a binding rule (matched by ID); its auth method
    /// must exist.
    pub fn acl_binding_rule_set(&mut self, mut r: AclBindingRule) -> Result<(), StateError> {
        if r.id.is_empty() {
            return Err(invalid("Missing binding rule ID"));
        }
        if !self.t.acl.auth_methods.contains_key(&r.auth_method) {
            return Err(invalid(format!(
                "cannot find auth method with name {:?}",
                r.auth_method
            )));
        }
        r.create_index = match self.t.acl.binding_rules.get(&r.id) {
            Some(old) => old.create_index,
            None => self.index,
        };
        r.modify_index = self.index;
        self.t.acl.binding_rules.insert(r.id.clone(), Arc::new(r));
        self.touch(Table::AclBindingRules);
        Ok(())
    }

    /// Delete a binding rule.
    pub fn acl_binding_rule_delete(&mut self, id: &str) {
        if self.t.acl.binding_rules.remove(id).is_some() {
            self.touch(Table::AclBindingRules);
        }
    }
}

impl ReadTxn {
    /// An auth method by name.
    pub fn acl_auth_method(&self, ws: &mut WatchSet, name: &str) -> (u64, Option<AclAuthMethod>) {
        ws.add_table(Table::AclAuthMethods);
        let m = self
            .t
            .acl
            .auth_methods
            .get(name)
            .map(|m| AclAuthMethod::clone(m));
        (self.table_index(Table::AclAuthMethods), m)
    }

    /// Every auth method, by name.
    pub fn acl_auth_methods(&self, ws: &mut WatchSet) -> (u64, Vec<AclAuthMethod>) {
        ws.add_table(Table::AclAuthMethods);
        let out = self
            .t
            .acl
            .auth_methods
            .values()
            .map(|m| AclAuthMethod::clone(m))
            .collect();
        (self.table_index(Table::AclAuthMethods), out)
    }

    /// A binding rule by ID.
    pub fn acl_binding_rule(&self, ws: &mut WatchSet, id: &str) -> (u64, Option<AclBindingRule>) {
        ws.add_table(Table::AclBindingRules);
        let r = self
            .t
            .acl
            .binding_rules
            .get(id)
            .map(|r| AclBindingRule::clone(r));
        (self.table_index(Table::AclBindingRules), r)
    }

    /// The binding rules of `auth_method` (every rule when empty), by ID.
    pub fn acl_binding_rules(
        &self,
        ws: &mut WatchSet,
        auth_method: &str,
    ) -> (u64, Vec<AclBindingRule>) {
        ws.add_table(Table::AclBindingRules);
        let out = self
            .t
            .acl
            .binding_rules
            .values()
            .filter(|r| auth_method.is_empty() || r.auth_method == auth_method)
            .map(|r| AclBindingRule::clone(r))
            .collect();
        (self.table_index(Table::AclBindingRules), out)
    }
}
