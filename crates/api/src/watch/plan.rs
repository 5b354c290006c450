//! A watch as Consul's `watch.Parse` reads it: a map of parameters (from `consul watch`'s
//! flags or an agent config file's `watches` entry) into a type with its own parameters,
//! plus the generic ones (`datacenter`, `token`, `stale`, `handler_type`,
//! `http_handler_config`). Unknown parameters are refused, as Consul does.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{Map, Value};

use super::WatchError;

/// What is watched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WatchType {
    /// One KV key (`key`).
    Key {
        /// The key.
        key: String,
    },
    /// Every KV key under a prefix (`prefix`).
    KeyPrefix {
        /// The prefix.
        prefix: String,
    },
    /// The catalog's service names and tags.
    Services,
    /// The catalog's nodes.
    Nodes,
    /// The health of one service's instances (`service`, `tag`, `passingonly`).
    Service {
        /// Service name.
        service: String,
        /// Tags every instance must have.
        tags: Vec<String>,
        /// Only instances with every check passing.
        passing_only: bool,
    },
    /// Health checks: of one service, in one state, or all (`service` / `state`).
    Checks {
        /// Service name ("" = by state).
        service: String,
        /// State ("" with no service = `any`).
        state: String,
    },
    /// User events (`name`; "" = all).
    Event {
        /// Event name.
        name: String,
    },
}

/// How the agent delivers a config-file watch's results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HandlerType {
    /// A command (`args`, or the deprecated `handler` shell string).
    Script,
    /// An HTTP request (`http_handler_config`).
    Http(HttpHandlerConfig),
}

/// `http_handler_config`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpHandlerConfig {
    /// URL to call.
    pub path: String,
    /// Method (default `POST`).
    pub method: String,
    /// Headers (each possibly several values).
    pub header: BTreeMap<String, Vec<String>>,
    /// Request timeout (default 10 s).
    pub timeout: Duration,
    /// Skip TLS verification.
    pub tls_skip_verify: bool,
}

/// A parsed watch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// What is watched.
    pub kind: WatchType,
    /// Datacenter ("" = the agent's).
    pub datacenter: String,
    /// ACL token ("" = the client's).
    pub token: String,
    /// Let any server answer.
    pub stale: bool,
    /// `handler_type` (default script).
    pub handler_type: HandlerType,
    /// The exempt parameters the caller asked to keep (e.g. `args`, `handler`).
    pub exempt: Map<String, Value>,
}

impl Plan {
    /// Parse `params`, keeping the names in `exempt` for the caller.
    pub fn parse(mut params: Map<String, Value>, exempt: &[&str]) -> Result<Plan, WatchError> {
        let p = &mut params;
        let datacenter = take_str(p, "datacenter")?;
        let token = take_str(p, "token")?;
        let typ = take_str(p, "type")?;
        if typ.is_empty() {
            return Err(WatchError::Invalid("Watch type must be specified".into()));
        }
        let handler_type = match take_str(p, "handler_type")?.as_str() {
            "http" => {
                let Some(cfg) = p.remove("http_handler_config") else {
                    return Err(WatchError::Invalid(
                        "Handler type 'http' requires 'http_handler_config' to be set".into(),
                    ));
                };
                HandlerType::Http(parse_http_config(cfg).map_err(|e| {
                    WatchError::Invalid(format!("Failed to parse 'http_handler_config': {e}"))
                })?)
            }
            _ => HandlerType::Script,
        };
        let stale_key = |p: &mut Map<String, Value>| take_bool(p, "stale");
        let (kind, stale) = match typ.as_str() {
            "key" => {
                let stale = stale_key(p)?;
                let key = take_str(p, "key")?;
                if key.is_empty() {
                    return Err(WatchError::Invalid(
                        "Must specify a single key to watch".into(),
                    ));
                }
                (WatchType::Key { key }, stale)
            }
            "keyprefix" => {
                let stale = stale_key(p)?;
                let prefix = take_str(p, "prefix")?;
                if prefix.is_empty() {
                    return Err(WatchError::Invalid(
                        "Must specify a single prefix to watch".into(),
                    ));
                }
                (WatchType::KeyPrefix { prefix }, stale)
            }
            "services" => (WatchType::Services, stale_key(p)?),
            "nodes" => (WatchType::Nodes, stale_key(p)?),
            "service" => {
                let stale = stale_key(p)?;
                let service = take_str(p, "service")?;
                if service.is_empty() {
                    return Err(WatchError::Invalid(
                        "Must specify a single service to watch".into(),
                    ));
                }
                let tags = take_strs(p, "tag")?;
                let passing_only = take_bool(p, "passingonly")?;
                (
                    WatchType::Service {
                        service,
                        tags,
                        passing_only,
                    },
                    stale,
                )
            }
            "checks" => {
                let stale = stale_key(p)?;
                let service = take_str(p, "service")?;
                let state = take_str(p, "state")?;
                if !service.is_empty() && !state.is_empty() {
                    return Err(WatchError::Invalid(
                        "Cannot specify service and state".into(),
                    ));
                }
                (WatchType::Checks { service, state }, stale)
            }
            "event" => (
                WatchType::Event {
                    name: take_str(p, "name")?,
                },
                false,
            ),
            other => {
                return Err(WatchError::Invalid(format!(
                    "Unsupported watch type: {other}"
                )))
            }
        };
        let mut kept = Map::new();
        for name in exempt {
            if let Some(v) = p.remove(*name) {
                kept.insert((*name).to_string(), v);
            }
        }
        if !p.is_empty() {
            let bad: Vec<&str> = p.keys().map(String::as_str).collect();
            return Err(WatchError::Invalid(format!(
                "Invalid parameters: [{}]",
                bad.join(" ")
            )));
        }
        Ok(Plan {
            kind,
            datacenter,
            token,
            stale,
            handler_type,
            exempt: kept,
        })
    }
}

