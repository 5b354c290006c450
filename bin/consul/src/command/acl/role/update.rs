//! `consul acl role update`: change a role, adding to its current policies
//! and identities unless `-no-merge`.

use anyhow::anyhow;
use consul_api::acl::AclRole;

use crate::command::acl::shared::{self, Format};
use crate::command::flags::{FlagSet, Kind};
use crate::command::{http, ui};

const HELP: &str = r#"Usage: consul acl role update [options]

  Updates the role named by -id (a unique prefix is enough). The name and
  description given replace the current ones; policies and identities
  given are added to the current ones. With -no-merge every field is
  replaced by what is given (empty if not given).

      $ consul acl role update -id abcd -name "better-name"
      $ consul acl role update -id abcd -policy-name "token-replication""#;

fn flags() -> FlagSet {
    let mut fs = FlagSet::new(HELP);
    fs.flag(
        "id",
        Kind::Str,
        "",
        "The ID of the role; a unique prefix of it is enough.",
    )
    .flag("name", Kind::Str, "", "The role's new name.")
    .flag(
        "no-merge",
        Kind::Bool,
        "",
        "Replace every field (but the ID) with what is given instead of \
         merging with the current role.",
    );
    super::content_flags(&mut fs);
    shared::meta_flag(
        &mut fs,
        "Also show the role's content hash and Raft indexes.",
    );
    shared::format_flag(&mut fs);
    shared::http_flags(&mut fs);
    fs
}

/// Run `consul acl role update`.
pub fn run(args: &[String]) -> i32 {
    ui::run(&flags(), args, |p| async move {
        let id = p.str("id").unwrap_or_default();
        if id.is_empty() {
            return Err(anyhow!(
                "Cannot update a role without specifying the -id parameter"
            ));
        }
        let client = http::client(&p)?;
        let id = shared::role_id_from_partial(&client, id)
            .await
            .map_err(|e| anyhow!("Error determining role ID: {e}"))?;
        let services = shared::service_identities(p.all("service-identity"))?;
        let nodes = shared::node_identities(p.all("node-identity"))?;
        let current = client
            .acl()
            .role_read(&id, &Default::default())
            .await
            .map_err(|e| anyhow!("Error when retrieving current role: {e}"))?
            .0
            .ok_or_else(|| anyhow!("Role not found with ID {id:?}"))?;
        let name = p.str("name").unwrap_or_default();
        let description = p.str("description").unwrap_or_default();
        let policies = super::policy_links(&client, &p).await?;
        let r = if p.bool("no-merge") {
            AclRole {
                id: id.clone(),
                name: name.to_string(),
                description: description.to_string(),
                policies: shared::non_empty(policies),
                service_identities: shared::non_empty(services),
                node_identities: shared::non_empty(nodes),
                ..Default::default()
            }
        } else {
            let mut r = current;
            if !name.is_empty() {
                r.name = name.to_string();
            }
            if !description.is_empty() {
                r.description = description.to_string();
            }
            let mut links = r.policies.take().unwrap_or_default();
            for l in policies {
                let present = links.iter().any(|c| {
                    (!l.name.is_empty() && c.name == l.name) || (!l.id.is_empty() && c.id == l.id)
                });
                if !present {
                    links.push(l);
                }
            }
            r.policies = shared::non_empty(links);
            let mut svc = r.service_identities.take().unwrap_or_default();
            for s in services {
                match svc.iter_mut().find(|c| c.service_name == s.service_name) {
                    Some(c) => *c = s,
                    None => svc.push(s),
                }
            }
            r.service_identities = shared::non_empty(svc);
            let mut nd = r.node_identities.take().unwrap_or_default();
            for n in nodes {
                if !nd.contains(&n) {
                    nd.push(n);
                }
            }
            r.node_identities = shared::non_empty(nd);
            r
        };
        let r = client
            .acl()
            .role_update(&r, &Default::default())
            .await
            .map_err(|e| anyhow!("Error updating role {id:?}: {e}"))?;
        let format = Format::parse(&p)?;
        shared::info(&super::format::role(&r, format, p.bool("meta"))?);
        Ok(0)
    })
}
