//! `consul acl policy list`: every policy.

use anyhow::anyhow;

use crate::command::acl::shared::{self, Format};
use crate::command::flags::FlagSet;
use crate::command::{http, ui};

const HELP: &str = r#"Usage: consul acl policy list [options]

  Prints every ACL policy.

      $ consul acl policy list"#;

/// Run `consul acl policy list`.
pub fn run(args: &[String]) -> i32 {
    let mut fs = FlagSet::new(HELP);
    shared::meta_flag(
        &mut fs,
        "Also show each policy's content hash and Raft indexes.",
    );
    shared::format_flag(&mut fs);
    shared::http_flags(&mut fs);
    ui::run(&fs, args, |p| async move {
        let client = http::client(&p)?;
        let (policies, _) = client
            .acl()
            .policy_list(&http::query_options(&p))
            .await
            .map_err(|e| anyhow!("Failed to retrieve the policy list: {e}"))?;
        let format = Format::parse(&p)?;
        shared::info(&super::format::list(&policies, format, p.bool("meta"))?);
        Ok(0)
    })
}
