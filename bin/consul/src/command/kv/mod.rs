//! `consul kv`: read and write the key/value store.

pub mod delete;
pub mod export;
pub mod get;
pub mod import;
pub mod put;

use std::io::Read;

use super::ui;

const SUBCOMMANDS: &[(&str, &str)] = &[
    ("delete", "Removes data from the KV store"),
    ("export", "Exports a tree from the KV store as JSON"),
    ("get", "Retrieves or lists data from the KV store"),
    ("import", "Imports a tree stored as JSON to the KV store"),
    ("put", "Sets or updates data in the KV store"),
];

/// Dispatch `consul kv <sub>`; without a known subcommand print the
/// subcommand list and exit 1, as Consul does.
pub fn run(args: &[String]) -> i32 {
    let rest = args.get(1..).unwrap_or_default();
    match args.first().map(String::as_str) {
        Some("delete") => delete::run(rest),
        Some("export") => export::run(rest),
        Some("get") => get::run(rest),
        Some("import") => import::run(rest),
        Some("put") => put::run(rest),
        Some("-h" | "-help" | "--help") => {
            ui::err(super::usage("consul kv", SUBCOMMANDS));
            0
        }
        _ => {
            ui::err(super::usage("consul kv", SUBCOMMANDS));
            1
        }
    }
}

/// Consul strips one leading `/` from keys, as keys never start with one.
pub(crate) fn strip_slash(key: &str) -> &str {
    key.strip_prefix('/').unwrap_or(key)
}

/// Where a DATA argument comes from: `@file`, `-` (stdin), or the
/// argument itself (also for `-x` longer than one dash).
pub(crate) fn read_data_arg(data: &str) -> Result<Vec<u8>, String> {
    if let Some(path) = data.strip_prefix('@') {
        return std::fs::read(path).map_err(|e| format!("Failed to read file: {e}"));
    }
    if data == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .map_err(|e| format!("Failed to read stdin: {e}"))?;
        return Ok(buf);
    }
    Ok(data.as_bytes().to_vec())
}
