//! `consul acl binding-rule read`: one rule by ID (or a unique prefix).

use anyhow::anyhow;

use crate::command::acl::shared::{self, Format};
use crate::command::flags::FlagSet;
use crate::command::{http, ui};

const HELP: &str = r#"Usage: consul acl binding-rule read -id ID [options]

  Prints one binding rule; a unique prefix of its ID is enough.

      $ consul acl binding-rule read -id fdabbcb5"#;

/// Run `consul acl binding-rule read`.
pub fn run(args: &[String]) -> i32 {
    let mut fs = FlagSet::new(HELP);
    super::id_flag(
        &mut fs,
        "The ID of the binding rule to read; a unique prefix of it is enough.",
    );
    super::meta_flag(&mut fs);
    shared::format_flag(&mut fs);
    shared::http_flags(&mut fs);
    ui::run(&fs, args, |p| async move {
        let id = p.str("id").unwrap_or_default();
        if id.is_empty() {
            return Err(anyhow!("Must specify the -id parameter."));
        }
        let client = http::client(&p)?;
        let id = shared::binding_rule_id_from_partial(&client, id)
            .await
            .map_err(|e| anyhow!("Error determining binding rule ID: {e}"))?;
        let r = client
            .acl()
            .binding_rule_read(&id, &http::query_options(&p))
            .await
            .map_err(|e| anyhow!("Error reading binding rule {id:?}: {e}"))?
            .0
            .ok_or_else(|| anyhow!("Binding rule not found with ID {id:?}"))?;
        let format = Format::parse(&p)?;
        shared::info(&super::format::rule(&r, format, p.bool("meta"))?);
        Ok(0)
    })
}
