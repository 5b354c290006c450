//! `/v1/internal/ui/services` and `/v1/internal/ui/nodes`: the catalog
//! summaries the web UI lists, shaped like Consul's (`ServiceSummary`, node
//! dumps), assembled here from the catalog and health reads the servers
//! already answer.
//!
//! `?filter=` applies as in Consul 1.10: `/v1/internal/ui/nodes` filters its
//! rows (`NodeInfo`), `/v1/internal/ui/services` the service instances
//! (`CheckServiceNode`, node and service checks together) before they are
//! summarized. It is evaluated here, on the agent that assembles the
//! summary, so the reads sent to the servers carry no filter.
//!
//! Blocking: with `?index`, the three reads a summary depends on (nodes,
//! services, checks) block concurrently and the first to see a change wakes
//! the query; Raft indexes are global, so each may block on the combined
//! index. Then the summary is read afresh.

use std::collections::{BTreeMap, BTreeSet};

use axum::routing::get;
use axum::Router;
use consul_filter::consul;
use consul_server::endpoints::catalog::CatalogRpc;
use consul_server::endpoints::health::{ChecksInStateRequest, HealthRpc};
use consul_server::query_filter::QueryFilter;
use consul_server::rpc::{NodeSpecificRequest, RpcRequest, WireQueryOptions};
use consul_server::QueryMeta;
use consul_types::catalog::{status, CheckServiceNode, HealthCheck, NodeServices};
use futures::stream::{self, StreamExt};
use serde::Serialize;

use super::respond::{json_with_meta, rpc_err, HttpError, HttpResult};
use super::Ctx;
use crate::agent::Agent;

/// How many per-node reads run at once while assembling a summary.
const NODE_READ_CONCURRENCY: usize = 16;

/// The routes of this file.
pub fn routes() -> Router<std::sync::Arc<Agent>> {
    Router::new()
        .route("/v1/internal/ui/services", get(services))
        .route("/v1/internal/ui/nodes", get(nodes))
}

/// Every node with its services, and every check, at one moment.
struct Dump {
    nodes: Vec<NodeServices>,
    checks: Vec<HealthCheck>,
}

/// One row of `/v1/internal/ui/services`.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
struct ServiceSummary {
    kind: String,
    name: String,
    tags: Vec<String>,
    nodes: Vec<String>,
    instance_count: usize,
    checks_passing: usize,
    checks_warning: usize,
    checks_critical: usize,
    external_sources: Vec<String>,
}

/// One row of `/v1/internal/ui/nodes`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct NodeRow {
    #[serde(rename = "ID")]
    id: String,
    node: String,
    address: String,
    datacenter: String,
    tagged_addresses: BTreeMap<String, String>,
    meta: BTreeMap<String, String>,
    services: Vec<consul_types::catalog::NodeService>,
    checks: Vec<HealthCheck>,
    create_index: u64,
    modify_index: u64,
}

/// GET /v1/internal/ui/services
async fn services(ctx: Ctx) -> HttpResult {
    let filter = QueryFilter::parse(ctx.filter(), consul::check_service_node())?;
    let (dump, meta) = read_dump(&ctx).await?;
    let mut all = instances(&dump);
    filter.retain(&mut all)?;
    Ok(json_with_meta(&summarize(&all), &meta, ctx.pretty))
}

/// GET /v1/internal/ui/nodes
async fn nodes(ctx: Ctx) -> HttpResult {
    let filter = QueryFilter::parse(ctx.filter(), consul::node_info())?;
    let (dump, meta) = read_dump(&ctx).await?;
    let mut by_node: BTreeMap<&str, Vec<HealthCheck>> = BTreeMap::new();
    for c in &dump.checks {
        by_node.entry(c.node.as_str()).or_default().push(c.clone());
    }
    let mut rows: Vec<NodeRow> = dump
        .nodes
        .iter()
        .map(|ns| NodeRow {
            id: ns.node.id.clone(),
            node: ns.node.node.clone(),
            address: ns.node.address.clone(),
            datacenter: ns.node.datacenter.clone(),
            tagged_addresses: ns.node.tagged_addresses.clone(),
            meta: ns.node.meta.clone(),
            services: ns.services.values().cloned().collect(),
            checks: by_node.remove(ns.node.node.as_str()).unwrap_or_default(),
            create_index: ns.node.create_index,
            modify_index: ns.node.modify_index,
        })
        .collect();
    filter.retain(&mut rows)?;
    Ok(json_with_meta(&rows, &meta, ctx.pretty))
}

