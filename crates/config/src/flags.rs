//! `consul agent` command-line flags, parsed with the rules of Go's `flag`
//! package (which Consul uses): `-x`, `--x`, `-x=v`, `-x v`; boolean flags
//! never take the next argument; parsing stops at the first non-flag
//! argument or after `--`.

use std::path::PathBuf;

use serde_json::{Map, Value};

use crate::error::ConfigError;
use crate::flag_table::{lookup, FlagKind, FlagSpec, FlagTarget};

/// The parsed flags of `consul agent`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AgentFlags {
    /// `-dev`: development mode (in-memory server, dev defaults).
    pub dev: bool,
    /// `-config-file` and `-config-dir` paths, in the order given. Each is
    /// read as a directory if it is one, else as a file.
    pub config_paths: Vec<PathBuf>,
    /// `-config-format`: "json" or "hcl", overriding file extensions.
    pub config_format: Option<String>,
    /// `-hcl` fragments, in order.
    pub hcl: Vec<String>,
    /// Every other flag, shaped like a JSON config file (`-http-port 1` →
    /// `{"ports": {"http": 1}}`); merged after all files.
    pub config: Map<String, Value>,
    /// Arguments after the flags (Consul refuses them).
    pub args: Vec<String>,
}

/// Parses `consul agent` arguments (without the program name and `agent`).
pub fn parse_agent_args(args: &[String]) -> Result<AgentFlags, ConfigError> {
    let mut flags = AgentFlags::default();
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        if arg.len() < 2 || !arg.starts_with('-') {
            break; // "-" alone and non-flags end the flags
        }
        let mut name = &arg[1..];
        if let Some(rest) = name.strip_prefix('-') {
            if rest.is_empty() {
                i += 1; // "--" terminates the flags and is consumed
                break;
            }
            name = rest;
        }
        if name.is_empty() || name.starts_with('-') || name.starts_with('=') {
            return Err(ConfigError::BadFlagSyntax(arg.clone()));
        }
        i += 1;
        let (name, inline_value) = match name.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (name, None),
        };
        let Some(spec) = lookup(name) else {
            if name == "h" || name == "help" {
                return Err(ConfigError::Help);
            }
            return Err(ConfigError::UnknownFlag(name.to_string()));
        };
        let value = match (spec.kind, inline_value) {
            (FlagKind::Bool, None) => "true".to_string(),
            (_, Some(v)) => v,
            (_, None) => {
                let v = args
                    .get(i)
                    .ok_or_else(|| ConfigError::MissingFlagValue(name.to_string()))?;
                i += 1;
                v.clone()
            }
        };
        apply(&mut flags, spec, value)?;
    }
    flags.args = args[i..].to_vec();
    Ok(flags)
}

/// Records one flag value where its spec says.
fn apply(flags: &mut AgentFlags, spec: &FlagSpec, value: String) -> Result<(), ConfigError> {
    let bad = |reason: &str| ConfigError::InvalidFlagValue {
        flag: spec.name.to_string(),
        value: value.clone(),
        reason: reason.to_string(),
    };
    let json = match spec.kind {
        FlagKind::Bool => Value::Bool(parse_go_bool(&value).ok_or_else(|| bad("parse error"))?),
        FlagKind::Int => Value::from(parse_go_int(&value).ok_or_else(|| bad("parse error"))?),
        FlagKind::Duration => {
            let d = consul_types::duration::parse_go_duration(&value)
                .map_err(|e| bad(&e.to_string()))?;
            Value::String(consul_types::duration::format_go_duration(d))
        }
        FlagKind::Str | FlagKind::List => Value::String(value.clone()),
        FlagKind::Map => {
            let (k, v) = value.split_once(':').unwrap_or((value.as_str(), ""));
            let mut one = Map::new();
            one.insert(k.to_string(), Value::String(v.to_string()));
            Value::Object(one)
        }
    };
    match spec.target {
        FlagTarget::Dev => flags.dev = json.as_bool().unwrap_or(false),
        FlagTarget::ConfigPath => flags.config_paths.push(PathBuf::from(value)),
        FlagTarget::ConfigFormat => flags.config_format = Some(value),
        FlagTarget::Hcl => flags.hcl.push(value),
        FlagTarget::Key(path) => set_key(&mut flags.config, path, spec.kind, json),
    }
    Ok(())
}

/// Stores `value` at `path`: lists append, maps merge, scalars override.
fn set_key(config: &mut Map<String, Value>, path: &[&str], kind: FlagKind, value: Value) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut obj = config;
    for p in parents {
        let slot = obj
            .entry(p.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        if !slot.is_object() {
            *slot = Value::Object(Map::new());
        }
        let Value::Object(inner) = slot else { return };
        obj = inner;
    }
    match (kind, value) {
        (FlagKind::List, v) => match obj.entry(last.to_string()).or_insert(Value::Array(vec![])) {
            Value::Array(items) => items.push(v),
            other => *other = Value::Array(vec![v]),
        },
        (FlagKind::Map, Value::Object(kv)) => {
            match obj
                .entry(last.to_string())
                .or_insert(Value::Object(Map::new()))
            {
                Value::Object(m) => m.extend(kv),
                other => *other = Value::Object(kv),
            }
        }
        (_, v) => {
            obj.insert(last.to_string(), v);
        }
    }
}

