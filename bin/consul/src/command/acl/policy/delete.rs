//! `consul acl policy delete`: remove a policy by ID (or prefix) or name.

use anyhow::anyhow;

use crate::command::acl::shared;
use crate::command::flags::FlagSet;
use crate::command::{http, ui};

const HELP: &str = r#"Usage: consul acl policy delete [options] -id POLICY

  Deletes the policy named by -id (a unique prefix is enough) or -name.

      $ consul acl policy delete -id b6b85
      $ consul acl policy delete -name kv-read"#;

/// Run `consul acl policy delete`.
pub fn run(args: &[String]) -> i32 {
    let mut fs = FlagSet::new(HELP);
    super::id_and_name_flags(&mut fs);
    shared::http_flags(&mut fs);
    ui::run(&fs, args, |p| async move {
        if p.str("id").unwrap_or_default().is_empty()
            && p.str("name").unwrap_or_default().is_empty()
        {
            return Err(anyhow!("Must specify either the -id or -name parameters"));
        }
        let client = http::client(&p)?;
        let id = super::id_from_flags(&client, &p).await?;
        client
            .acl()
            .policy_delete(&id, &Default::default())
            .await
            .map_err(|e| anyhow!("Error deleting policy {id:?}: {e}"))?;
        ui::out(format!("Policy {id:?} deleted successfully"));
        Ok(0)
    })
}
