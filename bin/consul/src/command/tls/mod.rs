//! `consul tls`: make a private CA and the agent/CLI certificates it signs,
//! offline, with the file names and messages of Consul's `tls` commands.

pub mod ca;
pub mod cert;
pub mod files;
pub mod key;

use super::ui;

const SUBCOMMANDS: &[(&str, &str)] = &[
    ("ca", "Helpers for CAs"),
    ("cert", "Helpers for certificates"),
];

const CA_SUBCOMMANDS: &[(&str, &str)] = &[("create", "Create a new consul CA")];

const CERT_SUBCOMMANDS: &[(&str, &str)] = &[("create", "Create a new certificate")];

/// Dispatch `consul tls <ca|cert> create`; without a known subcommand print
/// the list and exit 1, as Consul does.
pub fn run(args: &[String]) -> i32 {
    let rest = args.get(1..).unwrap_or_default();
    let sub = rest.first().map(String::as_str);
    let rest2 = rest.get(1..).unwrap_or_default();
    match (args.first().map(String::as_str), sub) {
        (Some("ca"), Some("create")) => ca::run(rest2),
        (Some("cert"), Some("create")) => cert::run(rest2),
        (Some("ca"), _) => listing("consul tls ca", CA_SUBCOMMANDS, sub),
        (Some("cert"), _) => listing("consul tls cert", CERT_SUBCOMMANDS, sub),
        (first, _) => listing("consul tls", SUBCOMMANDS, first),
    }
}

/// Print a subcommand list: exit 0 when help was asked for, else 1.
fn listing(prefix: &str, subs: &[(&str, &str)], given: Option<&str>) -> i32 {
    ui::err(super::usage(prefix, subs));
    match given {
        Some("-h" | "-help" | "--help") => 0,
        _ => 1,
    }
}
