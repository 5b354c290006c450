//! `consul watch`: watch a view of Consul's data. Without a child command, print the first
//! result as indented JSON and exit; with one, run it with each new result as JSON on stdin
//! (once at start, then on every change) until interrupted. The machinery is
//! `consul_api::watch`, shared with the agent's config-file watches.

use std::io::Write;

use anyhow::anyhow;
use consul_api::watch::script::{Output, Script};
use consul_api::watch::{run::RETRY_INTERVAL, Flow, Handler, Plan, WatchResult};
use serde_json::{Map, Value};

use super::flags::{FlagSet, Kind, Parsed};
use super::{http, ui};

const HELP: &str = "Usage: consul watch [options] [child...]\n\n  Watches for changes in a given data view from Consul. If a child process\n  is specified, it will be invoked with the latest results on changes. Otherwise,\n  the latest values are dumped to stdout and the watch terminates.\n\n  Providing the watch type is required, and other parameters may be required\n  or supported depending on the watch type.";

/// Run `consul watch`.
pub fn run(args: &[String]) -> i32 {
    let mut fs = FlagSet::new(HELP);
    http::client_flags(&mut fs);
    http::server_flags(&mut fs);
    fs.flag(
        "key",
        Kind::Str,
        "",
        "Specifies the key to watch. Only for 'key' type.",
    )
    .flag(
        "name",
        Kind::Str,
        "",
        "Specifies an event name to watch. Only for 'event' type.",
    )
    .flag(
        "passingonly",
        Kind::Str,
        "",
        "Specifies if only hosts passing all checks are displayed. Optional for \
             'service' type, must be one of `[true|false]`. Defaults false.",
    )
    .flag(
        "prefix",
        Kind::Str,
        "",
        "Specifies the key prefix to watch. Only for 'keyprefix' type.",
    )
    .flag(
        "service",
        Kind::Str,
        "",
        "Specifies the service to watch. Required for 'service' type, optional for \
             'checks' type.",
    )
    .flag(
        "shell",
        Kind::Bool,
        "true",
        "Use a shell to run the command (can set a custom shell via the SHELL \
             environment variable).",
    )
    .flag(
        "state",
        Kind::Str,
        "",
        "Specifies the states to watch. Optional for 'checks' type.",
    )
    .flag(
        "tag",
        Kind::Multi,
        "",
        "Specifies the service tag(s) to filter on. Optional for 'service' type. May be \
             specified multiple times",
    )
    .flag(
        "type",
        Kind::Str,
        "",
        "Specifies the watch type. One of key, keyprefix, services, nodes, service, \
             checks, or event.",
    );
    let p = match ui::parse(&fs, args) {
        Ok(p) => p,
        Err(code) => return code,
    };
    if p.str("type").unwrap_or("").is_empty() {
        ui::err("Watch type must be specified");
        ui::err("");
        ui::err(fs.usage());
        return 1;
    }
    let params = match params(&p) {
        Ok(m) => m,
        Err(e) => {
            ui::err(e);
            return 1;
        }
    };
    let plan = match Plan::parse(params, &[]) {
        Ok(plan) => plan,
        Err(e) => {
            ui::err(e.to_string());
            return 1;
        }
    };
    let script = match p.args.as_slice() {
        [] => None,
        args if p.bool("shell") => Some(Script::Shell(args.join(" "))),
        args => Some(Script::Args(args.to_vec())),
    };
    ui::block_on(async move {
        let client = http::client(&p)?;
        client
            .agent()
            .node_name()
            .await
            .map_err(|e| anyhow!("Error querying Consul agent: {e}"))?;
        let (stop_tx, stop) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                let _ = stop_tx.send(true);
            }
        });
        let code = match script {
            None => {
                let mut h = Print;
                consul_api::watch::run(&client, &plan, &mut h, stop, RETRY_INTERVAL).await;
                0
            }
            Some(script) => {
                let mut h = RunChild {
                    script,
                    failed: false,
                };
                consul_api::watch::run(&client, &plan, &mut h, stop, RETRY_INTERVAL).await;
                i32::from(h.failed)
            }
        };
        Ok(code)
    })
}

/// The watch parameters the flags give (Consul's CLI builds the same map).
fn params(p: &Parsed) -> Result<Map<String, Value>, String> {
    let mut m = Map::new();
    let mut put = |k: &str, v: Value| {
        m.insert(k.to_string(), v);
    };
    for (flag, key) in [
        ("type", "type"),
        ("datacenter", "datacenter"),
        ("token", "token"),
        ("key", "key"),
        ("prefix", "prefix"),
        ("service", "service"),
        ("state", "state"),
        ("name", "name"),
    ] {
        if let Some(v) = p.str(flag).filter(|v| !v.is_empty()) {
            put(key, Value::String(v.to_string()));
        }
    }
    let tags = p.all("tag");
    if !tags.is_empty() {
        put("tag", Value::from(tags.to_vec()));
    }
    if p.bool("stale") {
        put("stale", Value::Bool(true));
    }
    if let Some(v) = p.str("passingonly").filter(|v| !v.is_empty()) {
        let b = match v {
            "1" | "t" | "T" | "true" | "TRUE" | "True" => true,
            "0" | "f" | "F" | "false" | "FALSE" | "False" => false,
            _ => {
                return Err(format!(
                    "Failed to parse passingonly flag: strconv.ParseBool: parsing {v:?}: invalid syntax"
                ))
            }
        };
        put("passingonly", Value::Bool(b));
    }
    Ok(m)
}

/// No child: print the first result and stop.
struct Print;

impl Handler for Print {
    async fn handle(&mut self, _index: u64, result: &WatchResult) -> Flow {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(&result.pretty());
        let _ = out.write_all(b"\n");
        let _ = out.flush();
        Flow::Stop
    }
}

/// A child: run it on every result; a failure stops the watch with exit code 1.
struct RunChild {
    script: Script,
    failed: bool,
}

impl Handler for RunChild {
    async fn handle(&mut self, index: u64, result: &WatchResult) -> Flow {
        match self.script.run(index, result, Output::Inherit).await {
            Ok(_) => Flow::Continue,
            Err(e) => {
                ui::err(e.to_string());
                self.failed = true;
                Flow::Stop
            }
        }
    }
}
