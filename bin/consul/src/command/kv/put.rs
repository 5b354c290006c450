//! `consul kv put`: write a value, from the argument, `@file` or stdin.

use anyhow::anyhow;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use consul_api::kv::PutOptions;
use consul_api::WriteOptions;

use crate::command::flags::{FlagSet, Kind};
use crate::command::{http, ui};

const HELP: &str = r#"Usage: consul kv put [options] KEY [DATA]

  Writes DATA at KEY. DATA may be given inline, read from a file with
  "@path", or from stdin with "-"; without DATA the key is stored empty.
  With -base64, DATA is decoded from base64 first. With -cas, the write
  only happens if the key's ModifyIndex equals -modify-index.

      $ consul kv put config/redis/maxconns 5
      $ consul kv put config/program/license @license.lic
      $ echo "abcd1234" | consul kv put config/program/license -
      $ consul kv put -cas -modify-index=844 config/redis/maxconns 5"#;

fn flags() -> FlagSet {
    let mut fs = FlagSet::new(HELP);
    fs.flag(
        "acquire",
        Kind::Bool,
        "",
        "Obtain a lock on the key for -session. The default value is false.",
    )
    .flag(
        "base64",
        Kind::Bool,
        "",
        "Treat the data as base 64 encoded. The default value is false.",
    )
    .flag(
        "cas",
        Kind::Bool,
        "",
        "Perform a Check-And-Set operation. Specifying this value also requires \
         the -modify-index flag to be set. The default value is false.",
    )
    .flag(
        "flags",
        Kind::U64,
        "",
        "Unsigned integer value to assign to this key-value pair. The default \
         value is 0 (no flags).",
    )
    .flag(
        "modify-index",
        Kind::U64,
        "",
        "Unsigned integer representing the ModifyIndex of the key. This is used \
         in combination with the -cas flag.",
    )
    .flag(
        "release",
        Kind::Bool,
        "",
        "Forfeit the lock on the key held by -session. The default value is false.",
    )
    .flag(
        "session",
        Kind::Str,
        "",
        "Session to use with -acquire and -release.",
    );
    http::client_flags(&mut fs);
    http::server_flags(&mut fs);
    fs
}

/// Run `consul kv put`.
pub fn run(args: &[String]) -> i32 {
    let p = match ui::parse(&flags(), args) {
        Ok(p) => p,
        Err(code) => return code,
    };
    ui::block_on(async move {
        let (key, data) = match p.args.as_slice() {
            [] => return Err(anyhow!("Error! Missing KEY argument")),
            [k] => (k.as_str(), Vec::new()),
            [k, d] if d.is_empty() => (k.as_str(), Vec::new()),
            [k, d] => (
                k.as_str(),
                super::read_data_arg(d).map_err(|e| anyhow!("Error! {e}"))?,
            ),
            more => {
                return Err(anyhow!(
                    "Error! Too many arguments (expected 1 or 2, got {})",
                    more.len()
                ))
            }
        };
        let data = if p.bool("base64") {
            let text = String::from_utf8_lossy(&data);
            STANDARD
                .decode(text.trim_end_matches(['\r', '\n']))
                .map_err(|e| anyhow!("Error! Cannot base 64 decode data: {e}"))?
        } else {
            data
        };
        let (cas, acquire, release) = (p.bool("cas"), p.bool("acquire"), p.bool("release"));
        let session = p.str("session").unwrap_or("").to_string();
        if (acquire || release) && session.is_empty() {
            return Err(anyhow!(
                "Error! Missing -session (required with -acquire and -release)"
            ));
        }
        let modify_index = p.u64("modify-index");
        if cas && modify_index == 0 {
            return Err(anyhow!("Must specify -modify-index with -cas!"));
        }
        let client = http::client(&p)?;
        let mut opts = PutOptions {
            flags: p.u64("flags"),
            ..Default::default()
        };
        let w = WriteOptions::default();
        if cas {
            opts.cas = Some(modify_index);
            let ok = client
                .kv()
                .put(key, &data, &opts, &w)
                .await
                .map_err(|e| anyhow!("Error! Did not write to {key}: {e}"))?;
            if !ok {
                return Err(anyhow!("Error! Did not write to {key}: CAS failed"));
            }
            ui::out(format!("Success! Data written to: {key}"));
        } else if acquire {
            opts.acquire = Some(session);
            let ok = client
                .kv()
                .put(key, &data, &opts, &w)
                .await
                .map_err(|e| anyhow!("Error! Failed writing data: {e}"))?;
            if !ok {
                return Err(anyhow!("Error! Did not acquire lock"));
            }
            ui::out(format!("Success! Lock acquired on: {key}"));
        } else if release {
            opts.release = Some(session);
            let ok = client
                .kv()
                .put(key, &data, &opts, &w)
                .await
                .map_err(|e| anyhow!("Error! Failed writing data: {e}"))?;
            if !ok {
                return Err(anyhow!("Error! Did not release lock"));
            }
            ui::out(format!("Success! Lock released on: {key}"));
        } else {
            client
                .kv()
                .put(key, &data, &opts, &w)
                .await
                .map_err(|e| anyhow!("Error! Failed writing data: {e}"))?;
            ui::out(format!("Success! Data written to: {key}"));
        }
        Ok(0)
    })
}
