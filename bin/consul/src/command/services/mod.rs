//! `consul services`: register and deregister services with the local agent.

pub mod deregister;
pub mod register;

use std::path::PathBuf;

use consul_config::AgentFlags;
use serde_json::{Map, Value};

use super::ui;

const SUBCOMMANDS: &[(&str, &str)] = &[
    ("deregister", "Deregister services with the local agent"),
    ("register", "Register services with the local agent"),
];

/// Dispatch `consul services <sub>`; without a known subcommand print the
/// subcommand list and exit 1.
pub fn run(args: &[String]) -> i32 {
    let rest = args.get(1..).unwrap_or_default();
    match args.first().map(String::as_str) {
        Some("deregister") => deregister::run(rest),
        Some("register") => register::run(rest),
        Some("-h" | "-help" | "--help") => {
            ui::err(super::usage("consul services", SUBCOMMANDS));
            0
        }
        _ => {
            ui::err(super::usage("consul services", SUBCOMMANDS));
            1
        }
    }
}

/// The service definitions in config files (Consul's `ServicesFromFiles`):
/// the files are loaded like agent config in dev mode (so nothing else is
/// required of them), warnings go to stderr, and every `service`/`services`
/// entry becomes an `AgentServiceRegistration` as API JSON.
pub(crate) fn services_from_files(files: &[String]) -> Result<Vec<Value>, String> {
    let flags = AgentFlags {
        dev: true,
        config_paths: files.iter().map(PathBuf::from).collect(),
        ..Default::default()
    };
    let cfg = consul_config::load(&flags).map_err(|e| e.to_string())?;
    for w in &cfg.warnings {
        ui::err(w);
    }
    if cfg.services.is_empty() {
        return Err("No services found in config files".to_string());
    }
    Ok(cfg.services.iter().map(|s| to_api(s, false)).collect())
}

/// The id a registration ends up with: `ID`, else `Name`.
pub(crate) fn service_id(reg: &Value) -> String {
    let get = |k: &str| reg.get(k).and_then(Value::as_str).unwrap_or_default();
    match get("ID") {
        "" => get("Name").to_string(),
        id => id.to_string(),
    }
}

/// Config-file keys (`snake_case`, any case) to the API's PascalCase ones
/// (`enable_tag_override` → `EnableTagOverride`, `id` → `ID`), leaving the
/// keys of user maps (`meta`, `header`, …) as they are.
pub(crate) fn to_api(v: &Value, user_map: bool) -> Value {
    match v {
        Value::Object(m) => {
            let mut out = Map::new();
            for (k, v) in m {
                let lower = k.to_ascii_lowercase().replace('_', "");
                let user = matches!(
                    lower.as_str(),
                    "meta" | "header" | "nodemeta" | "taggedaddresses"
                );
                let key = if user_map { k.clone() } else { pascal(k) };
                // Tagged addresses are a user map of address objects.
                let val = if user_map {
                    to_api(v, false)
                } else {
                    to_api(v, user)
                };
                out.insert(key, val);
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(|x| to_api(x, false)).collect()),
        other => other.clone(),
    }
}

fn pascal(k: &str) -> String {
    if !k.contains('_') && k.chars().next().is_some_and(|c| c.is_ascii_uppercase()) {
        return k.to_string();
    }
    k.split('_')
        .map(|part| match part.to_ascii_lowercase().as_str() {
            "id" => "ID".to_string(),
            "ttl" => "TTL".to_string(),
            "http" => "HTTP".to_string(),
            "tcp" => "TCP".to_string(),
            "udp" => "UDP".to_string(),
            "grpc" => "GRPC".to_string(),
            "tls" => "TLS".to_string(),
            p => {
                let mut c = p.chars();
                match c.next() {
                    Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                    None => String::new(),
                }
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn config_keys_become_api_keys() {
        let v = json!({
            "id": "web1", "name": "web", "enable_tag_override": true,
            "meta": {"some_key": "x"},
            "check": {"http": "http://x", "tls_skip_verify": true,
                      "header": {"X-Thing": ["a"]}, "deregister_critical_service_after": "1m"},
            "tagged_addresses": {"lan_ipv4": {"address": "1.2.3.4", "port": 1}}
        });
        assert_eq!(
            to_api(&v, false),
            json!({
                "ID": "web1", "Name": "web", "EnableTagOverride": true,
                "Meta": {"some_key": "x"},
                "Check": {"HTTP": "http://x", "TLSSkipVerify": true,
                          "Header": {"X-Thing": ["a"]}, "DeregisterCriticalServiceAfter": "1m"},
                "TaggedAddresses": {"lan_ipv4": {"Address": "1.2.3.4", "Port": 1}}
            })
        );
        assert_eq!(service_id(&json!({"Name": "web"})), "web");
    }
}
