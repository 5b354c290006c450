//! `consul leave`: ask the agent to leave the cluster gracefully and exit.

use anyhow::anyhow;

use super::flags::FlagSet;
use super::{http, ui};

const HELP: &str = "Usage: consul leave [options]\n\n  Causes the agent to gracefully leave the Consul cluster and shutdown.";

/// Run `consul leave`.
pub fn run(args: &[String]) -> i32 {
    let mut fs = FlagSet::new(HELP);
    http::client_flags(&mut fs);
    ui::run(&fs, args, |p| async move {
        if !p.args.is_empty() {
            return Err(anyhow!(
                "Error found unexpected args: [{}]",
                p.args.join(" ")
            ));
        }
        let client = http::client(&p)?;
        client
            .agent()
            .leave()
            .await
            .map_err(|e| anyhow!("Error leaving: {e}"))?;
        ui::out("Graceful leave complete");
        Ok(0)
    })
}
