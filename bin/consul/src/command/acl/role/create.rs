//! `consul acl role create`: a new role linking policies and identities.

use anyhow::anyhow;
use consul_api::acl::AclRole;

use crate::command::acl::shared::{self, Format};
use crate::command::flags::{FlagSet, Kind};
use crate::command::{http, ui};

const HELP: &str = r#"Usage: consul acl role create -name NAME [options]

  Creates a role: a named set of policies and service or node identities
  that tokens can link; at least one of them is required.

      $ consul acl role create -name "db-updater" \
                               -policy-name "db-write" \
                               -service-identity "db:east,west""#;

fn flags() -> FlagSet {
    let mut fs = FlagSet::new(HELP);
    fs.flag("name", Kind::Str, "", "The new role's name (required).");
    super::content_flags(&mut fs);
    shared::meta_flag(
        &mut fs,
        "Also show the role's content hash and Raft indexes.",
    );
    shared::format_flag(&mut fs);
    shared::http_flags(&mut fs);
    fs
}

/// Run `consul acl role create`.
pub fn run(args: &[String]) -> i32 {
    let fs = flags();
    let usage = fs.usage();
    ui::run(&fs, args, |p| async move {
        let name = p.str("name").unwrap_or_default().to_string();
        if name.is_empty() {
            ui::err("Missing require '-name' flag");
            ui::err(usage);
            return Ok(1);
        }
        let any = [
            "policy-name",
            "policy-id",
            "service-identity",
            "node-identity",
        ]
        .iter()
        .any(|f| !p.all(f).is_empty());
        if !any {
            return Err(anyhow!(
                "Cannot create a role without specifying -policy-name, -policy-id, \
                 -service-identity, or -node-identity at least once"
            ));
        }
        let client = http::client(&p)?;
        let policies = super::policy_links(&client, &p).await?;
        let new = AclRole {
            name,
            description: p.str("description").unwrap_or_default().to_string(),
            policies: shared::non_empty(policies),
            service_identities: shared::non_empty(shared::service_identities(
                p.all("service-identity"),
            )?),
            node_identities: shared::non_empty(shared::node_identities(p.all("node-identity"))?),
            ..Default::default()
        };
        let r = client
            .acl()
            .role_create(&new, &Default::default())
            .await
            .map_err(|e| anyhow!("Failed to create new role: {e}"))?;
        let format = Format::parse(&p)?;
        shared::info(&super::format::role(&r, format, p.bool("meta"))?);
        Ok(0)
    })
}
