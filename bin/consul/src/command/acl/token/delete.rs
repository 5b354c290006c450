//! `consul acl token delete`: remove a token by accessor (or prefix).

use anyhow::anyhow;

use crate::command::acl::shared;
use crate::command::flags::FlagSet;
use crate::command::{http, ui};

const HELP: &str = r#"Usage: consul acl token delete [options] -id TOKEN

  Deletes the token whose Accessor ID is -id (or starts with it, when that
  prefix is unique).

      $ consul acl token delete -id b6b85"#;

fn flags() -> FlagSet {
    let mut fs = FlagSet::new(HELP);
    super::id_flag(&mut fs);
    shared::http_flags(&mut fs);
    fs
}

/// Run `consul acl token delete`.
pub fn run(args: &[String]) -> i32 {
    ui::run(&flags(), args, |p| async move {
        let id = p.str("id").unwrap_or_default();
        if id.is_empty() {
            return Err(anyhow!("Must specify the -id parameter"));
        }
        let client = http::client(&p)?;
        let id = shared::token_id_from_partial(&client, id)
            .await
            .map_err(|e| anyhow!("Error determining token ID: {e}"))?;
        client
            .acl()
            .token_delete(&id, &Default::default())
            .await
            .map_err(|e| anyhow!("Error deleting token {id:?}: {e}"))?;
        ui::out(format!("Token {id:?} deleted successfully"));
        Ok(0)
    })
}
