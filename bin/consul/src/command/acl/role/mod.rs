//! `consul acl role`: create, read, list, update and delete roles.

pub mod create;
pub mod delete;
pub mod format;
pub mod list;
pub mod read;
pub mod update;

use anyhow::anyhow;
use consul_api::acl::AclLink;
use consul_api::Client;

use crate::command::acl::shared;
use crate::command::flags::{FlagSet, Kind, Parsed};

const SUBCOMMANDS: &[crate::command::Subcommand] = &[
    ("create", "Create an ACL role", create::run),
    ("delete", "Delete an ACL role", delete::run),
    ("list", "Lists ACL roles", list::run),
    ("read", "Read an ACL role", read::run),
    ("update", "Update an ACL role", update::run),
];

/// Dispatch `consul acl role <sub>`; the subcommand list (exit 1) otherwise.
pub fn run(args: &[String]) -> i32 {
    crate::command::dispatch("consul acl role", SUBCOMMANDS, args)
}

/// `-id` (a unique prefix allowed) and `-name`, naming one role.
pub(crate) fn id_and_name_flags(fs: &mut FlagSet) {
    fs.flag(
        "id",
        Kind::Str,
        "",
        "The ID of the role; a unique prefix of it is enough.",
    )
    .flag("name", Kind::Str, "", "The name of the role.");
}

/// The policy and identity flags create and update share.
pub(crate) fn content_flags(fs: &mut FlagSet) {
    fs.flag(
        "description",
        Kind::Str,
        "",
        "Free text describing the role.",
    )
    .flag(
        "policy-id",
        Kind::Multi,
        "",
        "ID (or unique ID prefix) of a policy to link. May be given more than once.",
    )
    .flag(
        "policy-name",
        Kind::Multi,
        "",
        "Name of a policy to link. May be given more than once.",
    )
    .flag(
        "service-identity",
        Kind::Multi,
        "",
        "A service identity, as SERVICENAME or SERVICENAME:DC1,DC2,... May be \
         given more than once.",
    )
    .flag(
        "node-identity",
        Kind::Multi,
        "",
        "A node identity, as NODENAME:DATACENTER. May be given more than once.",
    );
}

/// The policy links `-policy-name` and `-policy-id` name (IDs resolved
/// from prefixes).
pub(crate) async fn policy_links(client: &Client, p: &Parsed) -> anyhow::Result<Vec<AclLink>> {
    let mut out: Vec<AclLink> = p
        .all("policy-name")
        .iter()
        .map(|n| AclLink::by_name(n))
        .collect();
    for id in p.all("policy-id") {
        let id = shared::policy_id_from_partial(client, id)
            .await
            .map_err(|e| anyhow!("Error resolving policy ID : {e}"))?;
        out.push(AclLink::by_id(&id));
    }
    Ok(out)
}
