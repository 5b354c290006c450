//! `consul tls`: make a private CA and the agent/CLI certificates it signs,
//! offline, with the file names and messages of Consul's `tls` commands.

pub mod ca;
pub mod cert;
pub mod files;
pub mod key;

const SUBCOMMANDS: &[crate::command::Subcommand] = &[
    ("ca", "Helpers for CAs", run_ca),
    ("cert", "Helpers for certificates", run_cert),
];

const CA_SUBCOMMANDS: &[crate::command::Subcommand] =
    &[("create", "Create a new consul CA", ca::run)];

const CERT_SUBCOMMANDS: &[crate::command::Subcommand] =
    &[("create", "Create a new certificate", cert::run)];

/// Dispatch `consul tls <ca|cert> create`; without a known subcommand print
/// the list and exit 1, as Consul does.
pub fn run(args: &[String]) -> i32 {
    crate::command::dispatch("consul tls", SUBCOMMANDS, args)
}

fn run_ca(args: &[String]) -> i32 {
    crate::command::dispatch("consul tls ca", CA_SUBCOMMANDS, args)
}

fn run_cert(args: &[String]) -> i32 {
    crate::command::dispatch("consul tls cert", CERT_SUBCOMMANDS, args)
}
