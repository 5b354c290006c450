//! `consul acl token list`: every token.

use anyhow::anyhow;

use crate::command::acl::shared::{self, Format};
use crate::command::flags::FlagSet;
use crate::command::{http, ui};

const HELP: &str = r#"Usage: consul acl token list [options]

  Prints every ACL token.

      $ consul acl token list"#;

fn flags() -> FlagSet {
    let mut fs = FlagSet::new(HELP);
    shared::meta_flag(
        &mut fs,
        "Also show each token's content hash and Raft indexes.",
    );
    shared::format_flag(&mut fs);
    shared::http_flags(&mut fs);
    fs
}

/// Run `consul acl token list`.
pub fn run(args: &[String]) -> i32 {
    ui::run(&flags(), args, |p| async move {
        let client = http::client(&p)?;
        let (tokens, _) = client
            .acl()
            .token_list(&http::query_options(&p))
            .await
            .map_err(|e| anyhow!("Failed to retrieve the token list: {e}"))?;
        let format = Format::parse(&p)?;
        shared::info(&super::format::list(&tokens, format, p.bool("meta"))?);
        Ok(0)
    })
}
