//! `consul acl`: bootstrap, the agent's tokens, and managing tokens,
//! policies, roles, auth methods and binding rules through `/v1/acl/*`
//! (`consul login`/`logout` are top-level verbs).
//!
//! `translate-rules` and `policy create -from-token` are not here.

pub mod agent_token;
pub mod auth_method;
pub mod binding_rule;
pub mod bootstrap;
pub mod policy;
pub mod role;
pub mod shared;
pub mod token;

use super::ui;

const SUBCOMMANDS: &[(&str, &str)] = &[
    ("auth-method", "Manage Consul's ACL auth methods"),
    ("binding-rule", "Manage Consul's ACL binding rules"),
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
        Some("auth-method") => auth_method::run(rest),
        Some("binding-rule") => binding_rule::run(rest),
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
