//! Catalog: node, service and check registration and removal (with Consul's
//! index bookkeeping), and the catalog reads.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use consul_types::catalog::{
    status, DeregisterRequest, HealthCheck, Node, NodeService, NodeServices, RegisterRequest,
    ServiceNode,
};
use imbl::OrdSet;

use crate::error::StateError;
use crate::table::Table;
use crate::tables::{node_range, NodeKey, Tables};
use crate::txn::{ReadTxn, WriteTxn};
use crate::watch::WatchSet;

/// Node fields equal, ignoring the Raft indexes.
fn same_node(a: &Node, b: &Node) -> bool {
    a.id == b.id
        && a.node == b.node
        && a.address == b.address
        && a.datacenter == b.datacenter
        && a.tagged_addresses == b.tagged_addresses
        && a.meta == b.meta
}

/// Service fields equal, ignoring the Raft indexes.
fn same_service(a: &NodeService, b: &NodeService) -> bool {
    NodeService {
        create_index: 0,
        modify_index: 0,
        ..a.clone()
    } == NodeService {
        create_index: 0,
        modify_index: 0,
        ..b.clone()
    }
}

/// Check fields equal, ignoring the Raft indexes.
fn same_check(a: &HealthCheck, b: &HealthCheck) -> bool {
    HealthCheck {
        create_index: 0,
        modify_index: 0,
        ..a.clone()
    } == HealthCheck {
        create_index: 0,
        modify_index: 0,
        ..b.clone()
    }
}

/// Whether a node satisfies every `key=value` filter (Consul's
/// `SatisfiesMetaFilters`).
pub(crate) fn meta_matches(node: &Node, filters: &[(String, String)]) -> bool {
    filters
        .iter()
        .all(|(k, v)| node.meta.get(k).is_some_and(|have| have == v))
}

/// Whether a service carries every wanted tag (case-insensitive, as Consul).
pub(crate) fn tags_match(have: &[String], want: &[String]) -> bool {
    want.iter().all(|w| {
        let w = w.to_lowercase();
        have.iter().any(|h| h.to_lowercase() == w)
    })
}

/// Names of the services registered on `node`.
fn service_names_of_node(t: &Tables, node: &str) -> BTreeSet<String> {
    node_range(&t.services, node)
        .map(|(_, s)| s.service.clone())
        .collect()
}

