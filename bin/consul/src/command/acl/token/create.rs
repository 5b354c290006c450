//! `consul acl token create`: a new token linking policies, roles and
//! identities.

use anyhow::anyhow;
use consul_api::acl::{AclLink, AclToken};

use crate::command::acl::shared::{self, Format};
use crate::command::flags::{FlagSet, Kind};
use crate::command::{http, ui};

const HELP: &str = r#"Usage: consul acl token create [options]

  Creates a token. Link policies with -policy-id (a unique ID prefix is
  enough) or -policy-name, roles with -role-id or -role-name, and add
  service or node identities; at least one of them is required.

      $ consul acl token create -description "web servers" \
                                -policy-name web -service-identity web"#;

fn flags() -> FlagSet {
    let mut fs = FlagSet::new(HELP);
    fs.flag(
        "accessor",
        Kind::Str,
        "",
        "The Accessor ID to create the token with (a UUID); generated when not given.",
    )
    .flag(
        "secret",
        Kind::Str,
        "",
        "The Secret ID to create the token with (a UUID); generated when not given.",
    )
    .flag(
        "local",
        Kind::Bool,
        "",
        "Make the token local to this datacenter.",
    )
    .flag(
        "expires-ttl",
        Kind::Str,
        "",
        "How long the token is valid, as a duration (e.g. 1h).",
    );
    super::link_flags(&mut fs);
    shared::meta_flag(
        &mut fs,
        "Also show the token's content hash and Raft indexes.",
    );
    shared::format_flag(&mut fs);
    shared::http_flags(&mut fs);
    fs
}

/// Run `consul acl token create`.
pub fn run(args: &[String]) -> i32 {
    ui::run(&flags(), args, |p| async move {
        let ttl = match p.str("expires-ttl").filter(|s| !s.is_empty()) {
            None => 0,
            Some(s) => match consul_types::duration::parse_go_duration(s) {
                Ok(d) => d.as_nanos().min(u64::MAX as u128) as u64,
                Err(_) => {
                    return Err(anyhow!(
                        "invalid value {s:?} for flag -expires-ttl: parse error"
                    ))
                }
            },
        };
        let any_link = [
            "policy-name",
            "policy-id",
            "role-name",
            "role-id",
            "service-identity",
            "node-identity",
        ]
        .iter()
        .any(|f| !p.all(f).is_empty());
        if !any_link {
            return Err(anyhow!(
                "Cannot create a token without specifying -policy-name, -policy-id, \
                 -role-name, -role-id, -service-identity, or -node-identity at least once"
            ));
        }
        let client = http::client(&p)?;
        let mut t = AclToken {
            description: p.str("description").unwrap_or_default().to_string(),
            local: p.bool("local"),
            accessor_id: p.str("accessor").unwrap_or_default().to_string(),
            secret_id: p.str("secret").unwrap_or_default().to_string(),
            expiration_ttl: ttl,
            ..Default::default()
        };
        t.service_identities =
            shared::non_empty(shared::service_identities(p.all("service-identity"))?);
        t.node_identities = shared::non_empty(shared::node_identities(p.all("node-identity"))?);
        let mut policies: Vec<AclLink> = p
            .all("policy-name")
            .iter()
            .map(|n| AclLink::by_name(n))
            .collect();
        for id in p.all("policy-id") {
            // Consul's message names the (shadowed, empty) resolved ID.
            let id = shared::policy_id_from_partial(&client, id)
                .await
                .map_err(|e| anyhow!("Error resolving policy ID : {e}"))?;
            policies.push(AclLink::by_id(&id));
        }
        let mut roles: Vec<AclLink> = p
            .all("role-name")
            .iter()
            .map(|n| AclLink::by_name(n))
            .collect();
        for id in p.all("role-id") {
            let id = shared::role_id_from_partial(&client, id)
                .await
                .map_err(|e| anyhow!("Error resolving role ID : {e}"))?;
            roles.push(AclLink::by_id(&id));
        }
        t.policies = shared::non_empty(policies);
        t.roles = shared::non_empty(roles);
        let created = client
            .acl()
            .token_create(&t, &Default::default())
            .await
            .map_err(|e| anyhow!("Failed to create new token: {e}"))?;
        let format = Format::parse(&p)?;
        shared::info(&super::format::token(&created, format, p.bool("meta"))?);
        Ok(0)
    })
}
