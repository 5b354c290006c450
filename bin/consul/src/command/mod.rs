//! Subcommand dispatch: one module per verb, nested like `kv/put.rs`.
//!
//! Every verb but `agent` and `version` is a thin client of the HTTP API
//! (`consul-api`), parsing its flags with Go's `flag` semantics
//! ([`flags`]) and printing exactly what Consul's CLI prints.

pub mod acl;
pub mod agent;
pub mod catalog;
pub mod event;
pub mod exec;
pub mod flags;
pub mod force_leave;
pub mod http;
pub mod info;
pub mod join;
pub mod keygen;
pub mod keyring;
pub mod kv;
pub mod leave;
pub mod lock;
pub mod login;
pub mod logout;
pub mod maint;
pub mod members;
pub mod monitor;
pub mod operator;
pub mod operator_autopilot;
pub mod operator_raft;
pub mod reload;
pub mod services;
pub mod snapshot;
pub mod tls;
pub mod ui;
pub mod validate;
pub mod version;
pub mod watch;

/// Top-level verbs with their one-line synopses, for the usage text.
const COMMANDS: &[(&str, &str)] = &[
    ("acl", "Interact with Consul's ACLs"),
    ("agent", "Runs a Consul agent"),
    ("catalog", "Interact with the catalog"),
    ("event", "Fire a new event"),
    ("exec", "Executes a command on Consul nodes"),
    (
        "force-leave",
        "Forces a member of the cluster to enter the \"left\" state",
    ),
    ("info", "Provides debugging information for operators."),
    ("join", "Tell Consul agent to join cluster"),
    ("keygen", "Generates a new encryption key"),
    ("keyring", "Manages gossip layer encryption keys"),
    ("kv", "Interact with the key-value store"),
    (
        "leave",
        "Gracefully leaves the Consul cluster and shuts down",
    ),
    ("lock", "Execute a command holding a lock"),
    ("login", "Login to Consul using an auth method"),
    ("logout", "Destroy a Consul token created with login"),
    ("maint", "Controls node or service maintenance mode"),
    ("members", "Lists the members of a Consul cluster"),
    ("monitor", "Stream logs from a Consul agent"),
    (
        "operator",
        "Provides cluster-level tools for Consul operators",
    ),
    ("reload", "Triggers the agent to reload configuration files"),
    ("services", "Interact with services"),
    (
        "snapshot",
        "Saves, restores and inspects snapshots of Consul server state",
    ),
    ("tls", "Builtin helpers for creating CAs and certificates"),
    ("validate", "Validate config files/directories"),
    ("version", "Prints the Consul version"),
    ("watch", "Watch for changes in Consul"),
];

/// The usage text listing `commands` under `prefix` (e.g. `consul kv`).
pub fn usage(prefix: &str, commands: &[(&str, &str)]) -> String {
    let width = commands.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
    let mut s = if prefix == "consul" {
        "Usage: consul [--version] [--help] <command> [<args>]\n\nAvailable commands are:\n"
            .to_string()
    } else {
        format!("Usage: {prefix} <subcommand> [options] [args]\n\nSubcommands:\n")
    };
    for (name, synopsis) in commands {
        s.push_str(&format!("    {name:<width$}    {synopsis}\n"));
    }
    s
}

/// One verb of a command group: its name, one-line synopsis and entry point.
pub type Subcommand = (&'static str, &'static str, fn(&[String]) -> i32);

/// Dispatch a command group (`consul acl token …`): run the verb `args[0]`
/// names with the rest; `-h` prints the verb list and succeeds, anything
/// else prints it and exits 1, as Consul's groups do.
pub fn dispatch(prefix: &str, verbs: &[Subcommand], args: &[String]) -> i32 {
    let rest = args.get(1..).unwrap_or_default();
    let list = || {
        let pairs: Vec<(&str, &str)> = verbs.iter().map(|(n, s, _)| (*n, *s)).collect();
        ui::err(usage(prefix, &pairs));
    };
    match args.first().map(String::as_str) {
        Some(name) if verbs.iter().any(|(n, _, _)| *n == name) => {
            let (_, _, run) = verbs.iter().find(|(n, _, _)| *n == name).expect("found");
            run(rest)
        }
        Some("-h" | "-help" | "--help") => {
            list();
            0
        }
        _ => {
            list();
            1
        }
    }
}

/// Run the subcommand named by `args[0]`; returns the process exit code.
///
/// As in Consul (mitchellh/cli): `-v`/`--version` print the version, `-h`
/// /`--help` print the usage and succeed, and a missing or unknown command
/// prints the usage to stderr and exits 127.
pub fn run(args: Vec<String>) -> i32 {
    let rest = args.get(1..).unwrap_or_default();
    match args.first().map(String::as_str) {
        Some("acl") => acl::run(rest),
        Some("agent") => agent::run(rest),
        Some("catalog") => catalog::run(rest),
        Some("event") => event::run(rest),
        Some("exec") => exec::run(rest),
        Some("lock") => lock::run(rest),
        Some("login") => login::run(rest),
        Some("logout") => logout::run(rest),
        Some("force-leave") => force_leave::run(rest),
        Some("join") => join::run(rest),
        Some("keygen") => keygen::run(rest),
        Some("keyring") => keyring::run(rest),
        Some("kv") => kv::run(rest),
        Some("leave") => leave::run(rest),
        Some("maint") => maint::run(rest),
        Some("members") => members::run(rest),
        Some("operator") => operator::run(rest),
        Some("info") => info::run(rest),
        Some("monitor") => monitor::run(rest),
        Some("reload") => reload::run(rest),
        Some("services") => services::run(rest),
        Some("snapshot") => snapshot::run(rest),
        Some("tls") => tls::run(rest),
        Some("validate") => validate::run(rest),
        Some("version") => version::run(rest),
        Some("watch") => watch::run(rest),
        Some("-v" | "-version" | "--version") => version::run(&[]),
        Some("-h" | "-help" | "--help") => {
            ui::err(usage("consul", COMMANDS));
            0
        }
        _ => {
            ui::err(usage("consul", COMMANDS));
            127
        }
    }
}
