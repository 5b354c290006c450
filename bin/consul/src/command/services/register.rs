//! `consul services register`: register services from config files or flags.

use anyhow::anyhow;
use serde_json::{json, Map, Value};

use crate::command::flags::{FlagSet, Kind};
use crate::command::{http, ui};

const HELP: &str = r#"Usage: consul services register [options] [FILE...]

  Register one or more services using the local agent API. Services can
  be registered from standard Consul configuration files (HCL or JSON) or
  using flags. The service is registered and the command returns. The caller
  must remember to call "consul services deregister" or a similar API to
  deregister the service when complete.

      $ consul services register web.json

  Additional flags and more advanced use cases are detailed below."#;

fn flags() -> FlagSet {
    let mut fs = FlagSet::new(HELP);
    fs.flag(
        "id",
        Kind::Str,
        "",
        "ID of the service to register for arg-based registration. If this \
         isn't set, it will default to the -name value.",
    )
    .flag(
        "name",
        Kind::Str,
        "",
        "Name of the service to register for arg-based registration.",
    )
    .flag(
        "address",
        Kind::Str,
        "",
        "Address of the service to register for arg-based registration.",
    )
    .flag(
        "port",
        Kind::U64,
        "",
        "Port of the service to register for arg-based registration.",
    )
    .flag(
        "meta",
        Kind::Multi,
        "",
        "Metadata to set on the service, formatted as key=value. This flag \
         may be specified multiple times to set multiple meta fields.",
    )
    .flag(
        "tag",
        Kind::Multi,
        "",
        "Tag to add to the service. This flag can be specified multiple \
         times to set multiple tags.",
    )
    .flag(
        "tagged-address",
        Kind::Multi,
        "",
        "Tagged address to set on the service, formatted as key=value. This \
         flag may be specified multiple times to set multiple addresses.",
    )
    .flag("kind", Kind::Str, "", "The services 'kind'");
    http::client_flags(&mut fs);
    http::server_flags(&mut fs);
    fs
}

/// Split `k=v` flag values into a map (Go's `FlagMapValue`).
pub(crate) fn kv_map(flag: &str, values: &[String]) -> Result<Map<String, Value>, String> {
    let mut m = Map::new();
    for v in values {
        let Some((k, val)) = v.split_once('=') else {
            return Err(format!(
                "invalid value {v:?} for flag -{flag}: Missing \"=\" value in argument: {v}"
            ));
        };
        m.insert(k.to_string(), Value::String(val.to_string()));
    }
    Ok(m)
}

/// `host:port` or `host` (Go's `api.ParseServiceAddr`).
fn service_addr(v: &str) -> Result<Value, String> {
    if let Some((host, port)) = v
        .rsplit_once(':')
        .filter(|(h, _)| !h.contains(':') || h.starts_with('['))
    {
        let port: u16 = port
            .parse()
            .map_err(|_| format!("Invalid Tagged address: failed to parse port {port:?}"))?;
        let host = host.trim_start_matches('[').trim_end_matches(']');
        return Ok(json!({"Address": host, "Port": port}));
    }
    Ok(json!({"Address": v, "Port": 0}))
}

/// Run `consul services register`.
pub fn run(args: &[String]) -> i32 {
    let fs = flags();
    let p = match ui::parse(&fs, args) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let port = p.u64("port");
    if port > u64::from(u16::MAX) {
        ui::err(format!(
            "invalid value \"{port}\" for flag -port: value out of range"
        ));
        return 1;
    }
    let meta = match kv_map("meta", p.all("meta")) {
        Ok(m) => m,
        Err(e) => {
            ui::err(e);
            return 1;
        }
    };
    let tagged = match kv_map("tagged-address", p.all("tagged-address")) {
        Ok(m) => m,
        Err(e) => {
            ui::err(e);
            return 1;
        }
    };
    let mut tagged_addrs = Map::new();
    for (k, v) in tagged {
        match service_addr(v.as_str().unwrap_or_default()) {
            Ok(a) => {
                tagged_addrs.insert(k, a);
            }
            Err(e) => {
                ui::err(e);
                return 1;
            }
        }
    }
    let name = p.str("name").unwrap_or_default().to_string();
    if p.args.is_empty() && name.is_empty() {
        ui::err("Service registration requires at least one argument or flags.");
        return 1;
    }
    if !p.args.is_empty() && !name.is_empty() {
        ui::err("Service registration requires arguments or -id, not both.");
        return 1;
    }
    let svcs = if p.args.is_empty() {
        let mut reg = Map::new();
        let mut put = |k: &str, v: Value| {
            reg.insert(k.to_string(), v);
        };
        if let Some(kind) = p.str("kind").filter(|k| !k.is_empty()) {
            put("Kind", json!(kind));
        }
        if let Some(id) = p.str("id").filter(|k| !k.is_empty()) {
            put("ID", json!(id));
        }
        put("Name", json!(name));
        if let Some(a) = p.str("address").filter(|k| !k.is_empty()) {
            put("Address", json!(a));
        }
        if port != 0 {
            put("Port", json!(port));
        }
        if !p.all("tag").is_empty() {
            put("Tags", json!(p.all("tag")));
        }
        if !meta.is_empty() {
            put("Meta", Value::Object(meta));
        }
        if !tagged_addrs.is_empty() {
            put("TaggedAddresses", Value::Object(tagged_addrs));
        }
        vec![Value::Object(reg)]
    } else {
        match super::services_from_files(&p.args) {
            Ok(s) => s,
            Err(e) => {
                ui::err(format!("Error: {e}"));
                return 1;
            }
        }
    };
    ui::block_on(async move {
        let client = http::client(&p)?;
        for svc in &svcs {
            let name = svc.get("Name").and_then(Value::as_str).unwrap_or_default();
            client.agent().service_register(svc).await.map_err(|e| {
                anyhow!(
                    "Error registering service {}: {e}",
                    crate::command::maint::go_quote(name)
                )
            })?;
            ui::out(format!("Registered service: {name}"));
        }
        Ok(0)
    })
}
