//! `consul snapshot`: save, restore and inspect archives of the servers'
//! whole state.

pub mod inspect;
pub mod progress;
pub mod restore;
pub mod save;

use super::ui;

const SUBCOMMANDS: &[(&str, &str)] = &[
    (
        "inspect",
        "Displays information about a Consul snapshot file",
    ),
    ("restore", "Restores snapshot of Consul server state"),
    ("save", "Saves snapshot of Consul server state"),
];

/// Dispatch `consul snapshot <sub>`; without a known subcommand print the
/// subcommand list and exit 1, as Consul does.
pub fn run(args: &[String]) -> i32 {
    let rest = args.get(1..).unwrap_or_default();
    match args.first().map(String::as_str) {
        Some("inspect") => inspect::run(rest),
        Some("restore") => restore::run(rest),
        Some("save") => save::run(rest),
        Some("-h" | "-help" | "--help") => {
            ui::err(super::usage("consul snapshot", SUBCOMMANDS));
            0
        }
        _ => {
            ui::err(super::usage("consul snapshot", SUBCOMMANDS));
            1
        }
    }
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
