//! `consul acl bootstrap`: create the first management token.

use anyhow::anyhow;

use super::shared::{self, Format};
use crate::command::flags::FlagSet;
use crate::command::{http, ui};

const HELP: &str = r#"Usage: consul acl bootstrap [options]

  Asks the servers to create a management token (unlimited privileges) and
  prints it. This works once per cluster; afterwards bootstrapping is
  refused until the bootstrap reset procedure is followed."#;

/// Run `consul acl bootstrap`.
pub fn run(args: &[String]) -> i32 {
    let mut fs = FlagSet::new(HELP);
    shared::format_flag(&mut fs);
    http::client_flags(&mut fs);
    http::server_flags(&mut fs);
    ui::run(&fs, args, |p| async move {
        let client = http::client(&p)?;
        let t = client
            .acl()
            .bootstrap()
            .await
            .map_err(|e| anyhow!("Failed ACL bootstrapping: {e}"))?;
        let format = Format::parse(&p)?;
        shared::info(&super::token::format::token(&t, format, false)?);
        Ok(0)
    })
}
