//! `consul acl token clone`: a new token with another token's links.

use anyhow::anyhow;

use crate::command::acl::shared::{self, Format};
use crate::command::flags::{FlagSet, Kind};
use crate::command::{http, ui};

const HELP: &str = r#"Usage: consul acl token clone [options]

  Creates a new token (new Accessor and Secret IDs) with the policies,
  roles and identities of the token named by -id, optionally with another
  description. -id may also be "anonymous".

      $ consul acl token clone -id abcd -description "replication""#;

fn flags() -> FlagSet {
    let mut fs = FlagSet::new(HELP);
    super::id_flag(&mut fs);
    fs.flag(
        "description",
        Kind::Str,
        "",
        "Description of the new token (default: the original's).",
    );
    shared::format_flag(&mut fs);
    shared::http_flags(&mut fs);
    fs
}

/// Run `consul acl token clone`.
pub fn run(args: &[String]) -> i32 {
    ui::run(&flags(), args, |p| async move {
        let id = p.str("id").unwrap_or_default();
        if id.is_empty() {
            return Err(anyhow!(
                "Cannot update a token without specifying the -id parameter"
            ));
        }
        let client = http::client(&p)?;
        let id = shared::token_id_from_partial(&client, id)
            .await
            .map_err(|e| anyhow!("Error determining token ID: {e}"))?;
        let t = client
            .acl()
            .token_clone(
                &id,
                p.str("description").unwrap_or_default(),
                &Default::default(),
            )
            .await
            .map_err(|e| anyhow!("Error cloning token: {e}"))?;
        let format = Format::parse(&p)?;
        shared::info(&super::format::token(&t, format, false)?);
        Ok(0)
    })
}
