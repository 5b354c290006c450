//! `consul kv export`: a subtree as the JSON that `kv import` reads.

use anyhow::anyhow;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::command::flags::FlagSet;
use crate::command::{http, ui};

const HELP: &str = r#"Usage: consul kv export [KEY_OR_PREFIX]

  Writes every key under the prefix to stdout as JSON, which
  "consul kv import" reads back, e.g. to copy a tree between clusters.

      $ consul kv export vault"#;

/// One exported key (Consul's `impexp.Entry`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The key.
    pub key: String,
    /// The key's flags.
    #[serde(default)]
    pub flags: u64,
    /// The value, base64-encoded ("" when empty).
    #[serde(default)]
    pub value: String,
}

/// Run `consul kv export`.
pub fn run(args: &[String]) -> i32 {
    let mut fs = FlagSet::new(HELP);
    http::client_flags(&mut fs);
    http::server_flags(&mut fs);
    ui::run(&fs, args, |p| async move {
        let prefix = match p.args.as_slice() {
            [] => "",
            [k] => super::strip_slash(k),
            more => {
                return Err(anyhow!(
                    "Too many arguments (expected 1, got {})",
                    more.len()
                ))
            }
        };
        let client = http::client(&p)?;
        let (pairs, _) = client
            .kv()
            .list(prefix, &http::query_options(&p))
            .await
            .map_err(|e| anyhow!("Error querying Consul agent: {e}"))?;
        let entries: Vec<Entry> = pairs
            .iter()
            .map(|e| Entry {
                key: e.key.clone(),
                flags: e.flags,
                value: STANDARD.encode(e.value.as_deref().unwrap_or_default()),
            })
            .collect();
        ui::out(to_go_json(&entries));
        Ok(0)
    })
}

/// Go's `json.MarshalIndent(v, "", "\t")`, including its HTML-safe escaping
/// of `<`, `>`, `&` and U+2028/U+2029 (which only occur inside strings).
pub fn to_go_json(entries: &[Entry]) -> String {
    let mut buf = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b"\t");
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
    entries.serialize(&mut ser).expect("serialize entries");
    let s = String::from_utf8(buf).expect("utf8");
    s.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_layout() {
        let e = vec![Entry {
            key: "a<b".into(),
            flags: 42,
            value: "Yg==".into(),
        }];
        assert_eq!(
            to_go_json(&e),
            "[\n\t{\n\t\t\"key\": \"a\\u003cb\",\n\t\t\"flags\": 42,\n\t\t\"value\": \"Yg==\"\n\t}\n]"
        );
        assert_eq!(to_go_json(&[]), "[]");
    }
}
