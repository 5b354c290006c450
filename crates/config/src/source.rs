//! Config sources: reading `-config-file` / `-config-dir` paths and checking
//! each source against the [`FileConfig`] schema.
//!
//! A source with a key of the wrong type is an error naming the source and
//! the key path; a key we do not know is a warning. `service`/`services` and
//! `check`/`checks` are taken out of each source and collected in order, as
//! Consul does, so later files add to them instead of replacing them.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::error::ConfigError;
use crate::file_config::FileConfig;

/// One config source, checked and ready to merge.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Source {
    /// The file name (or `flags`).
    pub name: String,
    /// Its keys, minus services and checks.
    pub config: Map<String, Value>,
    /// `service` and `services` entries, in order.
    pub services: Vec<Value>,
    /// `check` and `checks` entries, in order.
    pub checks: Vec<Value>,
}

/// The format of a config file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JSON.
    Json,
    /// HCL version 1 (see [`crate::hcl`]).
    Hcl,
}

impl Format {
    /// The format named by `-config-format` ("json" or "hcl").
    pub fn from_name(name: &str) -> Result<Format, ConfigError> {
        match name {
            "json" => Ok(Format::Json),
            "hcl" => Ok(Format::Hcl),
            other => Err(ConfigError::invalid(format!(
                "config: -config-format must be 'hcl' or 'json', not {other:?}"
            ))),
        }
    }

    /// The format of `path` from its extension, if it is one we read.
    fn of_path(path: &Path) -> Option<Format> {
        match path.extension().and_then(|e| e.to_str()) {
            Some("json") => Some(Format::Json),
            Some("hcl") => Some(Format::Hcl),
            _ => None,
        }
    }
}

/// Reads every config path in order: a directory contributes its `*.json`
/// and `*.hcl` files (every regular file if `forced` is set) in lexical
/// order; a file is read as itself. Files we would not read are skipped with
/// a warning, like Consul.
pub fn read_paths(
    paths: &[PathBuf],
    forced: Option<Format>,
    warnings: &mut Vec<String>,
) -> Result<Vec<Source>, ConfigError> {
    let mut sources = Vec::new();
    for path in paths {
        let read_err = |e: std::io::Error| ConfigError::Read {
            path: path.display().to_string(),
            reason: e.to_string(),
        };
        let meta = std::fs::metadata(path).map_err(read_err)?;
        let files = if meta.is_dir() {
            let mut files = Vec::new();
            for entry in std::fs::read_dir(path).map_err(read_err)? {
                let entry = entry.map_err(read_err)?;
                let file = entry.path();
                if std::fs::metadata(&file)
                    .map(|m| m.is_file())
                    .unwrap_or(false)
                {
                    files.push(file);
                }
            }
            files.sort();
            files
        } else {
            vec![path.clone()]
        };
        for file in files {
            let Some(format) = forced.or_else(|| Format::of_path(&file)) else {
                warnings.push(format!(
                    "skipping file {}, extension must be .hcl or .json, or config format must be set",
                    file.display()
                ));
                continue;
            };
            let text = std::fs::read(&file).map_err(|e| ConfigError::Read {
                path: file.display().to_string(),
                reason: e.to_string(),
            })?;
            let name = file.display().to_string();
            sources.push(parse_source(&name, &text, format, warnings)?);
        }
    }
    Ok(sources)
}

/// Parses the text of one source in `format`.
pub fn parse_source(
    name: &str,
    text: &[u8],
    format: Format,
    warnings: &mut Vec<String>,
) -> Result<Source, ConfigError> {
    let value = match format {
        // An empty file is an empty configuration, as in Consul (clients
        // create the file first and fill it in before a reload).
        Format::Json if text.iter().all(u8::is_ascii_whitespace) => {
            Value::Object(Default::default())
        }
        Format::Json => serde_json::from_slice::<Value>(text).map_err(|e| ConfigError::Parse {
            source_name: name.to_string(),
            reason: e.to_string(),
        })?,
        Format::Hcl => {
            let text = std::str::from_utf8(text).map_err(|e| ConfigError::Parse {
                source_name: name.to_string(),
                reason: e.to_string(),
            })?;
            crate::hcl::parse_hcl(text).map_err(|e| ConfigError::Parse {
                source_name: name.to_string(),
                reason: e.to_string(),
            })?
        }
    };
    check_source(name, value, warnings)
}

/// Checks a source's keys and types against [`FileConfig`] and splits off
/// its services and checks.
pub fn check_source(
    name: &str,
    value: Value,
    warnings: &mut Vec<String>,
) -> Result<Source, ConfigError> {
    typed(name, &value, Some(warnings))?;
    let Value::Object(mut config) = value else {
        return Err(ConfigError::Parse {
            source_name: name.to_string(),
            reason: "the top level must be a JSON object".to_string(),
        });
    };
    let mut services = Vec::new();
    let mut checks = Vec::new();
    take_list(&mut config, "service", &mut services);
    take_list(&mut config, "services", &mut services);
    take_list(&mut config, "check", &mut checks);
    take_list(&mut config, "checks", &mut checks);
    Ok(Source {
        name: name.to_string(),
        config,
        services,
        checks,
    })
}

