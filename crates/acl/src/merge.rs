//! Merging the policies of a token (its own, its roles', its identities')
//! into one, as Consul's `PolicyMerger` does: per resource and per segment —
//! exact and prefix rules kept apart — the level that takes precedence wins
//! (deny, then write, then list, then read). A label repeated within one
//! policy merges the same way.
//!
//! Levels compete as written, as Consul compares their text: one not in
//! lower case (`"WRITE"`) never replaces another rule's level for the same
//! segment, and any lower-case level replaces it (see
//! [`Access::replaces_as_written`]); between two such levels the first one
//! merged stays. Everything Consul writes itself is in lower case.
//!
//! For services the service level and the intentions level merge
//! separately, so `service "a" { policy = "write" }` in one policy and
//! `service "a" { policy = "read" intentions = "deny" }` in another give
//! write on the service and deny on its intentions.

use std::collections::BTreeMap;

use crate::access::Access;
use crate::rules::{Policy, Rule, ServiceRule};

/// Merges policies into one whose every list has at most one rule per
/// segment (sorted by segment). Merging is order-independent, except
/// between levels of one segment neither written in lower case.
pub fn merge_policies<'a>(policies: impl IntoIterator<Item = &'a Policy>) -> Policy {
    let mut m = Merger::default();
    for p in policies {
        m.add(p);
    }
    m.finish()
}

/// A level as merged so far: the level, and whether it was written in
/// lower case.
type Written = (Access, bool);

/// One segment → level map per rule list.
type Levels = BTreeMap<String, Written>;

/// A service rule as merged so far: its service and intentions levels.
#[derive(Clone, Copy)]
struct ServiceLevels {
    access: Written,
    intentions: Option<Written>,
}

/// Service segment → its merged levels.
type Services = BTreeMap<String, ServiceLevels>;

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
    services: Services,
    service_prefixes: Services,
}

/// Whether `new` replaces `current` (Consul's `takesPrecedenceOver`).
fn replaces(new: Option<Written>, current: Option<Written>) -> bool {
    Access::replaces_as_written(new, current)
}

fn add_rules(into: &mut Levels, rules: &[Rule]) {
    for r in rules {
        let new = (r.access, r.lower_case);
        into.entry(r.segment.clone())
            .and_modify(|cur| {
                if replaces(Some(new), Some(*cur)) {
                    *cur = new;
                }
            })
            .or_insert(new);
    }
}

fn add_services(into: &mut Services, rules: &[ServiceRule]) {
    for r in rules {
        let access = (r.access, r.lower_case);
        let intentions = r.intentions.map(|i| (i, r.intentions_lower_case));
        into.entry(r.segment.clone())
            .and_modify(|cur| {
                if replaces(Some(access), Some(cur.access)) {
                    cur.access = access;
                }
                if replaces(intentions, cur.intentions) {
                    cur.intentions = intentions;
                }
            })
            .or_insert(ServiceLevels { access, intentions });
    }
}

/// A single-valued level: these start absent, so only a lower-case level
/// is ever kept (parsing already drops the others).
fn add_scalar(into: &mut Option<Access>, new: Option<Access>) {
    if replaces(new.map(|a| (a, true)), into.map(|a| (a, true))) {
        *into = new;
    }
}

fn rules(levels: Levels) -> Vec<Rule> {
    levels
        .into_iter()
        .map(|(segment, (access, lower_case))| Rule {
            segment,
            access,
            lower_case,
        })
        .collect()
}

fn services(levels: Services) -> Vec<ServiceRule> {
    levels
        .into_iter()
        .map(|(segment, l)| ServiceRule {
            segment,
            access: l.access.0,
            lower_case: l.access.1,
            intentions: l.intentions.map(|i| i.0),
            intentions_lower_case: l.intentions.is_none_or(|i| i.1),
        })
        .collect()
}

impl Merger {
    fn add(&mut self, p: &Policy) {
        add_scalar(&mut self.acl, p.acl);
        add_scalar(&mut self.keyring, p.keyring);
        add_scalar(&mut self.operator, p.operator);
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