/// Go's `strconv.ParseBool`.
pub(crate) fn parse_go_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// Go's `strconv.ParseInt(s, 0, 64)`: decimal, `0x` hex, `0o`/leading-0 octal, `0b` binary.
fn parse_go_int(s: &str) -> Option<i64> {
    let (neg, digits) = match s.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let digits = digits.replace('_', "");
    let lower = digits.to_ascii_lowercase();
    let (radix, body) = if let Some(b) = lower.strip_prefix("0x") {
        (16, b.to_string())
    } else if let Some(b) = lower.strip_prefix("0b") {
        (2, b.to_string())
    } else if let Some(b) = lower.strip_prefix("0o") {
        (8, b.to_string())
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, lower[1..].to_string())
    } else {
        (10, lower)
    };
    if body.is_empty() || body.starts_with(['+', '-']) {
        return None;
    }
    let magnitude = i128::from_str_radix(&body, radix).ok()?;
    let v = if neg { -magnitude } else { magnitude };
    i64::try_from(v).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(args: &[&str]) -> Result<AgentFlags, ConfigError> {
        parse_agent_args(&args.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn accepts_every_go_flag_form() {
        let f = parse(&[
            "-server",
            "--bootstrap=true",
            "-http-port=8501",
            "--dns-port",
            "8601",
            "-node",
            "n1",
            "-data-dir=/tmp/d",
            "-ui=false",
        ])
        .unwrap();
        assert_eq!(
            Value::Object(f.config),
            json!({
                "server": true, "bootstrap": true, "node_name": "n1", "data_dir": "/tmp/d",
                "ports": {"http": 8501, "dns": 8601}, "ui_config": {"enabled": false}
            })
        );
        assert!(f.args.is_empty());
    }

    #[test]
    fn bool_flags_do_not_take_the_next_argument() {
        let f = parse(&["-server", "false", "-dev"]).unwrap();
        assert_eq!(f.config["server"], json!(true));
        assert_eq!(f.args, vec!["false", "-dev"]);
        assert!(!f.dev);
    }

    #[test]
    fn repeatable_flags_accumulate_in_order() {
        let f = parse(&[
            "-config-file",
            "a.json",
            "-config-dir=d",
            "-config-file",
            "b.json",
            "-join",
            "1.1.1.1",
            "-join=2.2.2.2",
            "-retry-join",
            "r1",
            "-node-meta",
            "rack:r1",
            "-node-meta=zone:z:1",
            "-node-meta",
            "bare",
            "-hcl",
            "x = 1",
            "-recursor",
            "8.8.8.8",
            "-recursor",
            "1.1.1.1",
        ])
        .unwrap();
        let paths: Vec<_> = f.config_paths.iter().map(|p| p.to_str().unwrap()).collect();
        assert_eq!(paths, vec!["a.json", "d", "b.json"]);
        assert_eq!(f.config["start_join"], json!(["1.1.1.1", "2.2.2.2"]));
        assert_eq!(f.config["retry_join"], json!(["r1"]));
        assert_eq!(f.config["recursors"], json!(["8.8.8.8", "1.1.1.1"]));
        assert_eq!(
            f.config["node_meta"],
            json!({"rack": "r1", "zone": "z:1", "bare": ""})
        );
        assert_eq!(f.hcl, vec!["x = 1"]);
    }

    #[test]
    fn stops_at_first_non_flag_and_after_double_dash() {
        let f = parse(&["-server", "extra", "-ui"]).unwrap();
        assert_eq!(f.args, vec!["extra", "-ui"]);
        let f = parse(&["-dev", "--", "-ui"]).unwrap();
        assert!(f.dev);
        assert_eq!(f.args, vec!["-ui"]);
        let f = parse(&["-", "-ui"]).unwrap();
        assert_eq!(f.args, vec!["-", "-ui"]);
    }

    #[test]
    fn reports_errors_like_go() {
        let err = |a: &[&str]| parse(a).unwrap_err().to_string();
        assert_eq!(err(&["-bogus"]), "flag provided but not defined: -bogus");
        assert_eq!(err(&["--bogus=1"]), "flag provided but not defined: -bogus");
        assert_eq!(err(&["-node"]), "flag needs an argument: -node");
        assert_eq!(
            err(&["-http-port", "abc"]),
            "invalid value \"abc\" for flag -http-port: parse error"
        );
        assert_eq!(
            err(&["-server=yes"]),
            "invalid value \"yes\" for flag -server: parse error"
        );
        assert!(err(&["-retry-interval", "5"])
            .starts_with("invalid value \"5\" for flag -retry-interval"));
        assert_eq!(err(&["---x"]), "bad flag syntax: ---x");
        assert!(matches!(parse(&["-h"]), Err(ConfigError::Help)));
    }

    #[test]
    fn typed_values() {
        let f = parse(&[
            "-retry-interval",
            "1m30s",
            "-bootstrap-expect",
            "3",
            "-https-port=-1",
        ])
        .unwrap();
        assert_eq!(f.config["retry_interval"], json!("1m30s"));
        assert_eq!(f.config["bootstrap_expect"], json!(3));
        assert_eq!(f.config["ports"]["https"], json!(-1));
        assert_eq!(parse_go_int("0x10"), Some(16));
        assert_eq!(parse_go_int("010"), Some(8));
        assert_eq!(parse_go_int("-5"), Some(-5));
        assert_eq!(parse_go_int("--5"), None);
    }
}
