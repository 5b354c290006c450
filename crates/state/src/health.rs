//! Health reads: checks by node, service and state, and the joined
//! node + service + checks rows of `/v1/health/service/<name>`.

use consul_types::catalog::{status, CheckServiceNode, HealthCheck, Node, NodeService};

use crate::catalog::meta_matches;
use crate::table::Table;
use crate::tables::node_range;
use crate::txn::ReadTxn;
use crate::watch::WatchSet;

impl ReadTxn {
    /// Every check on a node, by check id.
    pub fn node_checks(&self, ws: &mut WatchSet, node: &str) -> (u64, Vec<HealthCheck>) {
        ws.add_node(node);
        let checks = node_range(&self.t.checks, node)
            .map(|(_, c)| HealthCheck::clone(c))
            .collect();
        (self.table_index(Table::Checks), checks)
    }

    /// Checks bound to instances of a service, on nodes matching the filters.
    pub fn service_checks(
        &self,
        ws: &mut WatchSet,
        service: &str,
        node_meta: &[(String, String)],
    ) -> (u64, Vec<HealthCheck>) {
        ws.add_service(service);
        let mut out = Vec::new();
        for (node, svc) in self.instances(service, &[], node_meta) {
            out.extend(
                node_range(&self.t.checks, &node.node)
                    .filter(|(_, c)| c.service_id == svc.id)
                    .map(|(_, c)| HealthCheck::clone(c)),
            );
        }
        (self.table_index(Table::Checks), out)
    }

    /// Checks in a state: `any`, `passing`, `warning` or `critical`.
    pub fn checks_in_state(
        &self,
        ws: &mut WatchSet,
        state: &str,
        node_meta: &[(String, String)],
    ) -> (u64, Vec<HealthCheck>) {
        ws.add_table(Table::Checks);
        if !node_meta.is_empty() {
            ws.add_table(Table::Nodes);
        }
        let any = state == "any";
        let out = self
            .t
            .checks
            .values()
            .filter(|c| any || c.status == state)
            .filter(|c| {
                node_meta.is_empty()
                    || self
                        .t
                        .nodes
                        .get(&c.node)
                        .is_some_and(|n| meta_matches(n, node_meta))
            })
            .map(|c| HealthCheck::clone(c))
            .collect();
        (self.table_index(Table::Checks), out)
    }

    /// Rows of `/v1/health/service/<name>`: each instance with its node's
    /// node-level checks followed by its own checks. `passing_only` drops
    /// instances with any check not passing.
    pub fn check_service_nodes(
        &self,
        ws: &mut WatchSet,
        service: &str,
        tags: &[String],
        node_meta: &[(String, String)],
        passing_only: bool,
    ) -> (u64, Vec<CheckServiceNode>) {
        ws.add_service(service);
        let mut out = Vec::new();
        for (node, svc) in self.instances(service, tags, node_meta) {
            let node_checks = node_range(&self.t.checks, &node.node)
                .filter(|(_, c)| c.service_id.is_empty())
                .map(|(_, c)| HealthCheck::clone(c));
            let svc_checks = node_range(&self.t.checks, &node.node)
                .filter(|(_, c)| !c.service_id.is_empty() && c.service_id == svc.id)
                .map(|(_, c)| HealthCheck::clone(c));
            let checks: Vec<HealthCheck> = node_checks.chain(svc_checks).collect();
            if passing_only && checks.iter().any(|c| c.status != status::PASSING) {
                continue;
            }
            out.push(CheckServiceNode {
                node: Node::clone(&node),
                service: NodeService::clone(&svc),
                checks,
            });
        }
        (self.service_index(service, true), out)
    }
}