/// Every service instance with its checks: its node's checks and its own,
/// as Consul's service dump pairs them.
fn instances(dump: &Dump) -> Vec<CheckServiceNode> {
    let mut node_checks: BTreeMap<&str, Vec<&HealthCheck>> = BTreeMap::new();
    let mut svc_checks: BTreeMap<(&str, &str), Vec<&HealthCheck>> = BTreeMap::new();
    for c in &dump.checks {
        if c.service_id.is_empty() {
            node_checks.entry(c.node.as_str()).or_default().push(c);
        } else {
            svc_checks
                .entry((c.node.as_str(), c.service_id.as_str()))
                .or_default()
                .push(c);
        }
    }
    let mut out = Vec::new();
    for ns in &dump.nodes {
        let node = ns.node.node.as_str();
        for svc in ns.services.values() {
            let own = svc_checks.get(&(node, svc.id.as_str()));
            let checks = node_checks
                .get(node)
                .into_iter()
                .flatten()
                .chain(own.into_iter().flatten())
                .map(|c| (*c).clone())
                .collect();
            out.push(CheckServiceNode {
                node: ns.node.clone(),
                service: svc.clone(),
                checks,
            });
        }
    }
    out
}

/// Group instances by service name; each instance counts its checks (its
/// own and its node's), as Consul's summary does.
fn summarize(instances: &[CheckServiceNode]) -> Vec<ServiceSummary> {
    let mut out: BTreeMap<&str, (ServiceSummary, BTreeSet<String>, BTreeSet<String>)> =
        BTreeMap::new();
    for inst in instances {
        let node = inst.node.node.as_str();
        let svc = &inst.service;
        let (sum, tags, sources) = out.entry(svc.service.as_str()).or_insert_with(|| {
            (
                ServiceSummary {
                    name: svc.service.clone(),
                    ..Default::default()
                },
                BTreeSet::new(),
                BTreeSet::new(),
            )
        });
        sum.instance_count += 1;
        if !sum.nodes.iter().any(|n| n == node) {
            sum.nodes.push(node.to_string());
        }
        tags.extend(svc.tags.iter().cloned());
        if let Some(src) = svc.meta.get("external-source") {
            sources.insert(src.clone());
        }
        for c in &inst.checks {
            match c.status.as_str() {
                status::PASSING => sum.checks_passing += 1,
                status::WARNING => sum.checks_warning += 1,
                _ => sum.checks_critical += 1,
            }
        }
    }
    out.into_values()
        .map(|(mut s, tags, sources)| {
            s.tags = tags.into_iter().collect();
            s.external_sources = sources.into_iter().collect();
            s
        })
        .collect()
}

/// Block (when asked) until nodes, services or checks change, then read them all.
async fn read_dump(ctx: &Ctx) -> Result<(Dump, QueryMeta), HttpError> {
    let datacenter = ctx.datacenter.clone();
    // The filter applies to the summary, here; the reads it is made of are unfiltered.
    let mut opts = ctx.query_options()?;
    opts.filter.clear();
    if opts.min_query_index > 0 {
        wait_for_change(ctx, &datacenter, &opts).await?;
    }
    let once = WireQueryOptions {
        min_query_index: 0,
        ..opts.clone()
    };
    let list = ctx.dc_request(once.clone());
    let nodes = ctx
        .rpc(RpcRequest::Catalog(CatalogRpc::ListNodes(list)))
        .await?
        .into_nodes()
        .map_err(rpc_err)?;
    let checks = ctx
        .rpc(checks_request(ctx, &datacenter, &once))
        .await?
        .into_health_checks()
        .map_err(rpc_err)?;
    let mut index = nodes.query_meta.index.max(checks.query_meta.index);
    let reads: Vec<RpcRequest> = nodes
        .nodes
        .iter()
        .map(|n| {
            RpcRequest::Catalog(CatalogRpc::NodeServices(NodeSpecificRequest {
                datacenter: datacenter.clone(),
                node: n.node.clone(),
                query_options: once.clone(),
            }))
        })
        .collect();
    let agent = ctx.agent.clone();
    let replies: Vec<_> = stream::iter(reads)
        .map(move |req| {
            let agent = agent.clone();
            async move { agent.rpc(req).await.map_err(HttpError::from) }
        })
        .buffered(NODE_READ_CONCURRENCY)
        .collect()
        .await;
    let mut dumped = Vec::with_capacity(replies.len());
    for r in replies {
        let r = r?.into_node_services().map_err(rpc_err)?;
        index = index.max(r.query_meta.index);
        // A node deregistered between the two reads is left out.
        dumped.extend(r.node_services);
    }
    let node_names: BTreeSet<&str> = dumped.iter().map(|n| n.node.node.as_str()).collect();
    let checks: Vec<HealthCheck> = checks
        .health_checks
        .into_iter()
        .filter(|c| node_names.contains(c.node.as_str()))
        .collect();
    let mut meta: QueryMeta = nodes.query_meta.into();
    meta.index = index.max(1);
    Ok((
        Dump {
            nodes: dumped,
            checks,
        },
        meta,
    ))
}

