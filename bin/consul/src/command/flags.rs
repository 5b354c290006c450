//! Flag parsing with the semantics of Go's `flag` package, which every
//! Consul subcommand uses: `-x`, `--x`, `-x=v`, `-x v`; boolean flags take
//! no separate value (`-x=false` to turn off); parsing stops at the first
//! non-flag argument or after `--`.

use std::collections::HashMap;

/// What kind of value a flag carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// On/off; `-x` alone means true.
    Bool,
    /// Any string.
    Str,
    /// An unsigned 64-bit integer.
    U64,
    /// A string that may be given several times.
    Multi,
}

#[derive(Debug, Clone)]
struct Def {
    name: &'static str,
    kind: Kind,
    default: &'static str,
    usage: &'static str,
}

/// The flags one subcommand accepts, plus its help text.
#[derive(Debug, Clone)]
pub struct FlagSet {
    help: &'static str,
    defs: Vec<Def>,
}

/// Why parsing stopped without a result.
#[derive(Debug, PartialEq, Eq)]
pub enum ParseError {
    /// `-h`, `-help` or `--help` was given.
    Help,
    /// A malformed or unknown flag; the message is Go's wording.
    Bad(String),
}

/// The outcome of a successful parse.
#[derive(Debug, Default)]
pub struct Parsed {
    values: HashMap<&'static str, Vec<String>>,
    /// The positional arguments left after the flags.
    pub args: Vec<String>,
}

impl Parsed {
    /// Whether a bool flag is on.
    pub fn bool(&self, name: &str) -> bool {
        self.values
            .get(name)
            .and_then(|v| v.last())
            .is_some_and(|v| v == "true")
    }

    /// A string flag's value, if it was given.
    pub fn str(&self, name: &str) -> Option<&str> {
        self.values
            .get(name)
            .and_then(|v| v.last())
            .map(String::as_str)
    }

    /// A u64 flag's value (0 when absent; values were validated while parsing).
    pub fn u64(&self, name: &str) -> u64 {
        self.str(name).and_then(parse_go_uint).unwrap_or(0)
    }

    /// Every value of a repeatable flag.
    pub fn all(&self, name: &str) -> &[String] {
        self.values.get(name).map(Vec::as_slice).unwrap_or(&[])
    }
}

impl FlagSet {
    /// A flag set for a command whose help text is `help`.
    pub fn new(help: &'static str) -> Self {
        FlagSet {
            help,
            defs: Vec::new(),
        }
    }

    /// Declare a flag.
    pub fn flag(
        &mut self,
        name: &'static str,
        kind: Kind,
        default: &'static str,
        usage: &'static str,
    ) -> &mut Self {
        self.defs.push(Def {
            name,
            kind,
            default,
            usage,
        });
        self
    }

    /// The help text followed by every flag, as Consul prints it.
    pub fn usage(&self) -> String {
        let mut out = self.help.trim_end().to_string();
        out.push('\n');
        let mut defs = self.defs.clone();
        defs.sort_by_key(|d| d.name);
        for d in defs {
            let arg = match d.kind {
                Kind::Bool => String::new(),
                Kind::U64 => "=<uint>".to_string(),
                Kind::Str | Kind::Multi => "=<string>".to_string(),
            };
            out.push_str(&format!("\n  -{}{}\n", d.name, arg));
            out.push_str(&wrap(d.usage, 4, 76));
            if !d.default.is_empty() && d.kind != Kind::Bool {
                out.push_str(&format!("     Default: {}.\n", d.default));
            }
        }
        out
    }

    /// Parse `args` like Go's `FlagSet.Parse`.
    pub fn parse(&self, args: &[String]) -> Result<Parsed, ParseError> {
        let mut parsed = Parsed::default();
        for d in &self.defs {
            if !d.default.is_empty() {
                parsed.values.insert(d.name, vec![d.default.to_string()]);
            }
        }
        let mut i = 0;
        while i < args.len() {
            let s = &args[i];
            if s.len() < 2 || !s.starts_with('-') {
                break;
            }
            let mut name = &s[1..];
            if let Some(rest) = name.strip_prefix('-') {
                if rest.is_empty() {
                    i += 1;
                    break;
                }
                name = rest;
            }
            if name.is_empty() || name.starts_with('-') || name.starts_with('=') {
                return Err(ParseError::Bad(format!("bad flag syntax: {s}")));
            }
            i += 1;
            let (name, value) = match name.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (name, None),
            };
            let Some(def) = self.defs.iter().find(|d| d.name == name) else {
                if name == "h" || name == "help" {
                    return Err(ParseError::Help);
                }
                return Err(ParseError::Bad(format!(
                    "flag provided but not defined: -{name}"
                )));
            };
            let value = match (def.kind, value) {
                (Kind::Bool, None) => "true".to_string(),
                (Kind::Bool, Some(v)) => match parse_go_bool(&v) {
                    Some(b) => b.to_string(),
                    None => {
                        return Err(ParseError::Bad(format!(
                            "invalid boolean value {v:?} for -{name}: parse error"
                        )))
                    }
                },
                (_, Some(v)) => v,
                (_, None) => match args.get(i) {
                    Some(v) => {
                        i += 1;
                        v.clone()
                    }
                    None => {
                        return Err(ParseError::Bad(format!("flag needs an argument: -{name}")))
                    }
                },
            };
            if def.kind == Kind::U64 && parse_go_uint(&value).is_none() {
                return Err(ParseError::Bad(format!(
                    "invalid value {value:?} for flag -{name}: parse error"
                )));
            }
            let slot = parsed.values.entry(def.name).or_default();
            if def.kind == Kind::Multi {
                if slot.len() == 1 && !def.default.is_empty() && slot[0] == def.default {
                    slot.clear();
                }
                slot.push(value);
            } else {
                *slot = vec![value];
            }
        }
        parsed.args = args[i..].to_vec();
        Ok(parsed)
    }
}

