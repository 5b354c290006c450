//! `consul acl policy read`: one policy by ID (or prefix) or name.

use anyhow::anyhow;

use crate::command::acl::shared::{self, Format};
use crate::command::flags::FlagSet;
use crate::command::{http, ui};

const HELP: &str = r#"Usage: consul acl policy read [options] POLICY

  Prints one policy, named by -id (a unique prefix is enough) or -name.

      $ consul acl policy read -id fdabbcb5-9de5-4b1a-961f-77214ae88cba
      $ consul acl policy read -name my-policy"#;

fn flags() -> FlagSet {
    let mut fs = FlagSet::new(HELP);
    super::id_and_name_flags(&mut fs);
    shared::meta_flag(
        &mut fs,
        "Also show the policy's content hash and Raft indexes.",
    );
    shared::format_flag(&mut fs);
    shared::http_flags(&mut fs);
    fs
}

/// Run `consul acl policy read`.
pub fn run(args: &[String]) -> i32 {
    ui::run(&flags(), args, |p| async move {
        if p.str("id").unwrap_or_default().is_empty()
            && p.str("name").unwrap_or_default().is_empty()
        {
            return Err(anyhow!("Must specify either the -id or -name parameters"));
        }
        let client = http::client(&p)?;
        let id = super::id_from_flags(&client, &p).await?;
        let (policy, _) = client
            .acl()
            .policy_read(&id, &http::query_options(&p))
            .await
            .map_err(|e| anyhow!("Error reading policy {id:?}: {e}"))?;
        let format = Format::parse(&p)?;
        shared::info(&super::format::policy(&policy, format, p.bool("meta"))?);
        Ok(0)
    })
}
