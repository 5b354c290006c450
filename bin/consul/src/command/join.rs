//! `consul join`: ask the agent to join other members' gossip pools.

use anyhow::anyhow;

use super::flags::{FlagSet, Kind};
use super::{http, ui};

const HELP: &str = "Usage: consul join [options] address ...\n\n  Tells a running Consul agent (with \"consul agent\") to join the cluster\n  by specifying at least one existing member.";

/// Run `consul join`.
pub fn run(args: &[String]) -> i32 {
    let mut fs = FlagSet::new(HELP);
    fs.flag(
        "wan",
        Kind::Bool,
        "",
        "Joins a server to another server in the WAN pool.",
    );
    http::client_flags(&mut fs);
    ui::run(&fs, args, |p| async move {
        if p.args.is_empty() {
            return Err(anyhow!("At least one address to join must be specified."));
        }
        let client = http::client(&p)?;
        let mut joined = 0;
        for addr in &p.args {
            match client.agent().join(addr, p.bool("wan")).await {
                Ok(()) => joined += 1,
                Err(e) => ui::err(format!("Error joining address '{addr}': {e}")),
            }
        }
        if joined == 0 {
            return Err(anyhow!("Failed to join any nodes."));
        }
        ui::out(format!(
            "Successfully joined cluster by contacting {joined} nodes."
        ));
        Ok(0)
    })
}
