//! `consul catalog`: list datacenters, nodes and services.

pub mod datacenters;
pub mod nodes;
pub mod services;

use super::ui;

const SUBCOMMANDS: &[(&str, &str)] = &[
    ("datacenters", "Lists all known datacenters"),
    ("nodes", "Lists all nodes in the given datacenter"),
    ("services", "Lists all registered services in a datacenter"),
];

/// Dispatch `consul catalog <sub>`; without a known subcommand print the
/// subcommand list and exit 1.
pub fn run(args: &[String]) -> i32 {
    let rest = args.get(1..).unwrap_or_default();
    match args.first().map(String::as_str) {
        Some("datacenters") => datacenters::run(rest),
        Some("nodes") => nodes::run(rest),
        Some("services") => services::run(rest),
        Some("-h" | "-help" | "--help") => {
            ui::err(super::usage("consul catalog", SUBCOMMANDS));
            0
        }
        _ => {
            ui::err(super::usage("consul catalog", SUBCOMMANDS));
            1
        }
    }
}

/// Parse `-node-meta key=value` flags.
pub(crate) fn node_meta(values: &[String]) -> anyhow::Result<Vec<(String, String)>> {
    values
        .iter()
        .map(|kv| match kv.split_once('=') {
            Some((k, v)) => Ok((k.to_string(), v.to_string())),
            None => Err(anyhow::anyhow!(
                "invalid value {kv:?} for flag -node-meta: missing \"=\""
            )),
        })
        .collect()
}

/// The catalog verbs take no positional arguments (Consul's wording otherwise).
pub fn no_args(args: &[String]) -> anyhow::Result<()> {
    if args.is_empty() {
        Ok(())
    } else {
        Err(anyhow::anyhow!(
            "Too many arguments (expected 0, got {})",
            args.len()
        ))
    }
}
