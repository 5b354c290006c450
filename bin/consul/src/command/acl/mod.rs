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

const SUBCOMMANDS: &[crate::command::Subcommand] = &[
    (
        "auth-method",
        "Manage Consul's ACL auth methods",
        auth_method::run,
    ),
    (
        "binding-rule",
        "Manage Consul's ACL binding rules",
        binding_rule::run,
    ),
    ("bootstrap", "Bootstrap Consul's ACL system", bootstrap::run),
    ("policy", "Manage Consul's ACL policies", policy::run),
    ("role", "Manage Consul's ACL roles", role::run),
    (
        "set-agent-token",
        "Assign tokens for the Consul Agent's usage",
        agent_token::run,
    ),
    ("token", "Manage Consul's ACL tokens", token::run),
];

/// Dispatch `consul acl <sub>`; the subcommand list (exit 1) otherwise.
pub fn run(args: &[String]) -> i32 {
    crate::command::dispatch("consul acl", SUBCOMMANDS, args)
}