impl WriteTxn<'_> {
    /// Register what `req` describes: the node (unless `SkipNodeUpdate`), a
    /// service, and checks. Writes that change nothing are skipped, so a
    /// repeated registration moves no index.
    pub fn ensure_registration(&mut self, req: &RegisterRequest) -> Result<(), StateError> {
        if req.node.is_empty() {
            return Err(StateError::InvalidRequest("Must provide node".into()));
        }
        if !req.skip_node_update {
            if req.address.is_empty() {
                return Err(StateError::InvalidRequest(
                    "Must provide address if SkipNodeUpdate is not set".into(),
                ));
            }
            self.ensure_node(Node {
                id: req.id.clone(),
                node: req.node.clone(),
                address: req.address.clone(),
                datacenter: req.datacenter.clone(),
                tagged_addresses: req.tagged_addresses.clone(),
                meta: req.node_meta.clone(),
                create_index: 0,
                modify_index: 0,
            })?;
        }
        if let Some(svc) = &req.service {
            let mut svc = svc.clone();
            if svc.id.is_empty() {
                svc.id = svc.service.clone();
            }
            if svc.service.is_empty() {
                return Err(StateError::InvalidRequest(
                    "Must provide service name with ID".into(),
                ));
            }
            self.ensure_service(&req.node, svc)?;
        }
        for check in req.check.iter().chain(req.checks.iter()) {
            let mut check = check.clone();
            if check.node.is_empty() {
                check.node = req.node.clone();
            }
            self.ensure_check(check)?;
        }
        Ok(())
    }

    /// Insert or update a node, keeping its CreateIndex.
    pub fn ensure_node(&mut self, mut node: Node) -> Result<(), StateError> {
        if node.node.is_empty() {
            return Err(StateError::InvalidRequest("Must provide node".into()));
        }
        match self.t.nodes.get(&node.node) {
            Some(e) if same_node(e, &node) => return Ok(()),
            Some(e) => node.create_index = e.create_index,
            None => node.create_index = self.index,
        }
        node.modify_index = self.index;
        let name = node.node.clone();
        self.t.nodes.insert(name.clone(), Arc::new(node));
        self.touch(Table::Nodes);
        self.changes.node(&name);
        self.touch_services_of_node(&name);
        Ok(())
    }

    /// Insert or update a service instance on a registered node.
    pub fn ensure_service(&mut self, node: &str, mut svc: NodeService) -> Result<(), StateError> {
        if !self.t.nodes.contains_key(node) {
            return Err(StateError::MissingNode(node.to_string()));
        }
        if svc.id.is_empty() {
            return Err(StateError::InvalidRequest("Must provide service ID".into()));
        }
        let key: NodeKey = (node.to_string(), svc.id.clone());
        let existing = self.t.services.get(&key).cloned();
        match &existing {
            Some(e) if same_service(e, &svc) => return Ok(()),
            Some(e) => svc.create_index = e.create_index,
            None => svc.create_index = self.index,
        }
        svc.modify_index = self.index;
        if let Some(old) = existing.filter(|e| e.service != svc.service) {
            self.unlink_service_name(&old.service, &key);
        }
        let name = svc.service.clone();
        self.t.services.insert(key.clone(), Arc::new(svc));
        let mut set = self
            .t
            .services_by_name
            .get(&name)
            .cloned()
            .unwrap_or_default();
        set.insert(key);
        self.t.services_by_name.insert(name.clone(), set);
        self.touch(Table::Services);
        self.touch_service(&name);
        self.changes.node(node);
        Ok(())
    }

    /// Insert or update a check. Status defaults to critical; a service
    /// check gets its service's name and tags.
    pub fn ensure_check(&mut self, mut hc: HealthCheck) -> Result<(), StateError> {
        if hc.check_id.is_empty() {
            hc.check_id = hc.name.clone();
        }
        if hc.check_id.is_empty() {
            return Err(StateError::InvalidRequest("Must provide CheckID".into()));
        }
        if hc.status.is_empty() {
            hc.status = status::CRITICAL.to_string();
        }
        if !self.t.nodes.contains_key(&hc.node) {
            return Err(StateError::MissingNode(hc.node.clone()));
        }
        if !hc.service_id.is_empty() {
            let skey = (hc.node.clone(), hc.service_id.clone());
            let Some(svc) = self.t.services.get(&skey) else {
                return Err(StateError::MissingService(hc.service_id.clone()));
            };
            hc.service_name = svc.service.clone();
            hc.service_tags = svc.tags.clone();
        }
        let key: NodeKey = (hc.node.clone(), hc.check_id.clone());
        let node_key_of_check = key.clone();
        match self.t.checks.get(&key) {
            Some(e) if same_check(e, &hc) => return Ok(()),
            Some(e) => hc.create_index = e.create_index,
            None => hc.create_index = self.index,
        }
        hc.modify_index = self.index;
        self.touch_for_check(&hc);
        let critical = hc.status == status::CRITICAL;
        self.t.checks.insert(key, Arc::new(hc));
        if critical {
            self.invalidate_check_sessions(&node_key_of_check.0, &node_key_of_check.1);
        }
        Ok(())
    }

    /// Deregister: with neither ServiceID nor CheckID the whole node (with
    /// its services and checks); otherwise that service (with its checks)
    /// and/or that check. Missing things are not an error.
    pub fn deregister(&mut self, req: &DeregisterRequest) -> Result<(), StateError> {
        if req.node.is_empty() {
            return Err(StateError::InvalidRequest("Must provide node".into()));
        }
        if req.service_id.is_empty() && req.check_id.is_empty() {
            return self.delete_node(&req.node);
        }
        if !req.service_id.is_empty() {
            self.delete_service(&req.node, &req.service_id)?;
        }
        if !req.check_id.is_empty() {
            self.delete_check(&req.node, &req.check_id)?;
        }
        Ok(())
    }

    /// Remove a node with all its services and checks.
    pub fn delete_node(&mut self, node: &str) -> Result<(), StateError> {
        if !self.t.nodes.contains_key(node) {
            return Ok(());
        }
        let svc_ids: Vec<String> = node_range(&self.t.services, node)
            .map(|(k, _)| k.1.clone())
            .collect();
        for id in svc_ids {
            self.delete_service(node, &id)?;
        }
        let check_ids: Vec<String> = node_range(&self.t.checks, node)
            .map(|(k, _)| k.1.clone())
            .collect();
        for id in check_ids {
            self.delete_check(node, &id)?;
        }
        self.invalidate_node_sessions(node);
        self.t.nodes.remove(node);
        self.touch(Table::Nodes);
        self.changes.node(node);
        Ok(())
    }

    /// Remove a service instance and its checks.
    pub fn delete_service(&mut self, node: &str, service_id: &str) -> Result<(), StateError> {
        let key: NodeKey = (node.to_string(), service_id.to_string());
        let Some(svc) = self.t.services.get(&key).cloned() else {
            return Ok(());
        };
        let check_ids: Vec<String> = node_range(&self.t.checks, node)
            .filter(|(_, c)| c.service_id == service_id)
            .map(|(k, _)| k.1.clone())
            .collect();
        for id in check_ids {
            self.delete_check(node, &id)?;
        }
        self.t.services.remove(&key);
        self.touch(Table::Services);
        self.changes.node(node);
        self.unlink_service_name(&svc.service, &key);
        Ok(())
    }

    /// Remove one check.
    pub fn delete_check(&mut self, node: &str, check_id: &str) -> Result<(), StateError> {
        let key: NodeKey = (node.to_string(), check_id.to_string());
        let Some(hc) = self.t.checks.remove(&key) else {
            return Ok(());
        };
        self.touch_for_check(&hc);
        self.invalidate_check_sessions(node, check_id);
        Ok(())
    }

    /// Index bookkeeping for a changed check: the checks table, and the
    /// services it affects (its own, or every service of its node).
    fn touch_for_check(&mut self, hc: &HealthCheck) {
        self.touch(Table::Checks);
        self.changes.node(&hc.node);
        let skey = (hc.node.clone(), hc.service_id.clone());
        if hc.service_id.is_empty() {
            self.touch_services_of_node(&hc.node);
        } else if let Some(svc) = self.t.services.get(&skey) {
            let name = svc.service.clone();
            self.touch_service(&name);
        }
    }

    /// Bump the index of every service name with an instance on `node`.
    fn touch_services_of_node(&mut self, node: &str) {
        for name in service_names_of_node(&self.t, node) {
            self.touch_service(&name);
        }
    }

    /// Drop `key` from a service name's instance set; when it was the last
    /// instance the name's index entry goes and the extinction index moves.
    fn unlink_service_name(&mut self, name: &str, key: &NodeKey) {
        self.changes.service(name);
        let mut set: OrdSet<NodeKey> = self
            .t
            .services_by_name
            .get(name)
            .cloned()
            .unwrap_or_default();
        set.remove(key);
        if set.is_empty() {
            self.t.services_by_name.remove(name);
            self.t.indexes.services.remove(name);
            self.t.indexes.service_extinction = self.t.indexes.service_extinction.max(self.index);
        } else {
            self.t.services_by_name.insert(name.to_string(), set);
            self.t.indexes.bump_service(name, self.index);
        }
    }
}

