//! `consul acl`: bootstrap, the agent's tokens, and managing tokens,
//! policies and roles through `/v1/acl/*`.
//!
//! Auth methods, binding rules, `login`/`logout` and `translate-rules` are
//! not here: the server side of auth methods does not exist yet.

pub mod agent_token;
pub mod bootstrap;
pub mod policy;
pub mod role;
pub mod shared;
pub mod token;

use super::ui;

const SUBCOMMANDS: &[(&str, &str)] = &[
    ("bootstrap", "Bootstrap Consul's ACL system"),
    ("policy", "Manage Consul's ACL policies"),
    ("role", "Manage Consul's ACL roles"),
    (
        "set-agent-token",
        "Assign tokens for the Consul Agent's usage",
    ),
    ("token", "Manage Consul's ACL tokens"),
];

/// Dispatch `consul acl <sub>`; the subcommand list (exit 1) otherwise.
pub fn run(args: &[String]) -> i32 {
    let rest = args.get(1..).unwrap_or_default();
    match args.first().map(String::as_str) {
        Some("bootstrap") => bootstrap::run(rest),
        Some("policy") => policy::run(rest),
        Some("role") => role::run(rest),
        Some("set-agent-token") => agent_token::run(rest),
        Some("token") => token::run(rest),
        Some("-h" | "-help" | "--help") => {
            ui::err(super::usage("consul acl", SUBCOMMANDS));
            0
        }
        _ => {
            ui::err(super::usage("consul acl", SUBCOMMANDS));
            1
        }
    }
}
