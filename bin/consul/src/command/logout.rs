//! `consul logout`: destroy the token the request is made with, which must
//! have come from `consul login`.

use anyhow::anyhow;

use super::flags::FlagSet;
use super::{http, ui};

const HELP: &str = r#"Usage: consul logout [options]

  Destroys the token given with -token, -token-file or the environment,
  if "consul login" made it."#;

/// Run `consul logout`.
pub fn run(args: &[String]) -> i32 {
    let mut fs = FlagSet::new(HELP);
    http::client_flags(&mut fs);
    http::server_flags(&mut fs);
    ui::run(&fs, args, |p| async move {
        if !p.args.is_empty() {
            return Err(anyhow!("Should have no non-flag arguments."));
        }
        let client = http::client(&p)?;
        client
            .acl()
            .logout(&Default::default())
            .await
            .map_err(|e| anyhow!("Error destroying token: {e}"))?;
        Ok(0)
    })
}
