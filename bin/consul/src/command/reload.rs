//! `consul reload`: make the agent re-read its configuration files.

use anyhow::anyhow;

use super::flags::FlagSet;
use super::{http, ui};

const HELP: &str = "Usage: consul reload [options]\n\n  Causes the agent to reload configurations. This can be used instead\n  of sending the SIGHUP signal to the agent.";

/// Run `consul reload`.
pub fn run(args: &[String]) -> i32 {
    let mut fs = FlagSet::new(HELP);
    http::client_flags(&mut fs);
    ui::run(&fs, args, |p| async move {
        let client = http::client(&p)?;
        client
            .agent()
            .reload()
            .await
            .map_err(|e| anyhow!("Error reloading: {e}"))?;
        ui::out("Configuration reload triggered");
        Ok(0)
    })
}
