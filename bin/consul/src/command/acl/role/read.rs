//! `consul acl role read`: one role by ID (or prefix) or name.

use anyhow::anyhow;

use crate::command::acl::shared::{self, Format};
use crate::command::flags::FlagSet;
use crate::command::{http, ui};

const HELP: &str = r#"Usage: consul acl role read [options] ROLE

  Prints one role, named by -id (a unique prefix is enough) or -name.

      $ consul acl role read -id fdabbcb5-9de5-4b1a-961f-77214ae88cba
      $ consul acl role read -name my-role"#;

fn flags() -> FlagSet {
    let mut fs = FlagSet::new(HELP);
    super::id_and_name_flags(&mut fs);
    shared::meta_flag(
        &mut fs,
        "Also show the role's content hash and Raft indexes.",
    );
    shared::format_flag(&mut fs);
    shared::http_flags(&mut fs);
    fs
}

/// Run `consul acl role read`.
pub fn run(args: &[String]) -> i32 {
    ui::run(&flags(), args, |p| async move {
        let id = p.str("id").unwrap_or_default();
        let name = p.str("name").unwrap_or_default();
        if id.is_empty() && name.is_empty() {
            return Err(anyhow!("Must specify either the -id or -name parameters"));
        }
        let client = http::client(&p)?;
        let q = http::query_options(&p);
        let role = if !id.is_empty() {
            let id = shared::role_id_from_partial(&client, id)
                .await
                .map_err(|e| anyhow!("Error determining role ID: {e}"))?;
            client
                .acl()
                .role_read(&id, &q)
                .await
                .map_err(|e| anyhow!("Error reading role {id:?}: {e}"))?
                .0
                .ok_or_else(|| anyhow!("Role not found with ID {id:?}"))?
        } else {
            client
                .acl()
                .role_read_by_name(name, &q)
                .await
                .map_err(|e| anyhow!("Error reading role {name:?}: {e}"))?
                .0
                .ok_or_else(|| anyhow!("Role not found with name {name:?}"))?
        };
        let format = Format::parse(&p)?;
        shared::info(&super::format::role(&role, format, p.bool("meta"))?);
        Ok(0)
    })
}