/// Go's `strconv.ParseBool`.
fn parse_go_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Some(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Some(false),
        _ => None,
    }
}

/// Go's `strconv.ParseUint(s, 0, 64)`: decimal, `0x` hex, `0o`/leading-0
/// octal, `0b` binary, `_` separators after a prefix.
fn parse_go_uint(s: &str) -> Option<u64> {
    let lower = s.to_ascii_lowercase();
    let (digits, radix) = if let Some(h) = lower.strip_prefix("0x") {
        (h.replace('_', ""), 16)
    } else if let Some(b) = lower.strip_prefix("0b") {
        (b.replace('_', ""), 2)
    } else if let Some(o) = lower.strip_prefix("0o") {
        (o.replace('_', ""), 8)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (lower[1..].replace('_', ""), 8)
    } else {
        (lower, 10)
    };
    if digits.is_empty() || digits.starts_with('+') {
        return None;
    }
    u64::from_str_radix(&digits, radix).ok()
}

fn wrap(text: &str, indent: usize, width: usize) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && indent + line.len() + 1 + word.len() > width {
            out.push_str(&format!("{}{}\n", " ".repeat(indent), line));
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        out.push_str(&format!("{}{}\n", " ".repeat(indent), line));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set() -> FlagSet {
        let mut fs = FlagSet::new("Usage: test");
        fs.flag("recurse", Kind::Bool, "", "")
            .flag("separator", Kind::Str, "/", "")
            .flag("flags", Kind::U64, "", "")
            .flag("node-meta", Kind::Multi, "", "");
        fs
    }

    fn args(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn go_flag_forms() {
        let p = set()
            .parse(&args(&[
                "-flags=42",
                "--separator",
                ":",
                "-recurse",
                "k",
                "-v",
            ]))
            .unwrap();
        assert_eq!(p.u64("flags"), 42);
        assert_eq!(p.str("separator"), Some(":"));
        assert!(p.bool("recurse"));
        assert_eq!(p.args, args(&["k", "-v"]));
    }

    #[test]
    fn defaults_and_bool_values() {
        let p = set().parse(&args(&["-recurse=false", "x"])).unwrap();
        assert!(!p.bool("recurse"));
        assert_eq!(p.str("separator"), Some("/"));
        assert_eq!(p.u64("flags"), 0);
    }

    #[test]
    fn stops_at_double_dash_and_lone_dash() {
        let p = set().parse(&args(&["--", "-recurse"])).unwrap();
        assert_eq!(p.args, args(&["-recurse"]));
        let p = set().parse(&args(&["-", "x"])).unwrap();
        assert_eq!(p.args, args(&["-", "x"]));
    }

    #[test]
    fn errors_use_go_wording() {
        assert_eq!(
            set().parse(&args(&["-nope"])).unwrap_err(),
            ParseError::Bad("flag provided but not defined: -nope".into())
        );
        assert_eq!(
            set().parse(&args(&["-separator"])).unwrap_err(),
            ParseError::Bad("flag needs an argument: -separator".into())
        );
        assert!(matches!(
            set().parse(&args(&["-flags=x"])).unwrap_err(),
            ParseError::Bad(m) if m.starts_with("invalid value \"x\" for flag -flags")
        ));
        assert_eq!(set().parse(&args(&["-h"])).unwrap_err(), ParseError::Help);
        assert_eq!(
            set().parse(&args(&["--help"])).unwrap_err(),
            ParseError::Help
        );
    }

    #[test]
    fn repeatable() {
        let p = set()
            .parse(&args(&["-node-meta", "a=1", "-node-meta=b=2"]))
            .unwrap();
        assert_eq!(p.all("node-meta"), &args(&["a=1", "b=2"])[..]);
    }

    #[test]
    fn go_uint_forms() {
        assert_eq!(parse_go_uint("0x10"), Some(16));
        assert_eq!(parse_go_uint("010"), Some(8));
        assert_eq!(parse_go_uint("18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_go_uint("-1"), None);
    }
}
