//! `consul version`: print the version, in Consul's text or JSON form.

use serde::Serialize;

use super::flags::{FlagSet, Kind};
use super::ui;

/// The release we present as. It must parse with hashicorp/go-version, as
/// client test harnesses read it from `consul version -format=json`.
pub const VERSION: &str = consul_agent::VERSION;

/// Git revision embedded at build time through `CONSUL_GIT_REVISION` ("" if none).
pub const REVISION: &str = match option_env!("CONSUL_GIT_REVISION") {
    Some(r) => r,
    None => "",
};

/// Pre-release suffix ("" for a release).
pub const PRERELEASE: &str = "";

/// RPC protocol versions, as Consul 1.x reports them.
const RPC_DEFAULT: u32 = 2;
const RPC_MIN: u32 = 2;
const RPC_MAX: u32 = 3;

const HELP: &str = "Usage: consul version [options]\n\n  Prints the version of this Consul binary.";

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Rpc {
    default: u32,
    min: u32,
    max: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct VersionInfo {
    version: &'static str,
    revision: &'static str,
    prerelease: &'static str,
    #[serde(rename = "RPC")]
    rpc: Rpc,
}

/// `consul version [-format=pretty|json]`.
pub fn run(args: &[String]) -> i32 {
    let mut fs = FlagSet::new(HELP);
    fs.flag("format", Kind::Str, "pretty", "Output format {pretty|json}");
    let p = match ui::parse(&fs, args) {
        Ok(p) => p,
        Err(code) => return code,
    };
    match p.str("format").unwrap_or("pretty") {
        "pretty" => {
            ui::out(pretty());
            0
        }
        "json" => {
            ui::out(json());
            0
        }
        other => {
            ui::err(format!("Unknown format: {other}"));
            1
        }
    }
}

fn human_version() -> String {
    if PRERELEASE.is_empty() {
        VERSION.to_string()
    } else {
        format!("{VERSION}-{PRERELEASE}")
    }
}

/// The text form; like Consul's it ends with a newline to which the
/// output line adds one more.
fn pretty() -> String {
    let mut s = format!("Consul v{}\n", human_version());
    if !REVISION.is_empty() {
        s.push_str(&format!("Revision {REVISION}\n"));
    }
    s.push_str(&format!(
        "Protocol {RPC_DEFAULT} spoken by default, understands {RPC_MIN} to {RPC_MAX} \
         (agent will automatically use protocol >{RPC_DEFAULT} when speaking to compatible agents)\n"
    ));
    s
}

/// Go's `json.MarshalIndent(info, "", "   ")`.
fn json() -> String {
    let info = VersionInfo {
        version: VERSION,
        revision: REVISION,
        prerelease: PRERELEASE,
        rpc: Rpc {
            default: RPC_DEFAULT,
            min: RPC_MIN,
            max: RPC_MAX,
        },
    };
    let mut buf = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b"   ");
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
    info.serialize(&mut ser).expect("serialize version");
    String::from_utf8(buf).expect("utf8")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pretty_first_lines() {
        let p = pretty();
        assert!(p.starts_with("Consul v1."));
        assert!(p.contains("Protocol 2 spoken by default, understands 2 to 3 (agent will automatically use protocol >2 when speaking to compatible agents)\n"));
    }

    #[test]
    fn json_has_version() {
        let v: serde_json::Value = serde_json::from_str(&json()).unwrap();
        assert_eq!(v["Version"], VERSION);
        assert_eq!(v["RPC"]["Max"], 3);
        assert!(json().contains("\n   \"Version\": "));
    }
}
