//! `consul acl auth-method list`: every auth method (without configs).

use anyhow::anyhow;

use crate::command::acl::shared::{self, Format};
use crate::command::flags::FlagSet;
use crate::command::{http, ui};

const HELP: &str = r#"Usage: consul acl auth-method list [options]

  Prints every auth method.

      $ consul acl auth-method list"#;

/// Run `consul acl auth-method list`.
pub fn run(args: &[String]) -> i32 {
    let mut fs = FlagSet::new(HELP);
    super::meta_flag(&mut fs);
    shared::format_flag(&mut fs);
    shared::http_flags(&mut fs);
    ui::run(&fs, args, |p| async move {
        let client = http::client(&p)?;
        let (ms, _) = client
            .acl()
            .auth_method_list(&http::query_options(&p))
            .await
            .map_err(|e| anyhow!("Failed to retrieve the auth method list: {e}"))?;
        let format = Format::parse(&p)?;
        shared::info(&super::format::list(&ms, format, p.bool("meta"))?);
        Ok(0)
    })
}