/// Deserializes `value` as a [`FileConfig`]; a type error names the key
/// path, unknown keys become warnings when `warnings` is given.
pub fn typed(
    name: &str,
    value: &Value,
    warnings: Option<&mut Vec<String>>,
) -> Result<FileConfig, ConfigError> {
    let mut unknown = Vec::new();
    let mut track = serde_path_to_error::Track::new();
    let de = serde_path_to_error::Deserializer::new(value, &mut track);
    let result: Result<FileConfig, _> =
        serde_ignored::deserialize(de, |path| unknown.push(key_path(&path)));
    match result {
        Ok(cfg) => {
            if let Some(w) = warnings {
                w.extend(
                    unknown
                        .into_iter()
                        .map(|k| format!("invalid config key {k} in {name}: ignored")),
                );
            }
            Ok(cfg)
        }
        Err(e) => {
            let path = track.path().to_string();
            let reason = if path == "." || path.is_empty() {
                e.to_string()
            } else {
                format!("{path}: {e}")
            };
            Err(ConfigError::Parse {
                source_name: name.to_string(),
                reason,
            })
        }
    }
}

/// `acl.tokens.x` / `retry_join[0]` for a serde_ignored path (no `?` for options).
fn key_path(path: &serde_ignored::Path<'_>) -> String {
    use serde_ignored::Path;
    match path {
        Path::Root => String::new(),
        Path::Seq { parent, index } => format!("{}[{index}]", key_path(parent)),
        Path::Map { parent, key } => {
            let p = key_path(parent);
            if p.is_empty() {
                key.clone()
            } else {
                format!("{p}.{key}")
            }
        }
        Path::Some { parent }
        | Path::NewtypeStruct { parent }
        | Path::NewtypeVariant { parent } => key_path(parent),
    }
}

/// Removes `key` from `config` and appends its entries (one object, or a list).
fn take_list(config: &mut Map<String, Value>, key: &str, into: &mut Vec<Value>) {
    match config.remove(key) {
        Some(Value::Array(items)) => into.extend(items.into_iter().filter(|v| !v.is_null())),
        Some(Value::Null) | None => {}
        Some(one) => into.push(one),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(v: Value) -> (Result<Source, ConfigError>, Vec<String>) {
        let mut w = Vec::new();
        (check_source("/x/c.json", v, &mut w), w)
    }

    #[test]
    fn wrong_type_names_file_and_key_on_one_line() {
        let err = |v| check(v).0.unwrap_err().to_string();
        assert_eq!(
            err(json!({"server": "yes"})),
            "Error parsing /x/c.json: server: invalid type: string \"yes\", expected a boolean"
        );
        assert_eq!(
            err(json!({"ports": 5})),
            "Error parsing /x/c.json: ports: invalid type: integer `5`, expected struct Ports"
        );
        let msg = err(json!({"acl": {"tokens": {"agent": 7}}}));
        assert!(
            msg.starts_with("Error parsing /x/c.json: acl.tokens.agent: invalid type"),
            "{msg}"
        );
        let msg = err(json!({"retry_interval": "soon"}));
        assert!(
            msg.starts_with("Error parsing /x/c.json: retry_interval: time: invalid duration"),
            "{msg}"
        );
        assert!(!err(json!([1])).contains('\n'));
    }

    #[test]
    fn unknown_keys_are_warnings() {
        let (src, w) = check(json!({"server": true, "bogus": 1, "acl": {"nope": true}}));
        assert!(src.is_ok());
        assert_eq!(
            w,
            vec![
                "invalid config key acl.nope in /x/c.json: ignored",
                "invalid config key bogus in /x/c.json: ignored"
            ]
        );
    }

    #[test]
    fn services_and_checks_are_collected() {
        let (src, _) = check(json!({
            "service": {"name": "a"}, "services": [{"name": "b"}, {"name": "c"}],
            "check": {"id": "x"}, "checks": null
        }));
        let src = src.unwrap();
        assert_eq!(
            src.services,
            vec![
                json!({"name": "a"}),
                json!({"name": "b"}),
                json!({"name": "c"})
            ]
        );
        assert_eq!(src.checks, vec![json!({"id": "x"})]);
        assert!(src.config.is_empty());
    }

    #[test]
    fn syntax_error_is_one_line() {
        let mut w = Vec::new();
        for empty in [&b""[..], b"  \n"] {
            let src = parse_source("empty.json", empty, Format::Json, &mut w).unwrap();
            assert!(src.config.is_empty() && src.services.is_empty());
        }
        let e = parse_source("f.json", b"{\n\"server\": tru\n}", Format::Json, &mut w).unwrap_err();
        let msg = e.to_string();
        assert!(msg.starts_with("Error parsing f.json: "), "{msg}");
        assert!(!msg.contains('\n'));
    }
}
