//! One snapshot section per table: how each table's rows are written and
//! read back. Every match here is exhaustive over [`Table`], so a new table
//! cannot be left out of snapshots by accident.

use std::sync::Arc;

use consul_types::acl::{AclPolicy, AclRole, AclToken};
use consul_types::acl_auth::{AclAuthMethod, AclBindingRule};
use consul_types::autopilot::AutopilotConfig;
use consul_types::catalog::{HealthCheck, Node, NodeService};
use consul_types::kv::DirEntry;
use consul_types::session::Session;
use serde::{Deserialize, Serialize};

use crate::error::StateError;
use crate::table::Table;
use crate::tables::Tables;

/// The services section: instances plus the per-name indexes.
#[derive(Serialize, Deserialize)]
struct ServicesSection<S> {
    /// `(node, service)`.
    rows: Vec<(String, S)>,
    /// `service.<name>` index entries.
    name_indexes: Vec<(String, u64)>,
    /// Index of the last write that removed a service's final instance.
    extinction: u64,
}

/// The ACL tokens section: tokens plus the bootstrap index.
#[derive(Serialize, Deserialize)]
struct TokensSection<T> {
    /// Every token.
    rows: Vec<T>,
    /// Raft index of the bootstrap (0: never).
    bootstrap_index: u64,
}

fn encode<T: Serialize + ?Sized>(rows: &T) -> Vec<u8> {
    // Plain data with string map keys always serializes into a Vec.
    rmp_serde::to_vec_named(rows).expect("snapshot section encodes")
}

fn decode<'a, T: Deserialize<'a>>(table: Table, rows: &'a [u8]) -> Result<T, StateError> {
    rmp_serde::from_slice(rows)
        .map_err(|e| StateError::Corrupt(format!("table {:?}: {e}", table.name())))
}

/// Whether a server that does not know `table` may restore an image without
/// it. No table so far: each holds state a server must not lose.
pub(super) fn ignorable(table: Table) -> bool {
    match table {
        Table::Nodes | Table::Services | Table::Checks | Table::Kvs | Table::Tombstones => false,
        Table::Sessions => false,
        Table::AclPolicies | Table::AclRoles | Table::AclTokens => false,
        Table::AclAuthMethods | Table::AclBindingRules => false,
        Table::Autopilot => false,
    }
}

/// Bytes one row takes in a section.
pub(super) fn row_size<T: Serialize>(row: &T) -> usize {
    encode(row).len()
}

/// How many rows `table` holds.
pub(super) fn count(t: &Tables, table: Table) -> usize {
    match table {
        Table::Nodes => t.nodes.len(),
        Table::Services => t.services.len(),
        Table::Checks => t.checks.len(),
        Table::Kvs => t.kvs.len(),
        Table::Tombstones => t.tombstones.len(),
        Table::Sessions => t.sessions.len(),
        Table::AclPolicies => t.acl.policies.len(),
        Table::AclRoles => t.acl.roles.len(),
        Table::AclTokens => t.acl.tokens.len(),
        Table::AclAuthMethods => t.acl.auth_methods.len(),
        Table::AclBindingRules => t.acl.binding_rules.len(),
        Table::Autopilot => usize::from(t.autopilot.is_some()),
    }
}

/// The rows of `table`, encoded.
pub(super) fn dump(t: &Tables, table: Table) -> Vec<u8> {
    match table {
        Table::Nodes => encode(&t.nodes.values().map(|n| &**n).collect::<Vec<&Node>>()),
        Table::Services => encode(&ServicesSection {
            rows: t
                .services
                .iter()
                .map(|(k, s)| (k.0.clone(), &**s))
                .collect::<Vec<(String, &NodeService)>>(),
            name_indexes: t
                .indexes
                .services
                .iter()
                .map(|(k, v)| (k.clone(), *v))
                .collect(),
            extinction: t.indexes.service_extinction,
        }),
        Table::Checks => encode(
            &t.checks
                .values()
                .map(|c| &**c)
                .collect::<Vec<&HealthCheck>>(),
        ),
        Table::Kvs => encode(&t.kvs.values().map(|e| &**e).collect::<Vec<&DirEntry>>()),
        Table::Tombstones => encode(&t.tombstones.iter().collect::<Vec<(&String, &u64)>>()),
        Table::Sessions => encode(&t.sessions.values().map(|s| &**s).collect::<Vec<&Session>>()),
        Table::AclPolicies => encode(&t.acl.policies.values().map(|p| &**p).collect::<Vec<_>>()),
        Table::AclRoles => encode(&t.acl.roles.values().map(|r| &**r).collect::<Vec<_>>()),
        Table::AclTokens => encode(&TokensSection {
            rows: t
                .acl
                .tokens
                .values()
                .map(|x| &**x)
                .collect::<Vec<&AclToken>>(),
            bootstrap_index: t.acl.bootstrap_index,
        }),
        Table::AclAuthMethods => encode(
            &t.acl
                .auth_methods
                .values()
                .map(|m| &**m)
                .collect::<Vec<_>>(),
        ),
        Table::AclBindingRules => encode(
            &t.acl
                .binding_rules
                .values()
                .map(|r| &**r)
                .collect::<Vec<_>>(),
        ),
        Table::Autopilot => encode(&t.autopilot.as_deref()),
    }
}

