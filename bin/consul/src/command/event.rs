//! `consul event`: fire a user event across the datacenter and print its id.

use anyhow::anyhow;
use consul_api::event::UserEvent;

use super::flags::{FlagSet, Kind};
use super::{http, ui};

const HELP: &str = "Usage: consul event [options] [payload]\n\n  Dispatches a custom user event across a datacenter. An event must provide\n  a name, but a payload is optional. Events support filtering using\n  regular expressions on node name, service, and tag definitions.";

/// Run `consul event`.
pub fn run(args: &[String]) -> i32 {
    let mut fs = FlagSet::new(HELP);
    http::client_flags(&mut fs);
    fs.flag("name", Kind::Str, "", "Name of the event.")
        .flag(
            "node",
            Kind::Str,
            "",
            "Regular expression to filter on node names.",
        )
        .flag(
            "service",
            Kind::Str,
            "",
            "Regular expression to filter on service instances.",
        )
        .flag(
            "tag",
            Kind::Str,
            "",
            "Regular expression to filter on service tags. Must be used with -service.",
        );
    let p = match ui::parse(&fs, args) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let get = |k: &str| p.str(k).unwrap_or("").to_string();
    let ev = UserEvent {
        name: get("name"),
        node_filter: get("node"),
        service_filter: get("service"),
        tag_filter: get("tag"),
        ..Default::default()
    };
    if ev.name.is_empty() {
        ui::err("Event name must be specified");
        ui::err("");
        ui::err(fs.usage());
        return 1;
    }
    for (which, re) in [
        ("node", &ev.node_filter),
        ("service", &ev.service_filter),
        ("tag", &ev.tag_filter),
    ] {
        if let Err(e) = regex::Regex::new(re) {
            let reason = e.to_string();
            let reason = reason
                .lines()
                .last()
                .unwrap_or("")
                .trim_start_matches("error: ");
            ui::err(format!(
                "Failed to compile {which} filter regexp: error parsing regexp: {reason}"
            ));
            return 1;
        }
    }
    if !ev.tag_filter.is_empty() && ev.service_filter.is_empty() {
        ui::err("Cannot provide tag filter without service filter.");
        return 1;
    }
    let payload = match p.args.as_slice() {
        [] => Vec::new(),
        [one] => one.as_bytes().to_vec(),
        _ => {
            ui::err("Too many command line arguments.");
            ui::err("");
            ui::err(fs.usage());
            return 1;
        }
    };
    let ev = UserEvent { payload, ..ev };
    ui::block_on(async move {
        let client = http::client(&p)?;
        client
            .agent()
            .node_name()
            .await
            .map_err(|e| anyhow!("Error querying Consul agent: {e}"))?;
        let w = consul_api::WriteOptions::default();
        let id = client
            .event()
            .fire(&ev, &w)
            .await
            .map_err(|e| anyhow!("Error firing event: {e}"))?;
        ui::out(format!("Event ID: {id}"));
        Ok(0)
    })
}
