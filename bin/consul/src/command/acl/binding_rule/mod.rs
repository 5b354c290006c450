//! `consul acl binding-rule`: create, read, list, update and delete the
//! rules that decide what a login to an auth method is granted.

pub mod create;
pub mod delete;
pub mod format;
pub mod list;
pub mod read;
pub mod update;

use crate::command::acl::shared;
use crate::command::flags::{FlagSet, Kind};

const SUBCOMMANDS: &[crate::command::Subcommand] = &[
    ("create", "Create an ACL binding rule", create::run),
    ("delete", "Delete an ACL binding rule", delete::run),
    ("list", "Lists ACL binding rules", list::run),
    ("read", "Read an ACL binding rule", read::run),
    ("update", "Update an ACL binding rule", update::run),
];

/// Dispatch `consul acl binding-rule <sub>`; the subcommand list (exit 1) otherwise.
pub fn run(args: &[String]) -> i32 {
    crate::command::dispatch("consul acl binding-rule", SUBCOMMANDS, args)
}

/// The `-meta` flag of the printing verbs.
pub(crate) fn meta_flag(fs: &mut FlagSet) {
    shared::meta_flag(fs, "Also show the binding rule's Raft indexes.");
}

/// `-id` (a unique prefix of it is enough), described by `usage`.
pub(crate) fn id_flag(fs: &mut FlagSet, usage: &'static str) {
    fs.flag("id", Kind::Str, "", usage);
}

/// The fields create and update share.
pub(crate) fn content_flags(fs: &mut FlagSet) {
    fs.flag(
        "description",
        Kind::Str,
        "",
        "Free text describing the binding rule.",
    )
    .flag(
        "selector",
        Kind::Str,
        "",
        "An expression over the login's verified identity attributes that \
         must hold for the rule to apply (empty: always).",
    )
    .flag(
        "bind-type",
        Kind::Str,
        "service",
        "What a match binds: \"service\" (a service identity) or \"role\".",
    )
    .flag(
        "bind-name",
        Kind::Str,
        "",
        "The service or role name bound on a match; ${var} interpolates \
         identity attributes (required).",
    );
}
