//! `consul acl policy`: create, read, list, update and delete policies.

pub mod create;
pub mod delete;
pub mod format;
pub mod list;
pub mod read;
pub mod update;

use anyhow::anyhow;
use consul_api::Client;

use crate::command::acl::shared;
use crate::command::flags::{FlagSet, Kind, Parsed};

const SUBCOMMANDS: &[crate::command::Subcommand] = &[
    ("create", "Create an ACL policy", create::run),
    ("delete", "Delete an ACL policy", delete::run),
    ("list", "Lists ACL policies", list::run),
    ("read", "Read an ACL policy", read::run),
    ("update", "Update an ACL policy", update::run),
];

/// Dispatch `consul acl policy <sub>`; the subcommand list (exit 1) otherwise.
pub fn run(args: &[String]) -> i32 {
    crate::command::dispatch("consul acl policy", SUBCOMMANDS, args)
}

/// `-id` (a unique prefix allowed) and `-name`, naming one policy.
pub(crate) fn id_and_name_flags(fs: &mut FlagSet) {
    fs.flag(
        "id",
        Kind::Str,
        "",
        "The ID of the policy; a unique prefix of it is enough.",
    )
    .flag("name", Kind::Str, "", "The name of the policy.");
}

/// The ID `-id` or `-name` names (Consul's errors when neither or no match).
pub(crate) async fn id_from_flags(client: &Client, p: &Parsed) -> anyhow::Result<String> {
    let r = match p.str("id").filter(|s| !s.is_empty()) {
        Some(id) => shared::policy_id_from_partial(client, id).await,
        None => shared::policy_id_by_name(client, p.str("name").unwrap_or_default()).await,
    };
    r.map_err(|e| anyhow!("Error determining policy ID: {e}"))
}

/// `-valid-datacenter` and `-rules`, which create and update share.
pub(crate) fn content_flags(fs: &mut FlagSet) {
    fs.flag(
        "valid-datacenter",
        Kind::Multi,
        "",
        "A datacenter the policy is valid in. May be given more than once \
         (none: valid everywhere).",
    )
    .flag(
        "rules",
        Kind::Str,
        "",
        "The policy's rules: the text itself, @FILE to read them from a file, \
         or - to read them from stdin.",
    )
    .flag(
        "description",
        Kind::Str,
        "",
        "Free text describing the policy.",
    );
}
