//! `consul acl binding-rule delete`: remove a rule by ID (or a unique prefix).

use anyhow::anyhow;

use crate::command::acl::shared;
use crate::command::flags::FlagSet;
use crate::command::{http, ui};

const HELP: &str = r#"Usage: consul acl binding-rule delete -id ID [options]

  Deletes a binding rule; a unique prefix of its ID is enough.

      $ consul acl binding-rule delete -id b6b85"#;

/// Run `consul acl binding-rule delete`.
pub fn run(args: &[String]) -> i32 {
    let mut fs = FlagSet::new(HELP);
    super::id_flag(
        &mut fs,
        "The ID of the binding rule to delete; a unique prefix of it is enough.",
    );
    shared::http_flags(&mut fs);
    ui::run(&fs, args, |p| async move {
        let id = p.str("id").unwrap_or_default();
        if id.is_empty() {
            return Err(anyhow!("Must specify the -id parameter"));
        }
        let client = http::client(&p)?;
        let id = shared::binding_rule_id_from_partial(&client, id)
            .await
            .map_err(|e| anyhow!("Error determining binding rule ID: {e}"))?;
        client
            .acl()
            .binding_rule_delete(&id, &Default::default())
            .await
            .map_err(|e| anyhow!("Error deleting binding rule {id:?}: {e}"))?;
        ui::out(format!("Binding rule {id:?} deleted successfully"));
        Ok(0)
    })
}
