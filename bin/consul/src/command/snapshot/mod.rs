//! `consul snapshot`: save, restore and inspect archives of the servers'
//! whole state.

pub mod inspect;
pub mod progress;
pub mod restore;
pub mod save;

const SUBCOMMANDS: &[crate::command::Subcommand] = &[
    (
        "inspect",
        "Displays information about a Consul snapshot file",
        inspect::run,
    ),
    (
        "restore",
        "Restores snapshot of Consul server state",
        restore::run,
    ),
    ("save", "Saves snapshot of Consul server state", save::run),
];

/// Dispatch `consul snapshot <sub>`; without a known subcommand print the
/// subcommand list and exit 1, as Consul does.
pub fn run(args: &[String]) -> i32 {
    crate::command::dispatch("consul snapshot", SUBCOMMANDS, args)
}

/// The one FILE argument of every snapshot verb, with Consul's messages.
pub(crate) fn file_arg(args: &[String]) -> anyhow::Result<&str> {
    match args {
        [] => Err(anyhow::anyhow!("Missing FILE argument")),
        [f] => Ok(f),
        more => Err(anyhow::anyhow!(
            "Too many arguments (expected 1, got {})",
            more.len()
        )),
    }
}
