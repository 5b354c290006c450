//! `consul monitor [-log-level=info] [-log-json]`: stream the agent's log
//! until interrupted or the agent goes away.

use anyhow::anyhow;

use super::flags::{FlagSet, Kind};
use super::{http, ui};

const HELP: &str = "Usage: consul monitor [options]\n\n  Shows recent log messages of a Consul agent, and attaches to the agent,\n  outputting log messages as they occur in real time. The monitor lets you\n  listen for log levels that may be filtered out of the Consul agent. For\n  example your agent may only be logging at INFO level, but with the monitor\n  you can see the DEBUG level logs.";

/// Run `consul monitor`.
pub fn run(args: &[String]) -> i32 {
    let mut fs = FlagSet::new(HELP);
    http::client_flags(&mut fs);
    fs.flag("log-level", Kind::Str, "info", "Log level of the agent.")
        .flag("log-json", Kind::Bool, "", "Output logs in JSON format.");
    ui::run(&fs, args, |p| async move {
        let client = http::client(&p)?;
        let level = p.str("log-level").unwrap_or("info").to_string();
        let mut resp = client
            .agent()
            .monitor(&level, p.bool("log-json"))
            .await
            .map_err(|e| anyhow!("Error starting monitor: {e}"))?;
        loop {
            match resp.chunk().await {
                Ok(Some(bytes)) => {
                    use std::io::Write;
                    let mut o = std::io::stdout().lock();
                    let _ = o.write_all(&bytes);
                    let _ = o.flush();
                }
                Ok(None) => break,
                Err(e) => return Err(anyhow!("Error receiving logs: {e}")),
            }
        }
        ui::out("Remote side ended the monitor! This usually means that the\nremote side has exited or crashed.");
        Ok(1)
    })
}
