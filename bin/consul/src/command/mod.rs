//! Subcommand dispatch: one module per verb.

pub mod agent;

/// Run the subcommand named by `args[0]`; returns the process exit code.
pub fn run(args: Vec<String>) -> i32 {
    match args.first().map(String::as_str) {
        Some("agent") => agent::run(&args[1..]),
        _ => {
            eprintln!("Usage: consul [--version] [--help] <command> [<args>]");
            1
        }
    }
}
