//! `consul acl policy update`: change a policy, merging what is given with
//! its current state unless `-no-merge`.

use anyhow::anyhow;
use consul_api::acl::AclPolicy;

use crate::command::acl::shared::{self, Format};
use crate::command::flags::{FlagSet, Kind};
use crate::command::{http, ui};

const HELP: &str = r#"Usage: consul acl policy update [options]

  Updates the policy named by -id (a unique prefix is enough) or, without
  -id, by -name. Fields not given keep their current values; with
  -no-merge every field is replaced by what is given (empty if not given).

      $ consul acl policy update -id abcd -name "better-name"
      $ consul acl policy update -id abcd -rules @rules.hcl"#;

fn flags() -> FlagSet {
    let mut fs = FlagSet::new(HELP);
    fs.flag(
        "id",
        Kind::Str,
        "",
        "The ID of the policy; a unique prefix of it is enough.",
    )
    .flag(
        "name",
        Kind::Str,
        "",
        "The policy's new name (without -id: the policy to update).",
    )
    .flag(
        "no-merge",
        Kind::Bool,
        "",
        "Replace every field (but the ID) with what is given instead of \
         merging with the current policy.",
    );
    super::content_flags(&mut fs);
    shared::meta_flag(
        &mut fs,
        "Also show the policy's content hash and Raft indexes.",
    );
    shared::format_flag(&mut fs);
    shared::http_flags(&mut fs);
    fs
}

/// Run `consul acl policy update`.
pub fn run(args: &[String]) -> i32 {
    ui::run(&flags(), args, |p| async move {
        let name = p.str("name");
        if p.str("id").unwrap_or_default().is_empty() && name.unwrap_or_default().is_empty() {
            return Err(anyhow!("Must specify either the -id or -name parameters"));
        }
        let client = http::client(&p)?;
        let id = super::id_from_flags(&client, &p).await?;
        let rules = shared::load_data_source(p.str("rules").unwrap_or_default())
            .map_err(|e| anyhow!("Error loading data source: {e}"))?;
        let dcs = p.all("valid-datacenter").to_vec();
        let description = p.str("description");
        let updated = if p.bool("no-merge") {
            AclPolicy {
                id: id.clone(),
                name: name.unwrap_or_default().to_string(),
                description: description.unwrap_or_default().to_string(),
                datacenters: shared::non_empty(dcs),
                rules,
                ..Default::default()
            }
        } else {
            let (cur, _) = client
                .acl()
                .policy_read(&id, &Default::default())
                .await
                .map_err(|e| anyhow!("Error reading policy {id:?}: {e}"))?;
            AclPolicy {
                id: id.clone(),
                // A flag given (even empty) replaces the field.
                name: name.map_or(cur.name, str::to_string),
                description: description.map_or(cur.description, str::to_string),
                rules: if p.str("rules").is_some() {
                    rules
                } else {
                    cur.rules
                },
                datacenters: if dcs.is_empty() {
                    cur.datacenters
                } else {
                    Some(dcs)
                },
                ..Default::default()
            }
        };
        let policy = client
            .acl()
            .policy_update(&updated, &Default::default())
            .await
            .map_err(|e| anyhow!("Error updating policy {id:?}: {e}"))?;
        let format = Format::parse(&p)?;
        shared::info(&super::format::policy(&policy, format, p.bool("meta"))?);
        Ok(0)
    })
}
