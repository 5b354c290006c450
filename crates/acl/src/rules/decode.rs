//! Rules text → its rules with their access levels still as written
//! (Consul's `hcl.Decode` into `acl.Policy`): names matched ignoring case,
//! unknown keys ignored, no validation of the levels yet.

use consul_types::hcl::parse_hcl;

use super::go_quote;
use serde_json::{Map, Value};

/// A rule before validation: its label and levels as written (`""` = absent).
#[derive(Debug, Default)]
pub(super) struct RawRule {
    pub label: String,
    pub policy: String,
    pub intentions: String,
}

/// Every resource of the language, before validation.
#[derive(Debug, Default)]
pub(super) struct RawPolicy {
    pub acl: String,
    pub agents: Vec<RawRule>,
    pub agent_prefixes: Vec<RawRule>,
    pub events: Vec<RawRule>,
    pub event_prefixes: Vec<RawRule>,
    pub keys: Vec<RawRule>,
    pub key_prefixes: Vec<RawRule>,
    pub keyring: String,
    pub nodes: Vec<RawRule>,
    pub node_prefixes: Vec<RawRule>,
    pub operator: String,
    pub queries: Vec<RawRule>,
    pub query_prefixes: Vec<RawRule>,
    pub services: Vec<RawRule>,
    pub service_prefixes: Vec<RawRule>,
    pub sessions: Vec<RawRule>,
    pub session_prefixes: Vec<RawRule>,
}

impl RawPolicy {
    /// The list a labelled resource's rules go to, by its (lower-case) name.
    fn list(&mut self, name: &str) -> Option<&mut Vec<RawRule>> {
        Some(match name {
            "agent" => &mut self.agents,
            "agent_prefix" => &mut self.agent_prefixes,
            "event" => &mut self.events,
            "event_prefix" => &mut self.event_prefixes,
            "key" => &mut self.keys,
            "key_prefix" => &mut self.key_prefixes,
            "node" => &mut self.nodes,
            "node_prefix" => &mut self.node_prefixes,
            "query" => &mut self.queries,
            "query_prefix" => &mut self.query_prefixes,
            "service" => &mut self.services,
            "service_prefix" => &mut self.service_prefixes,
            "session" => &mut self.sessions,
            "session_prefix" => &mut self.session_prefixes,
            _ => return None,
        })
    }

    /// The field a single-valued resource goes to.
    fn scalar(&mut self, name: &str) -> Option<&mut String> {
        match name {
            "acl" => Some(&mut self.acl),
            "keyring" => Some(&mut self.keyring),
            "operator" => Some(&mut self.operator),
            _ => None,
        }
    }
}

/// Parses the text (JSON if it starts with `{`, else HCL) into raw rules.
/// The error is the reason only; the caller adds Consul's prefix.
pub(super) fn decode(text: &str) -> Result<RawPolicy, String> {
    let doc = if text.trim_start().starts_with('{') {
        super::json::parse_json(text).map_err(|e| e.to_string())?
    } else {
        parse_hcl(text).map_err(|e| e.to_string())?
    };
    let Value::Object(top) = doc else {
        return Err("rules must be an object".into());
    };
    let mut raw = RawPolicy::default();
    for (key, value) in &top {
        let name = key.to_ascii_lowercase();
        if let Some(field) = raw.scalar(&name) {
            if let Some(s) = string_value(value).map_err(|t| format!("{name}: {t}"))? {
                *field = s;
            }
        } else if let Some(list) = raw.list(&name) {
            labelled(&name, value, list)?;
        }
        // Anything else (`mesh`, `namespace`, `partition`, `id`, typos) is
        // ignored, as Consul 1.10 OSS's decoder ignores keys it has no field for.
    }
    Ok(raw)
}

/// A resource's labelled blocks: `{"label": body, …}` or a list of such
/// objects (repeated HCL blocks).
fn labelled(name: &str, value: &Value, out: &mut Vec<RawRule>) -> Result<(), String> {
    match value {
        Value::Object(blocks) => {
            for (label, body) in blocks {
                bodies(name, label, body, out)?;
            }
            Ok(())
        }
        Value::Array(items) => {
            for item in items {
                match item {
                    Value::Object(blocks) => {
                        for (label, body) in blocks {
                            bodies(name, label, body, out)?;
                        }
                    }
                    other => {
                        return Err(format!(
                            "{name}: expected a labelled block, found {}",
                            kind(other)
                        ))
                    }
                }
            }
            Ok(())
        }
        Value::Null => Ok(()),
        other => Err(format!(
            "{name}: expected labelled blocks, found {}",
            kind(other)
        )),
    }
}

/// One label's body, or several when the label was repeated in one block.
fn bodies(name: &str, label: &str, body: &Value, out: &mut Vec<RawRule>) -> Result<(), String> {
    match body {
        Value::Array(items) => {
            for item in items {
                out.push(rule(name, label, item)?);
            }
            Ok(())
        }
        single => {
            out.push(rule(name, label, single)?);
            Ok(())
        }
    }
}

fn rule(name: &str, label: &str, body: &Value) -> Result<RawRule, String> {
    let mut rule = RawRule {
        label: label.to_string(),
        ..RawRule::default()
    };
    let fields = match body {
        Value::Object(fields) => fields,
        // HCL 1 decodes a literal body as a block without fields, so the rule
        // ends up with no policy (and is refused by validation).
        Value::Array(_) => {
            return Err(format!(
                "{name}.{}: expected a block, found a list",
                go_quote(label)
            ));
        }
        _ => return Ok(rule),
    };
    set(&mut rule.policy, fields, "policy", name, label)?;
    if name.starts_with("service") {
        set(&mut rule.intentions, fields, "intentions", name, label)?;
    }
    Ok(rule)
}

/// Copies the field named `field` (any case) into `target`, if present.
fn set(
    target: &mut String,
    fields: &Map<String, Value>,
    field: &str,
    name: &str,
    label: &str,
) -> Result<(), String> {
    for (k, v) in fields {
        if k.eq_ignore_ascii_case(field) {
            if let Some(s) =
                string_value(v).map_err(|t| format!("{name}.{}.{field}: {t}", go_quote(label)))?
            {
                *target = s;
            }
        }
    }
    Ok(())
}

/// A string field's value: strings as they are, numbers as written (HCL 1
/// decodes a number into a string field), `null` as absent.
fn string_value(v: &Value) -> Result<Option<String>, String> {
    match v {
        Value::String(s) => Ok(Some(s.clone())),
        Value::Number(n) => Ok(Some(n.to_string())),
        Value::Null => Ok(None),
        other => Err(format!("unknown type for string {}", kind(other))),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "list",
        Value::Object(_) => "object",
    }
}
