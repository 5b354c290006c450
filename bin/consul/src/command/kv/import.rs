//! `consul kv import`: write the keys of a `kv export` JSON document.

use anyhow::anyhow;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use consul_api::kv::PutOptions;
use consul_api::WriteOptions;

use super::export::Entry;
use crate::command::flags::FlagSet;
use crate::command::{http, ui};

const HELP: &str = r#"Usage: consul kv import [DATA]

  Writes the key-value pairs of a "consul kv export" JSON document. DATA may
  be given inline, read from a file with "@path", or from stdin with "-".

      $ consul kv import @filename.json
      $ cat filename.json | consul kv import -"#;

/// Run `consul kv import`.
pub fn run(args: &[String]) -> i32 {
    let mut fs = FlagSet::new(HELP);
    http::client_flags(&mut fs);
    http::server_flags(&mut fs);
    ui::run(&fs, args, |p| async move {
        let data = match p.args.as_slice() {
            [] => return Err(anyhow!("Error! Missing DATA argument")),
            [d] if d.is_empty() => return Err(anyhow!("Error! Empty DATA argument")),
            [d] => super::read_data_arg(d).map_err(|e| anyhow!("Error! {e}"))?,
            more => {
                return Err(anyhow!(
                    "Error! Too many arguments (expected 1, got {})",
                    more.len()
                ))
            }
        };
        let client = http::client(&p)?;
        // Go's decoder matches field names ignoring case.
        let entries: Vec<Entry> = consul_types::json::from_slice_ci(&data)
            .map_err(|e| anyhow!("Cannot unmarshal data: {e}"))?;
        for entry in entries {
            let value = STANDARD
                .decode(&entry.value)
                .map_err(|e| anyhow!("Error base 64 decoding value for key {}: {e}", entry.key))?;
            let opts = PutOptions {
                flags: entry.flags,
                ..Default::default()
            };
            client
                .kv()
                .put(&entry.key, &value, &opts, &WriteOptions::default())
                .await
                .map_err(|e| anyhow!("Error! Failed writing data for key {}: {e}", entry.key))?;
            ui::out(format!("Imported: {}", entry.key));
        }
        Ok(0)
    })
}
