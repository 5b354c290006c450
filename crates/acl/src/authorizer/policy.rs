//! The authorizer compiled from a token's policies (Consul's
//! `policyAuthorizer`): one trie per resource, each segment holding its
//! exact and its prefix rule. Questions it has no rule for answer `Default`.

use super::{Authorize, Decision};
use crate::access::Access;
use crate::merge::merge_policies;
use crate::rules::{Policy, Rule, ServiceRule};
use crate::tree::Tree;

/// The exact and prefix rule of one segment.
#[derive(Debug, Clone, Copy, Default)]
struct Leaf {
    exact: Option<Access>,
    prefix: Option<Access>,
}

/// Rules of one resource by segment.
type Rules = Tree<Leaf>;

/// Policies merged and compiled for lookups in O(length of the name).
#[derive(Debug, Clone, Default)]
pub struct PolicyAuthorizer {
    acl: Option<Access>,
    keyring: Option<Access>,
    operator: Option<Access>,
    agents: Rules,
    events: Rules,
    intentions: Rules,
    keys: Rules,
    nodes: Rules,
    queries: Rules,
    services: Rules,
    sessions: Rules,
}

fn load(tree: &mut Rules, exact: &[Rule], prefix: &[Rule]) {
    for r in exact {
        tree.entry(&r.segment).exact = Some(r.access);
    }
    for r in prefix {
        tree.entry(&r.segment).prefix = Some(r.access);
    }
}

fn load_services(
    services: &mut Rules,
    intentions: &mut Rules,
    exact: &[ServiceRule],
    prefix: &[ServiceRule],
) {
    for r in exact {
        services.entry(&r.segment).exact = Some(r.access);
        intentions.entry(&r.segment).exact = Some(r.intention_access());
    }
    for r in prefix {
        services.entry(&r.segment).prefix = Some(r.access);
        intentions.entry(&r.segment).prefix = Some(r.intention_access());
    }
}

/// What a rule of level `rule` answers for a request needing `required`
/// (Consul's `enforce`): write grants all, list grants list and read, read
/// grants read, deny refuses.
fn enforce(rule: Access, required: Access) -> Decision {
    let ok = match rule {
        Access::Write => true,
        Access::List => matches!(required, Access::List | Access::Read),
        Access::Read => required == Access::Read,
        Access::Deny => false,
    };
    if ok {
        Decision::Allow
    } else {
        Decision::Deny
    }
}

fn enforce_opt(rule: Option<Access>, required: Access) -> Decision {
    rule.map_or(Decision::Default, |r| enforce(r, required))
}

/// The rule that governs `name`: its exact rule, else the longest prefix rule.
fn lookup(tree: &Rules, name: &str) -> Option<Access> {
    let mut found = None;
    tree.walk_path(name, |whole, leaf| {
        if whole {
            if let Some(e) = leaf.exact {
                found = Some(e);
                return true;
            }
        }
        if let Some(p) = leaf.prefix {
            found = Some(p);
        }
        false
    });
    found
}

fn check(tree: &Rules, name: &str, required: Access) -> Decision {
    enforce_opt(lookup(tree, name), required)
}

/// Allowed if any rule allows (Consul's `anyAllowed`; `intention:read` on
/// `*`). A catch-all `""` prefix rule sets the answer when nothing allows.
fn any_allowed(tree: &Rules, required: Access) -> Decision {
    let mut decision = Decision::Default;
    if let Some(root) = tree.get("") {
        decision = enforce_opt(root.prefix, required);
        if decision == Decision::Allow {
            return decision;
        }
    }
    tree.walk(|leaf| {
        let mut d = enforce_opt(leaf.prefix, required);
        if d != Decision::Allow {
            if let Some(e) = leaf.exact {
                d = enforce(e, required);
            }
        }
        if d == Decision::Allow {
            decision = Decision::Allow;
            return true;
        }
        false
    });
    decision
}

/// Refused if any rule refuses (Consul's `allAllowed`; `node:read` and
/// `service:read` of everything, `intention:write` on `*`); otherwise the
/// catch-all `""` prefix rule's answer, or `Default`.
fn all_allowed(tree: &Rules, required: Access) -> Decision {
    let mut decision = Decision::Default;
    if let Some(root) = tree.get("") {
        decision = enforce_opt(root.prefix, required);
        if decision == Decision::Deny {
            return decision;
        }
    }
    tree.walk(|leaf| {
        let prefix = enforce_opt(leaf.prefix, required);
        let d = match leaf.exact {
            Some(e) if prefix != Decision::Deny => enforce(e, required),
            _ => prefix,
        };
        if d == Decision::Deny {
            decision = Decision::Deny;
            return true;
        }
        false
    });
    decision
}

