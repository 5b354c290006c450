//! `consul acl token read`: one token by accessor (or prefix), or the
//! caller's own with `-self`.

use anyhow::anyhow;

use crate::command::acl::shared::{self, Format};
use crate::command::flags::{FlagSet, Kind};
use crate::command::{http, ui};

const HELP: &str = r#"Usage: consul acl token read [options] -id TOKENID

  Prints one token. -id takes the Accessor ID or a unique prefix of it;
  -self reads the token this request is made with instead.

      $ consul acl token read -id 4be56c77-82
      $ consul acl token read -self"#;

fn flags() -> FlagSet {
    let mut fs = FlagSet::new(HELP);
    super::id_flag(&mut fs);
    fs.flag(
        "self",
        Kind::Bool,
        "",
        "Read the token the request is made with (by its secret) instead of -id.",
    );
    shared::meta_flag(
        &mut fs,
        "Also show the token's content hash and Raft indexes.",
    );
    shared::format_flag(&mut fs);
    shared::http_flags(&mut fs);
    fs
}

/// Run `consul acl token read`.
pub fn run(args: &[String]) -> i32 {
    ui::run(&flags(), args, |p| async move {
        let id = p.str("id").unwrap_or_default();
        let me = p.bool("self");
        if id.is_empty() && !me {
            return Err(anyhow!("Must specify the -id parameter"));
        }
        let client = http::client(&p)?;
        let q = http::query_options(&p);
        let t = if me {
            client
                .acl()
                .token_read_self(&q)
                .await
                .map_err(|e| anyhow!("Error reading token: {e}"))?
                .0
        } else {
            let id = shared::token_id_from_partial(&client, id)
                .await
                .map_err(|e| anyhow!("Error determining token ID: {e}"))?;
            client
                .acl()
                .token_read(&id, &q)
                .await
                .map_err(|e| anyhow!("Error reading token {id:?}: {e}"))?
                .0
        };
        let format = Format::parse(&p)?;
        shared::info(&super::format::token(&t, format, p.bool("meta"))?);
        Ok(0)
    })
}
