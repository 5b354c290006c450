//! `consul operator`: cluster-level tools — the Raft peer set
//! ([`super::operator_raft`]) and autopilot ([`super::operator_autopilot`]).

use super::ui;

const SUBCOMMANDS: &[(&str, &str)] = &[
    (
        "autopilot",
        "Provides tools for modifying Autopilot configuration",
    ),
    ("raft", "Provides cluster-level tools for Consul operators"),
];

/// Dispatch `consul operator <sub>`; without a known subcommand print the
/// subcommand list and exit 1 (0 for `-h`).
pub fn run(args: &[String]) -> i32 {
    let rest = args.get(1..).unwrap_or_default();
    match args.first().map(String::as_str) {
        Some("raft") => super::operator_raft::run(rest),
        Some("autopilot") => super::operator_autopilot::run(rest),
        Some("-h" | "-help" | "--help") => {
            ui::err(super::usage("consul operator", SUBCOMMANDS));
            0
        }
        _ => {
            ui::err(super::usage("consul operator", SUBCOMMANDS));
            1
        }
    }
}
