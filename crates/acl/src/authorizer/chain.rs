//! [`Authorizer`]: what a resolved token is — its policies first, then the
//! default policy (Consul's `ChainedAuthorizer`).

use std::sync::Arc;

use super::{Authorize, Decision, PolicyAuthorizer, StaticAuthorizer};
use crate::rules::Policy;

/// A chain of authorizers asked in order; the first answer that is not
/// `Default` is the answer, and a question nobody decides is refused. Its
/// answers are therefore only `Allow` or `Deny`. Cheap to clone (shared).
///
/// ```
/// use consul_acl::{Authorize, Authorizer, Policy, StaticAuthorizer};
/// let p = Policy::parse(r#"key_prefix "app/" { policy = "write" }"#).unwrap();
/// let authz = Authorizer::from_policies([&p], StaticAuthorizer::DenyAll);
/// assert!(authz.key_write("app/x").allowed());
/// assert!(authz.key_read("other").enforce().is_err());
/// ```
#[derive(Debug, Clone)]
pub struct Authorizer {
    chain: Arc<[Arc<dyn Authorize>]>,
}

impl Authorizer {
    /// A chain of authorizers, most specific first.
    pub fn new(chain: Vec<Arc<dyn Authorize>>) -> Self {
        Authorizer {
            chain: chain.into(),
        }
    }

    /// A token's authorizer (Consul's `NewPolicyAuthorizerWithDefaults`):
    /// its policies merged and compiled, then `default` (from
    /// `acl.default_policy`, or `ManageAll` for a management fallback).
    pub fn from_policies<'a>(
        policies: impl IntoIterator<Item = &'a Policy>,
        default: StaticAuthorizer,
    ) -> Self {
        Authorizer::new(vec![
            Arc::new(PolicyAuthorizer::new(policies)),
            Arc::new(default),
        ])
    }

    /// One static authorizer alone (e.g. `AllowAll` with ACLs disabled).
    pub fn fixed(s: StaticAuthorizer) -> Self {
        Authorizer::new(vec![Arc::new(s)])
    }

    /// The authorizers of the chain, in order.
    pub fn chain(&self) -> &[Arc<dyn Authorize>] {
        &self.chain
    }

    /// Whether the token may manage ACLs (`acl = "write"`, the
    /// global-management policy, or `ManageAll`) — Consul's test for a
    /// management token.
    pub fn is_management(&self) -> bool {
        self.acl_write().allowed()
    }

    /// The gate of a recursive KV read or key listing under `prefix`, as
    /// Consul's `KVS.List` / `KVS.ListKeys`: with
    /// `acl.enable_key_list_policy` the token needs `key:list` on the prefix
    /// (else the whole request is `Permission denied`); without it there is
    /// no gate. Either way the entries returned are then filtered one by one
    /// with [`Authorize::key_read`].
    pub fn key_list_allowed(&self, prefix: &str, enable_key_list_policy: bool) -> bool {
        !enable_key_list_policy || self.key_list(prefix).allowed()
    }

    fn run(&self, f: impl Fn(&dyn Authorize) -> Decision) -> Decision {
        for a in self.chain.iter() {
            let d = f(a.as_ref());
            if d != Decision::Default {
                return d;
            }
        }
        Decision::Deny
    }
}

impl Authorize for Authorizer {
    fn acl_read(&self) -> Decision {
        self.run(|a| a.acl_read())
    }
    fn acl_write(&self) -> Decision {
        self.run(|a| a.acl_write())
    }
    fn agent_read(&self, node: &str) -> Decision {
        self.run(|a| a.agent_read(node))
    }
    fn agent_write(&self, node: &str) -> Decision {
        self.run(|a| a.agent_write(node))
    }
    fn event_read(&self, name: &str) -> Decision {
        self.run(|a| a.event_read(name))
    }
    fn event_write(&self, name: &str) -> Decision {
        self.run(|a| a.event_write(name))
    }
    fn intention_default_allow(&self) -> Decision {
        self.run(|a| a.intention_default_allow())
    }
    fn intention_read(&self, name: &str) -> Decision {
        self.run(|a| a.intention_read(name))
    }
    fn intention_write(&self, name: &str) -> Decision {
        self.run(|a| a.intention_write(name))
    }
    fn key_list(&self, key: &str) -> Decision {
        self.run(|a| a.key_list(key))
    }
    fn key_read(&self, key: &str) -> Decision {
        self.run(|a| a.key_read(key))
    }
    fn key_write(&self, key: &str) -> Decision {
        self.run(|a| a.key_write(key))
    }
    fn key_write_prefix(&self, prefix: &str) -> Decision {
        self.run(|a| a.key_write_prefix(prefix))
    }
    fn keyring_read(&self) -> Decision {
        self.run(|a| a.keyring_read())
    }
    fn keyring_write(&self) -> Decision {
        self.run(|a| a.keyring_write())
    }
    fn node_read(&self, name: &str) -> Decision {
        self.run(|a| a.node_read(name))
    }
    fn node_read_all(&self) -> Decision {
        self.run(|a| a.node_read_all())
    }
    fn node_write(&self, name: &str) -> Decision {
        self.run(|a| a.node_write(name))
    }
    fn operator_read(&self) -> Decision {
        self.run(|a| a.operator_read())
    }
    fn operator_write(&self) -> Decision {
        self.run(|a| a.operator_write())
    }
    fn prepared_query_read(&self, name: &str) -> Decision {
        self.run(|a| a.prepared_query_read(name))
    }
    fn prepared_query_write(&self, name: &str) -> Decision {
        self.run(|a| a.prepared_query_write(name))
    }
    fn service_read(&self, name: &str) -> Decision {
        self.run(|a| a.service_read(name))
    }
    fn service_read_all(&self) -> Decision {
        self.run(|a| a.service_read_all())
    }
    fn service_write(&self, name: &str) -> Decision {
        self.run(|a| a.service_write(name))
    }
    fn session_read(&self, node: &str) -> Decision {
        self.run(|a| a.session_read(node))
    }
    fn session_write(&self, node: &str) -> Decision {
        self.run(|a| a.session_write(node))
    }
    fn snapshot(&self) -> Decision {
        self.run(|a| a.snapshot())
    }
}
