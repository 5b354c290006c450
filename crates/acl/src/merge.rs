//! Merging the policies of a token (its own, its roles', its identities')
//! into one, as Consul's `PolicyMerger` does: per resource and per segment —
//! exact and prefix rules kept apart — the level that takes precedence wins
//! (deny, then write, then list, then read). A label repeated within one
//! policy merges the same way.
//!
//! For services the service level and the intentions level merge
//! separately, so `service "a" { policy = "write" }` in one policy and
//! `service "a" { policy = "read" intentions = "deny" }` in another give
//! write on the service and deny on its intentions.

use std::collections::BTreeMap;

use crate::access::Access;
use crate::rules::{Policy, Rule, ServiceRule};

/// Merges policies into one whose every list has at most one rule per
/// segment (sorted by segment). Merging is order-independent.
pub fn merge_policies<'a>(policies: impl IntoIterator<Item = &'a Policy>) -> Policy {
    let mut m = Merger::default();
    for p in policies {
        m.add(p);
    }
    m.finish()
}

/// One segment → level map per rule list.
type Levels = BTreeMap<String, Access>;

/// Service segment → (service level, intentions level).
type ServiceLevels = BTreeMap<String, (Access, Option<Access>)>;

#[derive(Default)]
struct Merger {
    acl: Option<Access>,
    keyring: Option<Access>,
    operator: Option<Access>,
    agents: Levels,
    agent_prefixes: Levels,
    events: Levels,
    event_prefixes: Levels,
    keys: Levels,
    key_prefixes: Levels,
    nodes: Levels,
    node_prefixes: Levels,
    queries: Levels,
    query_prefixes: Levels,
    sessions: Levels,
    session_prefixes: Levels,
    services: ServiceLevels,
    service_prefixes: ServiceLevels,
}

fn add_rules(into: &mut Levels, rules: &[Rule]) {
    for r in rules {
        into.entry(r.segment.clone())
            .and_modify(|cur| {
                if r.access.takes_precedence_over(*cur) {
                    *cur = r.access;
                }
            })
            .or_insert(r.access);
    }
}

fn add_services(into: &mut ServiceLevels, rules: &[ServiceRule]) {
    for r in rules {
        into.entry(r.segment.clone())
            .and_modify(|(access, intentions)| {
                if r.access.takes_precedence_over(*access) {
                    *access = r.access;
                }
                *intentions = Access::merge(*intentions, r.intentions);
            })
            .or_insert((r.access, r.intentions));
    }
}

fn rules(levels: Levels) -> Vec<Rule> {
    levels
        .into_iter()
        .map(|(segment, access)| Rule { segment, access })
        .collect()
}

fn services(levels: ServiceLevels) -> Vec<ServiceRule> {
    levels
        .into_iter()
        .map(|(segment, (access, intentions))| ServiceRule {
            segment,
            access,
            intentions,
        })
        .collect()
}

impl Merger {
    fn add(&mut self, p: &Policy) {
        self.acl = Access::merge(self.acl, p.acl);
        self.keyring = Access::merge(self.keyring, p.keyring);
        self.operator = Access::merge(self.operator, p.operator);
        add_rules(&mut self.agents, &p.agents);
        add_rules(&mut self.agent_prefixes, &p.agent_prefixes);
        add_rules(&mut self.events, &p.events);
        add_rules(&mut self.event_prefixes, &p.event_prefixes);
        add_rules(&mut self.keys, &p.keys);
        add_rules(&mut self.key_prefixes, &p.key_prefixes);
        add_rules(&mut self.nodes, &p.nodes);
        add_rules(&mut self.node_prefixes, &p.node_prefixes);
        add_rules(&mut self.queries, &p.queries);
        add_rules(&mut self.query_prefixes, &p.query_prefixes);
        add_rules(&mut self.sessions, &p.sessions);
        add_rules(&mut self.session_prefixes, &p.session_prefixes);
        add_services(&mut self.services, &p.services);
        add_services(&mut self.service_prefixes, &p.service_prefixes);
    }

    fn finish(self) -> Policy {
        Policy {
            acl: self.acl,
            agents: rules(self.agents),
            agent_prefixes: rules(self.agent_prefixes),
            events: rules(self.events),
            event_prefixes: rules(self.event_prefixes),
            keys: rules(self.keys),
            key_prefixes: rules(self.key_prefixes),
            keyring: self.keyring,
            nodes: rules(self.nodes),
            node_prefixes: rules(self.node_prefixes),
            operator: self.operator,
            queries: rules(self.queries),
            query_prefixes: rules(self.query_prefixes),
            services: services(self.services),
            service_prefixes: services(self.service_prefixes),
            sessions: rules(self.sessions),
            session_prefixes: rules(self.session_prefixes),
        }
    }
}
