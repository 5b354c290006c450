//! `consul acl binding-rule list`: every rule, or one auth method's.

use anyhow::anyhow;

use crate::command::acl::shared::{self, Format};
use crate::command::flags::{FlagSet, Kind};
use crate::command::{http, ui};

const HELP: &str = r#"Usage: consul acl binding-rule list [options]

  Prints every binding rule, or only those of -method.

      $ consul acl binding-rule list -method my-jwt"#;

/// Run `consul acl binding-rule list`.
pub fn run(args: &[String]) -> i32 {
    let mut fs = FlagSet::new(HELP);
    fs.flag(
        "method",
        Kind::Str,
        "",
        "Only show the rules of the auth method with this name.",
    );
    super::meta_flag(&mut fs);
    shared::format_flag(&mut fs);
    shared::http_flags(&mut fs);
    ui::run(&fs, args, |p| async move {
        let client = http::client(&p)?;
        let method = p.str("method").unwrap_or_default();
        let (rs, _) = client
            .acl()
            .binding_rule_list(method, &http::query_options(&p))
            .await
            .map_err(|e| anyhow!("Failed to retrieve the binding rule list: {e}"))?;
        let format = Format::parse(&p)?;
        shared::info(&super::format::list(&rs, format, p.bool("meta"))?);
        Ok(0)
    })
}
