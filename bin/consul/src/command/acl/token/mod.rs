//! `consul acl token`: create, read, list, update, clone and delete tokens.

pub mod clone;
pub mod create;
pub mod delete;
pub mod format;
pub mod list;
pub mod read;
pub mod update;

use crate::command::flags::{FlagSet, Kind};

const SUBCOMMANDS: &[crate::command::Subcommand] = &[
    ("clone", "Clone an ACL token", clone::run),
    ("create", "Create an ACL token", create::run),
    ("delete", "Delete an ACL token", delete::run),
    ("list", "List ACL tokens", list::run),
    ("read", "Read an ACL token", read::run),
    ("update", "Update an ACL token", update::run),
];

/// Dispatch `consul acl token <sub>`; the subcommand list (exit 1) otherwise.
pub fn run(args: &[String]) -> i32 {
    crate::command::dispatch("consul acl token", SUBCOMMANDS, args)
}

/// `-id`: the accessor to act on, a unique prefix allowed.
pub(crate) fn id_flag(fs: &mut FlagSet) {
    fs.flag(
        "id",
        Kind::Str,
        "",
        "The Accessor ID of the token; a unique prefix of it is enough (an \
         ambiguous prefix is an error).",
    );
}

/// The link and identity flags create and update share.
pub(crate) fn link_flags(fs: &mut FlagSet) {
    fs.flag(
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
        "role-id",
        Kind::Multi,
        "",
        "ID (or unique ID prefix) of a role to link. May be given more than once.",
    )
    .flag(
        "role-name",
        Kind::Multi,
        "",
        "Name of a role to link. May be given more than once.",
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
    )
    .flag(
        "description",
        Kind::Str,
        "",
        "Free text describing the token.",
    );
}