impl PolicyAuthorizer {
    /// Merges `policies` (see [`crate::merge`]) and compiles the result.
    pub fn new<'a>(policies: impl IntoIterator<Item = &'a Policy>) -> Self {
        let p = merge_policies(policies);
        let mut a = PolicyAuthorizer {
            acl: p.acl,
            keyring: p.keyring,
            operator: p.operator,
            ..Default::default()
        };
        load(&mut a.agents, &p.agents, &p.agent_prefixes);
        load(&mut a.events, &p.events, &p.event_prefixes);
        load(&mut a.keys, &p.keys, &p.key_prefixes);
        load(&mut a.nodes, &p.nodes, &p.node_prefixes);
        load(&mut a.queries, &p.queries, &p.query_prefixes);
        load(&mut a.sessions, &p.sessions, &p.session_prefixes);
        load_services(
            &mut a.services,
            &mut a.intentions,
            &p.services,
            &p.service_prefixes,
        );
        a
    }
}

impl Authorize for PolicyAuthorizer {
    fn acl_read(&self) -> Decision {
        enforce_opt(self.acl, Access::Read)
    }
    fn acl_write(&self) -> Decision {
        enforce_opt(self.acl, Access::Write)
    }
    fn agent_read(&self, node: &str) -> Decision {
        check(&self.agents, node, Access::Read)
    }
    fn agent_write(&self, node: &str) -> Decision {
        check(&self.agents, node, Access::Write)
    }
    fn event_read(&self, name: &str) -> Decision {
        check(&self.events, name, Access::Read)
    }
    fn event_write(&self, name: &str) -> Decision {
        check(&self.events, name, Access::Write)
    }
    fn intention_default_allow(&self) -> Decision {
        Decision::Default
    }
    fn intention_read(&self, name: &str) -> Decision {
        if name == crate::WILDCARD {
            return any_allowed(&self.intentions, Access::Read);
        }
        check(&self.intentions, name, Access::Read)
    }
    fn intention_write(&self, name: &str) -> Decision {
        if name == crate::WILDCARD {
            return all_allowed(&self.intentions, Access::Write);
        }
        check(&self.intentions, name, Access::Write)
    }
    fn key_list(&self, key: &str) -> Decision {
        check(&self.keys, key, Access::List)
    }
    fn key_read(&self, key: &str) -> Decision {
        check(&self.keys, key, Access::Read)
    }
    fn key_write(&self, key: &str) -> Decision {
        check(&self.keys, key, Access::Write)
    }
    fn key_write_prefix(&self, prefix: &str) -> Decision {
        // The longest prefix rule covering `prefix` must grant write...
        let mut base = Decision::Default;
        self.keys.walk_path(prefix, |_, leaf| {
            if let Some(p) = leaf.prefix {
                base = if p == Access::Write {
                    Decision::Allow
                } else {
                    Decision::Deny
                };
            }
            false
        });
        if base == Decision::Deny {
            return base;
        }
        // ...and no rule at or under it may grant less.
        let mut under_denies = false;
        self.keys.walk_prefix(prefix, |leaf| {
            under_denies = [leaf.prefix, leaf.exact]
                .into_iter()
                .flatten()
                .any(|a| a != Access::Write);
            under_denies
        });
        if under_denies {
            Decision::Deny
        } else {
            base
        }
    }
    fn keyring_read(&self) -> Decision {
        enforce_opt(self.keyring, Access::Read)
    }
    fn keyring_write(&self) -> Decision {
        enforce_opt(self.keyring, Access::Write)
    }
    fn node_read(&self, name: &str) -> Decision {
        check(&self.nodes, name, Access::Read)
    }
    fn node_read_all(&self) -> Decision {
        all_allowed(&self.nodes, Access::Read)
    }
    fn node_write(&self, name: &str) -> Decision {
        check(&self.nodes, name, Access::Write)
    }
    fn operator_read(&self) -> Decision {
        enforce_opt(self.operator, Access::Read)
    }
    fn operator_write(&self) -> Decision {
        enforce_opt(self.operator, Access::Write)
    }
    fn prepared_query_read(&self, name: &str) -> Decision {
        check(&self.queries, name, Access::Read)
    }
    fn prepared_query_write(&self, name: &str) -> Decision {
        check(&self.queries, name, Access::Write)
    }
    fn service_read(&self, name: &str) -> Decision {
        check(&self.services, name, Access::Read)
    }
    fn service_read_all(&self) -> Decision {
        all_allowed(&self.services, Access::Read)
    }
    fn service_write(&self, name: &str) -> Decision {
        check(&self.services, name, Access::Write)
    }
    fn session_read(&self, node: &str) -> Decision {
        check(&self.sessions, node, Access::Read)
    }
    fn session_write(&self, node: &str) -> Decision {
        check(&self.sessions, node, Access::Write)
    }
    fn snapshot(&self) -> Decision {
        enforce_opt(self.acl, Access::Write)
    }
}