/// `Health.ChecksInState` for every state.
fn checks_request(ctx: &Ctx, datacenter: &str, opts: &WireQueryOptions) -> RpcRequest {
    RpcRequest::Health(HealthRpc::ChecksInState(ChecksInStateRequest {
        datacenter: datacenter.to_string(),
        node_meta_filters: ctx.node_meta(),
        state: "any".to_string(),
        query_options: opts.clone(),
    }))
}

/// Return once any of the three tables a summary reads moves past the
/// caller's index (or the wait runs out).
async fn wait_for_change(
    ctx: &Ctx,
    datacenter: &str,
    opts: &WireQueryOptions,
) -> Result<(), HttpError> {
    let nodes = ctx.rpc(RpcRequest::Catalog(CatalogRpc::ListNodes(
        ctx.dc_request(opts.clone()),
    )));
    let services = ctx.rpc(RpcRequest::Catalog(CatalogRpc::ListServices(
        ctx.dc_request(opts.clone()),
    )));
    let checks = ctx.rpc(checks_request(ctx, datacenter, opts));
    tokio::select! {
        r = nodes => r.map(|_| ()),
        r = services => r.map(|_| ()),
        r = checks => r.map(|_| ()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use consul_types::catalog::{Node, NodeService};

    fn check(node: &str, svc: &str, st: &str) -> HealthCheck {
        HealthCheck {
            node: node.into(),
            check_id: format!("{node}-{svc}-{st}"),
            service_id: svc.into(),
            status: st.into(),
            ..Default::default()
        }
    }

    fn node(name: &str, svcs: &[(&str, &str, &[&str])]) -> NodeServices {
        NodeServices {
            node: Node {
                node: name.into(),
                ..Default::default()
            },
            services: svcs
                .iter()
                .map(|(id, svc, tags)| {
                    (
                        id.to_string(),
                        NodeService {
                            id: id.to_string(),
                            service: svc.to_string(),
                            tags: tags.iter().map(|t| t.to_string()).collect(),
                            ..Default::default()
                        },
                    )
                })
                .collect(),
        }
    }

    #[test]
    fn summary_counts_instances_and_node_and_service_checks() {
        let dump = Dump {
            nodes: vec![
                node("n1", &[("web1", "web", &["a"]), ("db", "db", &[])]),
                node("n2", &[("web2", "web", &["b", "a"])]),
            ],
            checks: vec![
                check("n1", "", status::PASSING),
                check("n2", "", status::WARNING),
                check("n2", "web2", status::CRITICAL),
            ],
        };
        let s = summarize(&instances(&dump));
        assert_eq!(s.len(), 2);
        let web = s.iter().find(|s| s.name == "web").unwrap();
        assert_eq!(web.instance_count, 2);
        assert_eq!(web.nodes, vec!["n1", "n2"]);
        assert_eq!(web.tags, vec!["a", "b"]);
        assert_eq!(
            (web.checks_passing, web.checks_warning, web.checks_critical),
            (1, 1, 1)
        );
        let db = s.iter().find(|s| s.name == "db").unwrap();
        assert_eq!((db.instance_count, db.checks_passing), (1, 1));
    }
}