impl ReadTxn {
    /// Index for reads of one service (Consul's
    /// `maxIndexAndWatchChForService`): the service's own index while it has
    /// instances, else the last extinction index, else the tables' max.
    pub(crate) fn service_index(&self, name: &str, with_checks: bool) -> u64 {
        if self.t.services_by_name.contains_key(name) {
            if let Some(idx) = self.t.indexes.services.get(name) {
                return *idx;
            }
        } else if self.t.indexes.service_extinction > 0 {
            return self.t.indexes.service_extinction;
        }
        if with_checks {
            self.max_index(&[Table::Nodes, Table::Services, Table::Checks])
        } else {
            self.max_index(&[Table::Nodes, Table::Services])
        }
    }

    /// Instances of a service with their nodes, filtered, in (node, id) order.
    pub(crate) fn instances<'a>(
        &'a self,
        service: &str,
        tags: &'a [String],
        node_meta: &'a [(String, String)],
    ) -> Vec<(Arc<Node>, Arc<NodeService>)> {
        let Some(set) = self.t.services_by_name.get(service) else {
            return Vec::new();
        };
        set.iter()
            .filter_map(|key| {
                let svc = self.t.services.get(key)?;
                let node = self.t.nodes.get(&key.0)?;
                (tags_match(&svc.tags, tags) && meta_matches(node, node_meta))
                    .then(|| (node.clone(), svc.clone()))
            })
            .collect()
    }

    /// All nodes matching the metadata filters, by name.
    pub fn nodes(&self, ws: &mut WatchSet, node_meta: &[(String, String)]) -> (u64, Vec<Node>) {
        ws.add_table(Table::Nodes);
        let nodes = self
            .t
            .nodes
            .values()
            .filter(|n| meta_matches(n, node_meta))
            .map(|n| Node::clone(n))
            .collect();
        (self.table_index(Table::Nodes), nodes)
    }

    /// One node by name.
    pub fn node(&self, ws: &mut WatchSet, name: &str) -> (u64, Option<Node>) {
        ws.add_node(name);
        let n = self.t.nodes.get(name).map(|n| Node::clone(n));
        (self.table_index(Table::Nodes), n)
    }

    /// Service names (on nodes matching the filters) with the union of their
    /// instances' tags, sorted and deduplicated.
    pub fn services(
        &self,
        ws: &mut WatchSet,
        node_meta: &[(String, String)],
    ) -> (u64, BTreeMap<String, Vec<String>>) {
        ws.add_table(Table::Services);
        if !node_meta.is_empty() {
            ws.add_table(Table::Nodes);
        }
        let mut out = BTreeMap::new();
        for (name, set) in self.t.services_by_name.iter() {
            let mut tags = BTreeSet::new();
            let mut any = false;
            for key in set.iter() {
                let (Some(svc), Some(node)) = (self.t.services.get(key), self.t.nodes.get(&key.0))
                else {
                    continue;
                };
                if !meta_matches(node, node_meta) {
                    continue;
                }
                any = true;
                tags.extend(svc.tags.iter().cloned());
            }
            if any {
                out.insert(name.clone(), tags.into_iter().collect());
            }
        }
        (self.max_index(&[Table::Nodes, Table::Services]), out)
    }

    /// Rows of `/v1/catalog/service/<name>`: instances having every tag
    /// (case-insensitive) on nodes matching the filters.
    pub fn service_nodes(
        &self,
        ws: &mut WatchSet,
        service: &str,
        tags: &[String],
        node_meta: &[(String, String)],
    ) -> (u64, Vec<ServiceNode>) {
        ws.add_service(service);
        let rows = self
            .instances(service, tags, node_meta)
            .iter()
            .map(|(n, s)| ServiceNode::from_parts(n, s))
            .collect();
        (self.service_index(service, false), rows)
    }

    /// A node with all its services.
    pub fn node_services(&self, ws: &mut WatchSet, node: &str) -> (u64, Option<NodeServices>) {
        ws.add_node(node);
        let idx = self.max_index(&[Table::Nodes, Table::Services]);
        let Some(n) = self.t.nodes.get(node) else {
            return (idx, None);
        };
        let services = node_range(&self.t.services, node)
            .map(|(k, s)| (k.1.clone(), NodeService::clone(s)))
            .collect();
        (
            idx,
            Some(NodeServices {
                node: Node::clone(n),
                services,
            }),
        )
    }
}
