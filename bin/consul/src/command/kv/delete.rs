//! `consul kv delete`: remove a key, a prefix (`-recurse`), or a key
//! conditionally (`-cas -modify-index`).

use anyhow::anyhow;
use consul_api::WriteOptions;

use crate::command::flags::{FlagSet, Kind};
use crate::command::{http, ui};

const HELP: &str = r#"Usage: consul kv delete [options] KEY_OR_PREFIX

  Removes the value at KEY; nothing happens if there is none. With
  -recurse, removes every key that starts with the prefix.

      $ consul kv delete foo
      $ consul kv delete -recurse foo"#;

fn flags() -> FlagSet {
    let mut fs = FlagSet::new(HELP);
    fs.flag(
        "cas",
        Kind::Bool,
        "",
        "Perform a Check-And-Set operation. Specifying this value also requires \
         the -modify-index flag to be set. The default value is false.",
    )
    .flag(
        "modify-index",
        Kind::U64,
        "",
        "Unsigned integer representing the ModifyIndex of the key. This is used \
         in combination with the -cas flag.",
    )
    .flag(
        "recurse",
        Kind::Bool,
        "",
        "Recursively delete all keys with the path. The default value is false.",
    );
    http::client_flags(&mut fs);
    http::server_flags(&mut fs);
    fs
}

/// Run `consul kv delete`.
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
        let (cas, recurse, index) = (p.bool("cas"), p.bool("recurse"), p.u64("modify-index"));
        if key.is_empty() && !recurse {
            return Err(anyhow!("Error! Missing KEY argument"));
        }
        if cas && index == 0 {
            return Err(anyhow!(
                "Cannot delete a key that does not exist. Provide a -modify-index greater than than 0."
            ));
        }
        if index != 0 && !cas {
            return Err(anyhow!("Cannot specify -modify-index without -cas!"));
        }
        if recurse && cas {
            return Err(anyhow!("Cannot specify both -cas and -recurse!"));
        }
        let client = http::client(&p)?;
        let w = WriteOptions::default();
        if recurse {
            client
                .kv()
                .delete_tree(key, &w)
                .await
                .map_err(|e| anyhow!("Error! Did not delete prefix {key}: {e}"))?;
            ui::out(format!("Success! Deleted keys with prefix: {key}"));
        } else if cas {
            let ok = client
                .kv()
                .delete_cas(key, index, &w)
                .await
                .map_err(|e| anyhow!("Error! Did not delete key {key}: {e}"))?;
            if !ok {
                return Err(anyhow!("Error! Did not delete key {key}: CAS failed"));
            }
            ui::out(format!("Success! Deleted key: {key}"));
        } else {
            client
                .kv()
                .delete(key, &w)
                .await
                .map_err(|e| anyhow!("Error deleting key {key}: {e}"))?;
            ui::out(format!("Success! Deleted key: {key}"));
        }
        Ok(0)
    })
}
