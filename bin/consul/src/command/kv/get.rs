//! `consul kv get`: one value, a subtree (`-recurse`) or key names (`-keys`).

use anyhow::anyhow;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use consul_types::kv::DirEntry;

use crate::command::flags::{FlagSet, Kind};
use crate::command::{http, ui};

const HELP: &str = r#"Usage: consul kv get [options] [KEY_OR_PREFIX]

  Retrieves the value stored at KEY. With -detailed, prints the entry's
  metadata too. With -recurse, prints every key under the prefix as
  "key:value"; with -keys, only the key names, rolled up at -separator.

      $ consul kv get foo
      $ consul kv get -detailed foo
      $ consul kv get -recurse foo
      $ consul kv get -keys foo/"#;

fn flags() -> FlagSet {
    let mut fs = FlagSet::new(HELP);
    fs.flag(
        "base64",
        Kind::Bool,
        "",
        "Base64 encode the value. The default value is false.",
    )
    .flag(
        "detailed",
        Kind::Bool,
        "",
        "Provide additional metadata about the key in addition to the value such \
             as the ModifyIndex and any flags that may have been set on the key. The \
             default value is false.",
    )
    .flag(
        "keys",
        Kind::Bool,
        "",
        "List keys which start with the given prefix, but not their values. \
             The default value is false.",
    )
    .flag(
        "recurse",
        Kind::Bool,
        "",
        "Recursively look at all keys prefixed with the given path. The default \
             value is false.",
    )
    .flag(
        "separator",
        Kind::Str,
        "/",
        "String to use as a separator between keys. Only taken into account \
             with the -keys flag.",
    );
    http::client_flags(&mut fs);
    http::server_flags(&mut fs);
    fs
}

/// Run `consul kv get`.
pub fn run(args: &[String]) -> i32 {
    let p = match ui::parse(&flags(), args) {
        Ok(p) => p,
        Err(code) => return code,
    };
    ui::block_on(async move {
        let key = match p.args.as_slice() {
            [] => "",
            [k] => super::strip_slash(k),
            more => {
                return Err(anyhow!(
                    "Too many arguments (expected 1, got {})",
                    more.len()
                ))
            }
        };
        let (keys, recurse, detailed, b64) = (
            p.bool("keys"),
            p.bool("recurse"),
            p.bool("detailed"),
            p.bool("base64"),
        );
        if key.is_empty() && !(recurse || keys) {
            return Err(anyhow!("Error! Missing KEY argument"));
        }
        let client = http::client(&p)?;
        let q = http::query_options(&p);
        let query_err = |e| anyhow!("Error querying Consul agent: {e}");
        if keys {
            let sep = p.str("separator").unwrap_or("/");
            let (names, _) = client.kv().keys(key, sep, &q).await.map_err(query_err)?;
            for k in names {
                ui::out(k);
            }
        } else if recurse {
            let (entries, _) = client.kv().list(key, &q).await.map_err(query_err)?;
            let n = entries.len();
            for (i, e) in entries.iter().enumerate() {
                if detailed {
                    ui::out(pretty(e, b64));
                    if i + 1 < n {
                        ui::out("");
                    }
                } else {
                    let mut line = format!("{}:", e.key).into_bytes();
                    line.extend_from_slice(&value(e, b64));
                    ui::out(line);
                }
            }
        } else {
            let (entry, _) = client.kv().get(key, &q).await.map_err(query_err)?;
            let Some(e) = entry else {
                return Err(anyhow!("Error! No key exists at: {key}"));
            };
            if detailed {
                ui::out(pretty(&e, b64));
            } else {
                ui::out(e.value.as_deref().unwrap_or_default());
            }
        }
        Ok(0)
    })
}

fn value(e: &DirEntry, b64: bool) -> Vec<u8> {
    let raw = e.value.as_deref().unwrap_or_default();
    if b64 {
        STANDARD.encode(raw).into_bytes()
    } else {
        raw.to_vec()
    }
}

/// The aligned metadata block of `-detailed`.
fn pretty(e: &DirEntry, b64: bool) -> Vec<u8> {
    let session = if e.session.is_empty() {
        "-".to_string()
    } else {
        e.session.clone()
    };
    let rows: Vec<Vec<String>> = [
        ("CreateIndex", e.create_index.to_string()),
        ("Flags", e.flags.to_string()),
        ("Key", e.key.clone()),
        ("LockIndex", e.lock_index.to_string()),
        ("ModifyIndex", e.modify_index.to_string()),
        ("Session", session),
        ("Value", String::new()),
    ]
    .into_iter()
    .map(|(k, v)| vec![k.to_string(), v])
    .collect();
    // The value goes in raw (it may not be UTF-8), after the padded label.
    let mut out = ui::tabwrite(&rows).into_bytes();
    out.extend_from_slice(&value(e, b64));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detailed_block() {
        let e = DirEntry {
            key: "foo".into(),
            value: Some("bar".into()),
            create_index: 12,
            modify_index: 13,
            flags: 42,
            ..Default::default()
        };
        let s = String::from_utf8(pretty(&e, false)).unwrap();
        assert_eq!(
            s,
            "CreateIndex      12\nFlags            42\nKey              foo\nLockIndex        0\n\
             ModifyIndex      13\nSession          -\nValue            bar"
        );
    }
}
