//! `consul catalog datacenters`: one datacenter per line, nearest first.

use anyhow::anyhow;

use crate::command::flags::FlagSet;
use crate::command::{http, ui};

const HELP: &str = r#"Usage: consul catalog datacenters [options]

  Lists every known datacenter, sorted by estimated round-trip time from
  the servers of this datacenter.

      $ consul catalog datacenters"#;

/// Run `consul catalog datacenters`.
pub fn run(args: &[String]) -> i32 {
    let mut fs = FlagSet::new(HELP);
    http::client_flags(&mut fs);
    http::server_flags(&mut fs);
    ui::run(&fs, args, |p| async move {
        super::no_args(&p.args)?;
        let client = http::client(&p)?;
        let dcs = client
            .catalog()
            .datacenters()
            .await
            .map_err(|e| anyhow!("Error listing datacenters: {e}"))?;
        for dc in dcs {
            ui::out(dc);
        }
        Ok(0)
    })
}
