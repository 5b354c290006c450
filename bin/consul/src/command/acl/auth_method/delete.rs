//! `consul acl auth-method delete`: remove an auth method by name (its
//! binding rules and the tokens its logins made go with it).

use anyhow::anyhow;

use crate::command::acl::shared;
use crate::command::flags::{FlagSet, Kind};
use crate::command::{http, ui};

const HELP: &str = r#"Usage: consul acl auth-method delete -name NAME [options]

  Deletes an auth method, with its binding rules and login tokens.

      $ consul acl auth-method delete -name my-jwt"#;

/// Run `consul acl auth-method delete`.
pub fn run(args: &[String]) -> i32 {
    let mut fs = FlagSet::new(HELP);
    fs.flag(
        "name",
        Kind::Str,
        "",
        "The name of the auth method to delete.",
    );
    shared::http_flags(&mut fs);
    ui::run(&fs, args, |p| async move {
        let name = p.str("name").unwrap_or_default();
        if name.is_empty() {
            return Err(anyhow!("Must specify the -name parameter"));
        }
        let client = http::client(&p)?;
        client
            .acl()
            .auth_method_delete(name, &Default::default())
            .await
            .map_err(|e| anyhow!("Error deleting auth method {name:?}: {e}"))?;
        ui::out(format!("Auth method {name:?} deleted successfully"));
        Ok(0)
    })
}
