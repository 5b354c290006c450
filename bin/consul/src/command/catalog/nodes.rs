//! `consul catalog nodes`: the nodes of a datacenter as a table.

use std::collections::BTreeMap;

use anyhow::anyhow;
use consul_types::catalog::Node;

use crate::command::flags::{FlagSet, Kind};
use crate::command::{http, ui};

const HELP: &str = r#"Usage: consul catalog nodes [options]

  Lists the nodes registered in the datacenter (the agent's by default).

      $ consul catalog nodes
      $ consul catalog nodes -detailed
      $ consul catalog nodes -service=web
      $ consul catalog nodes -node-meta="foo=bar"
      $ consul catalog nodes -near=node-web"#;

fn flags() -> FlagSet {
    let mut fs = FlagSet::new(HELP);
    fs.flag(
        "detailed",
        Kind::Bool,
        "",
        "Output detailed information about the nodes including their addresses \
         and metadata.",
    )
    .flag("filter", Kind::Str, "", "Filter to use with the request")
    .flag(
        "near",
        Kind::Str,
        "",
        "Node name to sort the node list in ascending order based on estimated \
         round-trip time from that node. Passing \"_agent\" will use this agent's \
         node for sorting.",
    )
    .flag(
        "node-meta",
        Kind::Multi,
        "",
        "Metadata to filter nodes with the given `key=value` pairs. This flag may \
         be specified multiple times to filter on multiple sources of metadata.",
    )
    .flag(
        "service",
        Kind::Str,
        "",
        "Service `id or name` to filter nodes. Only nodes which are providing the \
         given service will be returned.",
    );
    http::client_flags(&mut fs);
    http::server_flags(&mut fs);
    fs
}

/// Run `consul catalog nodes`.
pub fn run(args: &[String]) -> i32 {
    let p = match ui::parse(&flags(), args) {
        Ok(p) => p,
        Err(code) => return code,
    };
    ui::block_on(async move {
        super::no_args(&p.args)?;
        let client = http::client(&p)?;
        let mut q = http::query_options(&p);
        q.near = p.str("near").unwrap_or_default().to_string();
        q.node_meta = super::node_meta(p.all("node-meta"))?;
        q.filter = p.str("filter").unwrap_or_default().to_string();
        let nodes: Vec<Node> = match p.str("service").filter(|s| !s.is_empty()) {
            Some(svc) => {
                let (rows, _) = client
                    .catalog()
                    .service(svc, None, &q)
                    .await
                    .map_err(|e| anyhow!("Error listing nodes for service: {e}"))?;
                rows.into_iter()
                    .map(|s| Node {
                        id: s.id,
                        node: s.node,
                        address: s.address,
                        datacenter: s.datacenter,
                        tagged_addresses: s.tagged_addresses,
                        meta: s.node_meta,
                        create_index: s.create_index,
                        modify_index: s.modify_index,
                    })
                    .collect()
            }
            None => {
                client
                    .catalog()
                    .nodes(&q)
                    .await
                    .map_err(|e| anyhow!("Error listing nodes: {e}"))?
                    .0
            }
        };
        if nodes.is_empty() {
            ui::err("No nodes match the given query - try expanding your search.");
            return Ok(0);
        }
        ui::out(table(&nodes, p.bool("detailed")));
        Ok(0)
    })
}

/// The node table: `Node ID Address DC` with the ID cut at its first dash,
/// or with `-detailed` the full ID plus tagged addresses and metadata.
fn table(nodes: &[Node], detailed: bool) -> String {
    let mut rows: Vec<Vec<String>> = Vec::with_capacity(nodes.len() + 1);
    if detailed {
        rows.push(cells(&[
            "Node",
            "ID",
            "Address",
            "DC",
            "TaggedAddresses",
            "Meta",
        ]));
        for n in nodes {
            rows.push(vec![
                n.node.clone(),
                n.id.clone(),
                n.address.clone(),
                n.datacenter.clone(),
                map_to_kv(&n.tagged_addresses),
                map_to_kv(&n.meta),
            ]);
        }
    } else {
        rows.push(cells(&["Node", "ID", "Address", "DC"]));
        for n in nodes {
            let id = match n.id.find('-') {
                Some(i) if i > 0 => &n.id[..i],
                _ => n.id.as_str(),
            };
            rows.push(vec![
                n.node.clone(),
                id.to_string(),
                n.address.clone(),
                n.datacenter.clone(),
            ]);
        }
    }
    ui::columnize(&rows)
}

fn cells(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// `k1=v1, k2=v2` in key order.
fn map_to_kv(m: &BTreeMap<String, String>) -> String {
    m.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_table() {
        let n = Node {
            id: "d4b4b3e4-1c2a-4e6f-9a0b-123456789abc".into(),
            node: "node1".into(),
            address: "127.0.0.1".into(),
            datacenter: "dc1".into(),
            ..Default::default()
        };
        assert_eq!(
            table(&[n], false),
            "Node   ID        Address    DC\nnode1  d4b4b3e4  127.0.0.1  dc1"
        );
    }
}
