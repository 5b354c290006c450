//! `consul acl token update`: change a token's description, links and
//! identities — replacing them, or merging with `-merge-*`.

use anyhow::anyhow;
use consul_api::acl::AclLink;
use consul_api::Client;

use crate::command::acl::shared::{self, Format};
use crate::command::flags::{FlagSet, Kind, Parsed};
use crate::command::{http, ui};

const HELP: &str = r#"Usage: consul acl token update [options]

  Updates the token named by -id. Policies, roles and identities given
  replace the token's current ones unless the matching -merge-* flag asks
  to add them instead; whether a token is local cannot change.

      $ consul acl token update -id abcd -description "replication" -merge-policies
      $ consul acl token update -id abcd -policy-name "token-replication""#;

fn flags() -> FlagSet {
    let mut fs = FlagSet::new(HELP);
    super::id_flag(&mut fs);
    super::link_flags(&mut fs);
    for (name, what) in [
        (
            "merge-policies",
            "Add the given policies to the current ones.",
        ),
        ("merge-roles", "Add the given roles to the current ones."),
        (
            "merge-service-identities",
            "Add the given service identities to the current ones (one with the \
             same service name is replaced).",
        ),
        (
            "merge-node-identities",
            "Add the given node identities to the current ones.",
        ),
        (
            "upgrade-legacy",
            "Replace a legacy token's rules by the given policies, keeping its secret.",
        ),
    ] {
        fs.flag(name, Kind::Bool, "", what);
    }
    shared::meta_flag(
        &mut fs,
        "Also show the token's content hash and Raft indexes.",
    );
    shared::format_flag(&mut fs);
    shared::http_flags(&mut fs);
    fs
}

/// Links named by `-<what>-name` and `-<what>-id` (IDs resolved from prefixes).
async fn wanted(client: &Client, p: &Parsed, policies: bool) -> anyhow::Result<Vec<AclLink>> {
    let (names, ids, word) = if policies {
        ("policy-name", "policy-id", "policy")
    } else {
        ("role-name", "role-id", "role")
    };
    let mut out: Vec<AclLink> = p.all(names).iter().map(|n| AclLink::by_name(n)).collect();
    for id in p.all(ids) {
        let id = if policies {
            shared::policy_id_from_partial(client, id).await
        } else {
            shared::role_id_from_partial(client, id).await
        }
        .map_err(|e| anyhow!("Error resolving {word} ID : {e}"))?;
        out.push(AclLink::by_id(&id));
    }
    Ok(out)
}

/// `current` plus each of `new` not already linked (by name, or by ID).
fn merge_links(current: Option<Vec<AclLink>>, new: Vec<AclLink>) -> Vec<AclLink> {
    let mut out = current.unwrap_or_default();
    for l in new {
        let present = out.iter().any(|c| {
            (!l.name.is_empty() && c.name == l.name) || (!l.id.is_empty() && c.id == l.id)
        });
        if !present {
            out.push(l);
        }
    }
    out
}

/// Run `consul acl token update`.
pub fn run(args: &[String]) -> i32 {
    ui::run(&flags(), args, |p| async move {
        let id = p.str("id").unwrap_or_default();
        if id.is_empty() {
            return Err(anyhow!(
                "Cannot update a token without specifying the -id parameter"
            ));
        }
        let client = http::client(&p)?;
        let id = shared::token_id_from_partial(&client, id)
            .await
            .map_err(|e| anyhow!("Error determining token ID: {e}"))?;
        let (mut t, _) = client
            .acl()
            .token_read(&id, &Default::default())
            .await
            .map_err(|e| anyhow!("Error when retrieving current token: {e}"))?;
        if p.bool("upgrade-legacy") {
            if t.rules.is_empty() {
                return Err(anyhow!("Can't use -upgrade-legacy on a non-legacy token"));
            }
            t.rules.clear();
        }
        if let Some(d) = p.str("description").filter(|d| !d.is_empty()) {
            t.description = d.to_string();
        }
        let services = shared::service_identities(p.all("service-identity"))?;
        let nodes = shared::node_identities(p.all("node-identity"))?;

        let policies = wanted(&client, &p, true).await?;
        t.policies = shared::non_empty(if p.bool("merge-policies") {
            merge_links(t.policies.take(), policies)
        } else {
            policies
        });
        let roles = wanted(&client, &p, false).await?;
        t.roles = shared::non_empty(if p.bool("merge-roles") {
            merge_links(t.roles.take(), roles)
        } else {
            roles
        });
        t.service_identities = shared::non_empty(if p.bool("merge-service-identities") {
            let mut cur = t.service_identities.take().unwrap_or_default();
            for s in services {
                match cur.iter_mut().find(|c| c.service_name == s.service_name) {
                    Some(c) => *c = s,
                    None => cur.push(s),
                }
            }
            cur
        } else {
            services
        });
        t.node_identities = shared::non_empty(if p.bool("merge-node-identities") {
            let mut cur = t.node_identities.take().unwrap_or_default();
            for n in nodes {
                if !cur.contains(&n) {
                    cur.push(n);
                }
            }
            cur
        } else {
            nodes
        });

        let t = client
            .acl()
            .token_update(&t, &Default::default())
            .await
            .map_err(|e| anyhow!("Failed to update token {id}: {e}"))?;
        let format = Format::parse(&p)?;
        shared::info(&super::format::token(&t, format, p.bool("meta"))?);
        Ok(0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merging_keeps_current_links_and_skips_duplicates() {
        let cur = Some(vec![AclLink {
            id: "p1".into(),
            name: "one".into(),
        }]);
        let got = merge_links(
            cur,
            vec![
                AclLink::by_name("one"),
                AclLink::by_id("p1"),
                AclLink::by_name("two"),
            ],
        );
        assert_eq!(got.len(), 2);
        assert_eq!(got[1], AclLink::by_name("two"));
    }
}