/// Load `table`'s encoded rows into `t` (tables it refers to are loaded).
pub(super) fn load(t: &mut Tables, table: Table, rows: &[u8]) -> Result<(), StateError> {
    match table {
        Table::Nodes => load_nodes(t, decode(table, rows)?),
        Table::Services => {
            let s: ServicesSection<NodeService> = decode(table, rows)?;
            load_services(t, s.rows, s.name_indexes, s.extinction)
        }
        Table::Checks => load_checks(t, decode(table, rows)?),
        Table::Kvs => load_kvs(t, decode(table, rows)?),
        Table::Tombstones => load_tombstones(t, decode(table, rows)?),
        Table::Sessions => load_sessions(t, decode(table, rows)?),
        Table::AclPolicies => {
            let rows: Vec<AclPolicy> = decode(table, rows)?;
            rows.into_iter().for_each(|p| t.acl.insert_policy(p));
            Ok(())
        }
        Table::AclRoles => {
            let rows: Vec<AclRole> = decode(table, rows)?;
            rows.into_iter().for_each(|r| t.acl.insert_role(r));
            Ok(())
        }
        Table::AclTokens => {
            let s: TokensSection<AclToken> = decode(table, rows)?;
            s.rows.into_iter().for_each(|x| t.acl.insert_token(x));
            t.acl.bootstrap_index = s.bootstrap_index;
            Ok(())
        }
        Table::AclAuthMethods => {
            let rows: Vec<AclAuthMethod> = decode(table, rows)?;
            for m in rows {
                t.acl.auth_methods.insert(m.name.clone(), Arc::new(m));
            }
            Ok(())
        }
        Table::AclBindingRules => {
            let rows: Vec<AclBindingRule> = decode(table, rows)?;
            for r in rows {
                t.acl.binding_rules.insert(r.id.clone(), Arc::new(r));
            }
            Ok(())
        }
        Table::Autopilot => {
            let row: Option<AutopilotConfig> = decode(table, rows)?;
            t.autopilot = row.map(Arc::new);
            Ok(())
        }
    }
}

pub(super) fn load_nodes(t: &mut Tables, rows: Vec<Node>) -> Result<(), StateError> {
    for n in rows {
        t.nodes.insert(n.node.clone(), Arc::new(n));
    }
    Ok(())
}

pub(super) fn load_services(
    t: &mut Tables,
    rows: Vec<(String, NodeService)>,
    name_indexes: Vec<(String, u64)>,
    extinction: u64,
) -> Result<(), StateError> {
    for (node, s) in rows {
        if !t.nodes.contains_key(&node) {
            return Err(StateError::Corrupt(format!(
                "service {:?} on unknown node {node:?}",
                s.id
            )));
        }
        let key = (node, s.id.clone());
        let mut set = t
            .services_by_name
            .get(&s.service)
            .cloned()
            .unwrap_or_default();
        set.insert(key.clone());
        t.services_by_name.insert(s.service.clone(), set);
        t.services.insert(key, Arc::new(s));
    }
    for (name, idx) in name_indexes {
        if t.services_by_name.contains_key(&name) {
            t.indexes.services.insert(name, idx);
        }
    }
    t.indexes.service_extinction = extinction;
    Ok(())
}

pub(super) fn load_checks(t: &mut Tables, rows: Vec<HealthCheck>) -> Result<(), StateError> {
    for c in rows {
        if !t.nodes.contains_key(&c.node) {
            return Err(StateError::Corrupt(format!(
                "check {:?} on unknown node {:?}",
                c.check_id, c.node
            )));
        }
        t.checks
            .insert((c.node.clone(), c.check_id.clone()), Arc::new(c));
    }
    Ok(())
}

pub(super) fn load_kvs(t: &mut Tables, rows: Vec<DirEntry>) -> Result<(), StateError> {
    for e in rows {
        t.kvs.insert(Arc::from(e.key.as_str()), Arc::new(e));
    }
    Ok(())
}

pub(super) fn load_tombstones(t: &mut Tables, rows: Vec<(String, u64)>) -> Result<(), StateError> {
    for (k, idx) in rows {
        t.tombstones.insert(k, idx);
    }
    Ok(())
}

/// Sessions, their secondary indexes, and the lock index rebuilt from the
/// KV entries they hold (KV restores first).
pub(super) fn load_sessions(t: &mut Tables, rows: Vec<Session>) -> Result<(), StateError> {
    for s in rows {
        crate::session::index_session(t, &s);
        t.sessions.insert(s.id.clone(), Arc::new(s));
    }
    let held: Vec<(String, Arc<str>)> = t
        .kvs
        .iter()
        .filter(|(_, e)| !e.session.is_empty())
        .map(|(k, e)| (e.session.clone(), k.clone()))
        .collect();
    for (session, key) in held {
        let mut set = t.session_locks.get(&session).cloned().unwrap_or_default();
        set.insert(key);
        t.session_locks.insert(session, set);
    }
    Ok(())
}
