//! Catalog operations the transaction endpoint adds to the single-object
//! ones of `catalog.rs`: check-and-set forms of every registration and
//! removal (Consul's `ensureNodeCASTxn`, `deleteServiceCASTxn`, …), built on
//! the same inner functions, and reads of one node, service or check.

use consul_types::catalog::{HealthCheck, Node, NodeService};

use crate::error::StateError;
use crate::tables::NodeKey;
use crate::txn::{ReadTxn, WriteTxn};

/// Consul's CAS rule: index 0 means "only if absent", any other index must
/// equal the existing row's `ModifyIndex`.
fn cas_allows(cidx: u64, existing: Option<u64>) -> bool {
    match (cidx, existing) {
        (0, None) => true,
        (0, Some(_)) | (_, None) => false,
        (cidx, Some(have)) => have == cidx,
    }
}

fn key(node: &str, id: &str) -> NodeKey {
    (node.to_string(), id.to_string())
}

impl WriteTxn<'_> {
    /// Register or update `node` if its `ModifyIndex` passes the CAS rule;
    /// `false` when it does not.
    pub fn ensure_node_cas(&mut self, node: Node) -> Result<bool, StateError> {
        let have = self.t.nodes.get(&node.node).map(|n| n.modify_index);
        if !cas_allows(node.modify_index, have) {
            return Ok(false);
        }
        self.ensure_node(node)?;
        Ok(true)
    }

    /// Remove a node (with its services and checks) if its `ModifyIndex` is
    /// `cidx`; `false` when it is missing or differs.
    pub fn delete_node_cas(&mut self, node: &str, cidx: u64) -> Result<bool, StateError> {
        match self.t.nodes.get(node) {
            Some(n) if n.modify_index == cidx => {
                self.delete_node(node)?;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    /// Register or update a service on `node` if its `ModifyIndex` passes
    /// the CAS rule.
    pub fn ensure_service_cas(&mut self, node: &str, svc: NodeService) -> Result<bool, StateError> {
        let have = self
            .t
            .services
            .get(&key(node, &svc.id))
            .map(|s| s.modify_index);
        if !cas_allows(svc.modify_index, have) {
            return Ok(false);
        }
        self.ensure_service(node, svc)?;
        Ok(true)
    }

    /// Remove a service (with its checks) if its `ModifyIndex` is `cidx`.
    pub fn delete_service_cas(
        &mut self,
        node: &str,
        service_id: &str,
        cidx: u64,
    ) -> Result<bool, StateError> {
        match self.t.services.get(&key(node, service_id)) {
            Some(s) if s.modify_index == cidx => {
                self.delete_service(node, service_id)?;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    /// Register or update a check if its `ModifyIndex` passes the CAS rule.
    pub fn ensure_check_cas(&mut self, hc: HealthCheck) -> Result<bool, StateError> {
        let have = self
            .t
            .checks
            .get(&key(&hc.node, &hc.check_id))
            .map(|c| c.modify_index);
        if !cas_allows(hc.modify_index, have) {
            return Ok(false);
        }
        self.ensure_check(hc)?;
        Ok(true)
    }

    /// Remove a check if its `ModifyIndex` is `cidx`.
    pub fn delete_check_cas(
        &mut self,
        node: &str,
        check_id: &str,
        cidx: u64,
    ) -> Result<bool, StateError> {
        match self.t.checks.get(&key(node, check_id)) {
            Some(c) if c.modify_index == cidx => {
                self.delete_check(node, check_id)?;
                Ok(true)
            }
            _ => Ok(false),
        }
    }
}

impl ReadTxn {
    /// The node with this UUID (compared ignoring case, as UUIDs are).
    pub fn node_by_id(&self, id: &str) -> Option<Node> {
        self.t
            .nodes
            .values()
            .find(|n| !n.id.is_empty() && n.id.eq_ignore_ascii_case(id))
            .map(|n| Node::clone(n))
    }

    /// One service instance of a node.
    pub fn node_service(&self, node: &str, service_id: &str) -> Option<NodeService> {
        self.t
            .services
            .get(&key(node, service_id))
            .map(|s| NodeService::clone(s))
    }

    /// One check of a node.
    pub fn node_check(&self, node: &str, check_id: &str) -> Option<HealthCheck> {
        self.t
            .checks
            .get(&key(node, check_id))
            .map(|c| HealthCheck::clone(c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;

    fn node(name: &str, modify_index: u64) -> Node {
        Node {
            node: name.into(),
            address: "10.0.0.1".into(),
            modify_index,
            ..Default::default()
        }
    }

    #[test]
    fn cas_index_zero_means_only_if_absent() {
        let store = Store::new();
        let mut tx = store.write(5);
        assert!(tx.ensure_node_cas(node("n1", 0)).unwrap());
        assert!(!tx.ensure_node_cas(node("n1", 0)).unwrap());
        tx.commit();
        let mut tx = store.write(6);
        let mut moved = node("n1", 4);
        moved.address = "10.0.0.2".into();
        assert!(!tx.ensure_node_cas(moved.clone()).unwrap());
        moved.modify_index = 5;
        assert!(tx.ensure_node_cas(moved).unwrap());
        tx.commit();
        let snap = store.snapshot();
        let mut ws = crate::WatchSet::new();
        let n = snap.node(&mut ws, "n1").1.unwrap();
        assert_eq!((n.address.as_str(), n.modify_index), ("10.0.0.2", 6));
    }

    #[test]
    fn delete_cas_needs_the_current_index() {
        let store = Store::new();
        let mut tx = store.write(5);
        tx.ensure_node(node("n1", 0)).unwrap();
        let svc = NodeService {
            id: "web".into(),
            service: "web".into(),
            ..Default::default()
        };
        assert!(tx.ensure_service_cas("n1", svc).unwrap());
        assert!(!tx.delete_service_cas("n1", "web", 4).unwrap());
        assert!(!tx.delete_node_cas("missing", 0).unwrap());
        assert!(tx.delete_service_cas("n1", "web", 5).unwrap());
        assert!(tx.read().node_service("n1", "web").is_none());
        assert!(tx.delete_node_cas("n1", 5).unwrap());
    }
}