fn take_str(p: &mut Map<String, Value>, key: &str) -> Result<String, WatchError> {
    match p.remove(key) {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(WatchError::Invalid(format!(
            "Expecting {key} to be a string"
        ))),
    }
}

fn take_strs(p: &mut Map<String, Value>, key: &str) -> Result<Vec<String>, WatchError> {
    match p.remove(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::String(s)) => Ok(vec![s]),
        Some(Value::Array(v)) => v
            .into_iter()
            .map(|x| match x {
                Value::String(s) => Ok(s),
                _ => Err(WatchError::Invalid(format!(
                    "Expecting {key} to be a string or []string"
                ))),
            })
            .collect(),
        Some(_) => Err(WatchError::Invalid(format!(
            "Expecting {key} to be a string or []string"
        ))),
    }
}

fn take_bool(p: &mut Map<String, Value>, key: &str) -> Result<bool, WatchError> {
    match p.remove(key) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(b),
        Some(_) => Err(WatchError::Invalid(format!(
            "Expecting {key} to be a boolean"
        ))),
    }
}

fn parse_http_config(v: Value) -> Result<HttpHandlerConfig, String> {
    let Value::Object(m) = v else {
        return Err("expected an object".into());
    };
    let mut cfg = HttpHandlerConfig {
        path: String::new(),
        method: "POST".into(),
        header: BTreeMap::new(),
        timeout: Duration::from_secs(10),
        tls_skip_verify: false,
    };
    for (k, v) in m {
        match (k.to_ascii_lowercase().replace('_', "").as_str(), v) {
            ("path", Value::String(s)) => cfg.path = s,
            ("method", Value::String(s)) => cfg.method = s.to_ascii_uppercase(),
            ("timeout", Value::String(s)) => {
                cfg.timeout = parse_duration(&s).ok_or_else(|| format!("invalid timeout {s:?}"))?
            }
            ("timeout", Value::Number(n)) => {
                cfg.timeout = Duration::from_nanos(n.as_u64().unwrap_or(0))
            }
            ("tlsskipverify", Value::Bool(b)) => cfg.tls_skip_verify = b,
            ("header", Value::Object(h)) => {
                for (name, vals) in h {
                    let vals = match vals {
                        Value::String(s) => vec![s],
                        Value::Array(a) => a
                            .into_iter()
                            .filter_map(|x| x.as_str().map(str::to_string))
                            .collect(),
                        _ => return Err(format!("header {name}: expected strings")),
                    };
                    cfg.header.insert(name, vals);
                }
            }
            (other, _) => return Err(format!("unexpected field {other:?}")),
        }
    }
    if cfg.path.is_empty() {
        return Err("path is required".into());
    }
    if cfg.timeout.is_zero() {
        cfg.timeout = Duration::from_secs(10);
    }
    Ok(cfg)
}

/// A Go duration such as `10s`, `1m30s`, `500ms`.
fn parse_duration(s: &str) -> Option<Duration> {
    let mut total = Duration::ZERO;
    let mut rest = s.trim();
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let n_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let n: f64 = rest[..n_end].parse().ok()?;
        rest = &rest[n_end..];
        let u_end = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let unit = match &rest[..u_end] {
            "ns" => 1e-9,
            "us" | "µs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return None,
        };
        rest = &rest[u_end..];
        total += Duration::from_secs_f64(n * unit);
    }
    Some(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(v: Value) -> Result<Plan, WatchError> {
        let Value::Object(m) = v else { panic!() };
        Plan::parse(m, &["args", "handler"])
    }

    #[test]
    fn parses_each_type_with_its_parameters() {
        let p = parse(json!({"type": "service", "service": "web", "tag": ["a", "b"], "passingonly": true, "args": ["x"]})).unwrap();
        assert_eq!(
            p.kind,
            WatchType::Service {
                service: "web".into(),
                tags: vec!["a".into(), "b".into()],
                passing_only: true
            }
        );
        assert_eq!(p.exempt["args"], json!(["x"]));
        assert_eq!(
            parse(json!({"type": "key", "key": "k", "stale": true})).unwrap(),
            Plan {
                kind: WatchType::Key { key: "k".into() },
                datacenter: String::new(),
                token: String::new(),
                stale: true,
                handler_type: HandlerType::Script,
                exempt: Map::new(),
            }
        );
    }

    #[test]
    fn refuses_what_consul_refuses() {
        let err = |v| parse(v).unwrap_err().to_string();
        assert_eq!(err(json!({})), "Watch type must be specified");
        assert_eq!(err(json!({"type": "nope"})), "Unsupported watch type: nope");
        assert_eq!(
            err(json!({"type": "key"})),
            "Must specify a single key to watch"
        );
        assert_eq!(
            err(json!({"type": "checks", "service": "a", "state": "passing"})),
            "Cannot specify service and state"
        );
        assert_eq!(
            err(json!({"type": "nodes", "bogus": 1})),
            "Invalid parameters: [bogus]"
        );
        assert_eq!(
            err(json!({"type": "nodes", "handler_type": "http"})),
            "Handler type 'http' requires 'http_handler_config' to be set"
        );
    }

    #[test]
    fn http_handler_config_defaults() {
        let p = parse(json!({"type": "nodes", "handler_type": "http",
            "http_handler_config": {"path": "http://x/y", "header": {"A": ["1"]}, "timeout": "2s"}}))
        .unwrap();
        let HandlerType::Http(c) = p.handler_type else {
            panic!()
        };
        assert_eq!(
            (c.method.as_str(), c.timeout),
            ("POST", Duration::from_secs(2))
        );
        assert_eq!(c.header["A"], vec!["1".to_string()]);
    }
}
