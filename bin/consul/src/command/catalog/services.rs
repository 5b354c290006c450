//! `consul catalog services`: service names, optionally with their tags.

use std::collections::BTreeMap;

use anyhow::anyhow;

use crate::command::flags::{FlagSet, Kind};
use crate::command::{http, ui};

const HELP: &str = r#"Usage: consul catalog services [options]

  Lists the services registered in the datacenter (the agent's by default).

      $ consul catalog services
      $ consul catalog services -tags
      $ consul catalog services -node=web
      $ consul catalog services -node-meta="foo=bar""#;

fn flags() -> FlagSet {
    let mut fs = FlagSet::new(HELP);
    fs.flag(
        "node",
        Kind::Str,
        "",
        "Node `id or name` for which to list services.",
    )
    .flag(
        "node-meta",
        Kind::Multi,
        "",
        "Metadata to filter nodes with the given `key=value` pairs. If specified, \
         only services running on nodes matching the given metadata will be \
         returned. This flag may be specified multiple times.",
    )
    .flag(
        "tags",
        Kind::Bool,
        "",
        "Display each service's tags as a comma-separated list beside each \
         service entry.",
    );
    http::client_flags(&mut fs);
    http::server_flags(&mut fs);
    fs
}

/// Run `consul catalog services`.
pub fn run(args: &[String]) -> i32 {
    let p = match ui::parse(&flags(), args) {
        Ok(p) => p,
        Err(code) => return code,
    };
    ui::block_on(async move {
        super::no_args(&p.args)?;
        let client = http::client(&p)?;
        let mut q = http::query_options(&p);
        q.node_meta = super::node_meta(p.all("node-meta"))?;
        let services: BTreeMap<String, Vec<String>> = match p.str("node").filter(|s| !s.is_empty())
        {
            Some(node) => {
                let (ns, _) = client
                    .catalog()
                    .node(node, &q)
                    .await
                    .map_err(|e| anyhow!("Error listing services for node: {e}"))?;
                let mut m: BTreeMap<String, Vec<String>> = BTreeMap::new();
                for s in ns.map(|n| n.services).unwrap_or_default().into_values() {
                    m.entry(s.service).or_default().extend(s.tags);
                }
                m
            }
            None => {
                client
                    .catalog()
                    .services(&q)
                    .await
                    .map_err(|e| anyhow!("Error listing services: {e}"))?
                    .0
            }
        };
        if services.is_empty() {
            ui::err("No services match the given query - try expanding your search.");
            return Ok(0);
        }
        if p.bool("tags") {
            let rows: Vec<Vec<String>> = services
                .into_iter()
                .map(|(name, mut tags)| {
                    tags.sort();
                    vec![name, tags.join(",")]
                })
                .collect();
            ui::out(ui::tabwrite(&rows).trim());
        } else {
            for name in services.keys() {
                ui::out(name);
            }
        }
        Ok(0)
    })
}
