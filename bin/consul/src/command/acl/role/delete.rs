//! `consul acl role delete`: remove a role by ID (or prefix) or name.

use anyhow::anyhow;

use crate::command::acl::shared;
use crate::command::flags::FlagSet;
use crate::command::{http, ui};

const HELP: &str = r#"Usage: consul acl role delete [options] -id ROLE

  Deletes the role named by -id (a unique prefix is enough) or -name.

      $ consul acl role delete -id b6b85
      $ consul acl role delete -name db-updater"#;

/// Run `consul acl role delete`.
pub fn run(args: &[String]) -> i32 {
    let mut fs = FlagSet::new(HELP);
    super::id_and_name_flags(&mut fs);
    shared::http_flags(&mut fs);
    ui::run(&fs, args, |p| async move {
        let id = p.str("id").unwrap_or_default();
        let name = p.str("name").unwrap_or_default();
        if id.is_empty() && name.is_empty() {
            return Err(anyhow!("Must specify the -id or -name parameters"));
        }
        let client = http::client(&p)?;
        let id = if !id.is_empty() {
            shared::role_id_from_partial(&client, id).await
        } else {
            shared::role_id_by_name(&client, name).await
        }
        .map_err(|e| anyhow!("Error determining role ID: {e}"))?;
        client
            .acl()
            .role_delete(&id, &Default::default())
            .await
            .map_err(|e| anyhow!("Error deleting role {id:?}: {e}"))?;
        ui::out(format!("Role {id:?} deleted successfully"));
        Ok(0)
    })
}
