//! The root of all tables. Cloning it is O(1): every table is a persistent map.

use std::sync::Arc;

use consul_types::catalog::{HealthCheck, Node, NodeService};
use consul_types::kv::DirEntry;
use imbl::{OrdMap, OrdSet};

use crate::index::Indexes;

/// `(node name, id)`: primary key of services and checks.
pub(crate) type NodeKey = (String, String);

/// One published version of the whole state.
#[derive(Debug, Clone, Default)]
pub(crate) struct Tables {
    /// Commit sequence number of this version (not a Raft index).
    pub seq: u64,
    /// KV entries by key. Keys are shared (`Arc<str>`), so that copying a tree node on
    /// write costs reference-count bumps rather than a string allocation per key.
    pub kvs: OrdMap<Arc<str>, Arc<DirEntry>>,
    /// Graveyard: deleted key (or deleted tree prefix) → index of the delete.
    pub tombstones: OrdMap<String, u64>,
    /// Nodes by name.
    pub nodes: OrdMap<String, Arc<Node>>,
    /// Service instances by (node, service id).
    pub services: OrdMap<NodeKey, Arc<NodeService>>,
    /// Checks by (node, check id).
    pub checks: OrdMap<NodeKey, Arc<HealthCheck>>,
    /// Secondary index: service name → its instances.
    pub services_by_name: OrdMap<String, OrdSet<NodeKey>>,
    /// Sessions by ID.
    pub sessions: OrdMap<String, Arc<consul_types::session::Session>>,
    /// Secondary index: `(node, session id)`.
    pub sessions_by_node: OrdSet<(String, String)>,
    /// Secondary index: `(node, check id, session id)` for every bound check.
    pub session_checks: OrdSet<(String, String, String)>,
    /// Per session, the keys it locked while alive (a superset; see `session.rs`).
    pub session_locks: OrdMap<String, OrdSet<Arc<str>>>,
    /// ACL policies, roles and tokens.
    pub acl: crate::acl::AclTables,
    /// The autopilot configuration, once set (`autopilot.rs`).
    pub autopilot: Option<Arc<consul_types::autopilot::AutopilotConfig>>,
    /// The index table.
    pub indexes: Indexes,
}

/// Every `(node, x)` key of a map keyed by [`NodeKey`] that belongs to `node`.
pub(crate) fn node_range<'a, V: Clone>(
    map: &'a OrdMap<NodeKey, V>,
    node: &'a str,
) -> impl Iterator<Item = (&'a NodeKey, &'a V)> + 'a {
    map.range((node.to_string(), String::new())..)
        .take_while(move |(k, _)| k.0 == node)
}

/// Entries of a string-keyed map whose key starts with `prefix`, in order.
pub(crate) fn prefix_range<'a, K, V>(
    map: &'a OrdMap<K, V>,
    prefix: &'a str,
) -> impl Iterator<Item = (&'a K, &'a V)> + 'a
where
    K: Ord + Clone + std::borrow::Borrow<str>,
    V: Clone,
{
    map.range::<_, str>((
        std::ops::Bound::Included(prefix),
        std::ops::Bound::Unbounded,
    ))
    .take_while(move |(k, _)| (*k).borrow().starts_with(prefix))
}
