//! `consul acl auth-method read`: one auth method by name, with its config.

use anyhow::anyhow;

use crate::command::acl::shared::{self, Format};
use crate::command::flags::{FlagSet, Kind};
use crate::command::{http, ui};

const HELP: &str = r#"Usage: consul acl auth-method read -name NAME [options]

  Prints one auth method and its configuration.

      $ consul acl auth-method read -name my-jwt"#;

/// Run `consul acl auth-method read`.
pub fn run(args: &[String]) -> i32 {
    let mut fs = FlagSet::new(HELP);
    fs.flag(
        "name",
        Kind::Str,
        "",
        "The name of the auth method to read.",
    );
    super::meta_flag(&mut fs);
    shared::format_flag(&mut fs);
    shared::http_flags(&mut fs);
    ui::run(&fs, args, |p| async move {
        let name = p.str("name").unwrap_or_default();
        if name.is_empty() {
            return Err(anyhow!("Must specify the -name parameter"));
        }
        let client = http::client(&p)?;
        let m = client
            .acl()
            .auth_method_read(name, &http::query_options(&p))
            .await
            .map_err(|e| anyhow!("Error reading auth method {name:?}: {e}"))?
            .0
            .ok_or_else(|| anyhow!("Auth method not found with name {name:?}"))?;
        let format = Format::parse(&p)?;
        shared::info(&super::format::method(&m, format, p.bool("meta"))?);
        Ok(0)
    })
}
