//! `consul acl role list`: every role.

use anyhow::anyhow;

use crate::command::acl::shared::{self, Format};
use crate::command::flags::FlagSet;
use crate::command::{http, ui};

const HELP: &str = r#"Usage: consul acl role list [options]

  Prints every ACL role.

      $ consul acl role list"#;

/// Run `consul acl role list`.
pub fn run(args: &[String]) -> i32 {
    let mut fs = FlagSet::new(HELP);
    shared::meta_flag(
        &mut fs,
        "Also show each role's content hash and Raft indexes.",
    );
    shared::format_flag(&mut fs);
    shared::http_flags(&mut fs);
    ui::run(&fs, args, |p| async move {
        let client = http::client(&p)?;
        let (roles, _) = client
            .acl()
            .role_list(&http::query_options(&p))
            .await
            .map_err(|e| anyhow!("Failed to retrieve the role list: {e}"))?;
        let format = Format::parse(&p)?;
        shared::info(&super::format::list(&roles, format, p.bool("meta"))?);
        Ok(0)
    })
}
