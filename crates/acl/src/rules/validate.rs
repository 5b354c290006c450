//! Raw rules → a typed [`Policy`], refusing invalid access levels with
//! Consul 1.10's messages (`PolicyRules.Validate`), checked in its order.
//!
//! Consul prints the offending rule with Go's `%#v` (`&acl.KeyRule{Prefix:"a",
//! Policy:"x", EnterpriseRule:acl.EnterpriseRule{}}`); clients and tests match
//! on that text, so it is reproduced here, strings quoted as Go quotes them.

use std::fmt::Write as _;

use super::decode::{RawPolicy, RawRule};
use super::{Policy, Rule, ServiceRule};
use crate::access::Access;

/// How Go prints one kind of rule: its type name and field names.
struct Shape {
    /// The resource name in the message (`key_prefix`).
    resource: &'static str,
    /// Go type (`KeyRule`).
    go_type: &'static str,
    /// Go name of the label field (`Prefix`).
    label_field: &'static str,
    /// Whether the Go struct embeds `EnterpriseRule` (printed last).
    enterprise: bool,
    /// Whether `list` is a valid level (keys only).
    allow_list: bool,
}

const fn shape(
    resource: &'static str,
    go_type: &'static str,
    label_field: &'static str,
    enterprise: bool,
    allow_list: bool,
) -> Shape {
    Shape {
        resource,
        go_type,
        label_field,
        enterprise,
        allow_list,
    }
}

const AGENT: Shape = shape("agent", "AgentRule", "Node", false, false);
const AGENT_PREFIX: Shape = shape("agent_prefix", "AgentRule", "Node", false, false);
const KEY: Shape = shape("key", "KeyRule", "Prefix", true, true);
const KEY_PREFIX: Shape = shape("key_prefix", "KeyRule", "Prefix", true, true);
const NODE: Shape = shape("node", "NodeRule", "Name", true, false);
const NODE_PREFIX: Shape = shape("node_prefix", "NodeRule", "Name", true, false);
const SERVICE: Shape = shape("service", "ServiceRule", "Name", true, false);
const SERVICE_PREFIX: Shape = shape("service_prefix", "ServiceRule", "Name", true, false);
const SESSION: Shape = shape("session", "SessionRule", "Node", false, false);
const SESSION_PREFIX: Shape = shape("session_prefix", "SessionRule", "Node", false, false);
const EVENT: Shape = shape("event", "EventRule", "Event", false, false);
const EVENT_PREFIX: Shape = shape("event_prefix", "EventRule", "Event", false, false);
const QUERY: Shape = shape("query", "PreparedQueryRule", "Prefix", false, false);
const QUERY_PREFIX: Shape = shape("query_prefix", "PreparedQueryRule", "Prefix", false, false);

/// Validates in Consul's order: acl, agent(_prefix), key(_prefix),
/// node(_prefix), service(_prefix), session(_prefix), event(_prefix),
/// query(_prefix), keyring, operator. The first invalid rule is reported.
pub(super) fn validate(raw: RawPolicy) -> Result<Policy, String> {
    let acl = scalar("acl", &raw.acl)?;
    let agents = rules(&AGENT, raw.agents)?;
    let agent_prefixes = rules(&AGENT_PREFIX, raw.agent_prefixes)?;
    let keys = rules(&KEY, raw.keys)?;
    let key_prefixes = rules(&KEY_PREFIX, raw.key_prefixes)?;
    let nodes = rules(&NODE, raw.nodes)?;
    let node_prefixes = rules(&NODE_PREFIX, raw.node_prefixes)?;
    let services = service_rules(&SERVICE, raw.services)?;
    let service_prefixes = service_rules(&SERVICE_PREFIX, raw.service_prefixes)?;
    let sessions = rules(&SESSION, raw.sessions)?;
    let session_prefixes = rules(&SESSION_PREFIX, raw.session_prefixes)?;
    let events = rules(&EVENT, raw.events)?;
    let event_prefixes = rules(&EVENT_PREFIX, raw.event_prefixes)?;
    let queries = rules(&QUERY, raw.queries)?;
    let query_prefixes = rules(&QUERY_PREFIX, raw.query_prefixes)?;
    let keyring = scalar("keyring", &raw.keyring)?;
    let operator = scalar("operator", &raw.operator)?;
    Ok(Policy {
        acl,
        agents,
        agent_prefixes,
        events,
        event_prefixes,
        keys,
        key_prefixes,
        keyring,
        nodes,
        node_prefixes,
        operator,
        queries,
        query_prefixes,
        services,
        service_prefixes,
        sessions,
        session_prefixes,
    })
}

/// A level, if valid for a resource (`list` only where `allow_list`).
fn level(text: &str, allow_list: bool) -> Option<Access> {
    Access::parse(text).filter(|a| allow_list || *a != Access::List)
}

/// Whether a valid level's text is its lower-case name (Consul's merge
/// compares the text; see [`Access::replaces_as_written`]).
fn lower_case(text: &str, access: Access) -> bool {
    text == access.as_str()
}

/// `acl`, `keyring`, `operator`: may be absent (empty). A valid level not
/// written in lower case (`operator = "WRITE"`) is kept as absent: Consul
/// accepts it, but its merge never lets it replace "no level", so it grants
/// nothing.
fn scalar(resource: &str, text: &str) -> Result<Option<Access>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    match level(text, false) {
        Some(a) => Ok(Some(a).filter(|a| lower_case(text, *a))),
        None => Err(format!("Invalid {resource} policy: {}", go_quote(text))),
    }
}

fn rules(shape: &Shape, raw: Vec<RawRule>) -> Result<Vec<Rule>, String> {
    raw.into_iter()
        .map(|r| match level(&r.policy, shape.allow_list) {
            Some(access) => Ok(Rule {
                lower_case: lower_case(&r.policy, access),
                segment: r.label,
                access,
            }),
            None => Err(format!(
                "Invalid {} policy: {}",
                shape.resource,
                go_rule(shape, &r, false)
            )),
        })
        .collect()
}

fn service_rules(shape: &Shape, raw: Vec<RawRule>) -> Result<Vec<ServiceRule>, String> {
    raw.into_iter()
        .map(|r| {
            let Some(access) = level(&r.policy, false) else {
                return Err(format!(
                    "Invalid {} policy: {}",
                    shape.resource,
                    go_rule(shape, &r, true)
                ));
            };
            let intentions = if r.intentions.is_empty() {
                None
            } else {
                match level(&r.intentions, false) {
                    Some(i) => Some(i),
                    None => {
                        return Err(format!(
                            "Invalid {} intentions policy: {}",
                            shape.resource,
                            go_rule(shape, &r, true)
                        ))
                    }
                }
            };
            Ok(ServiceRule {
                lower_case: lower_case(&r.policy, access),
                intentions_lower_case: intentions.is_none_or(|i| lower_case(&r.intentions, i)),
                segment: r.label,
                access,
                intentions,
            })
        })
        .collect()
}

/// The rule as Go's `%#v` prints a pointer to its struct.
fn go_rule(shape: &Shape, r: &RawRule, intentions: bool) -> String {
    let mut s = format!(
        "&acl.{}{{{}:{}, Policy:{}",
        shape.go_type,
        shape.label_field,
        go_quote(&r.label),
        go_quote(&r.policy)
    );
    if intentions {
        let _ = write!(s, ", Intentions:{}", go_quote(&r.intentions));
    }
    if shape.enterprise {
        s.push_str(", EnterpriseRule:acl.EnterpriseRule{}");
    }
    s.push('}');
    s
}

/// A string quoted as Go's `strconv.Quote` (what `%#v` uses): printable
/// characters as they are, the usual escapes, `\xNN` for other ASCII
/// controls, `\uNNNN` / `\UNNNNNNNN` for other non-printable characters.
/// The result never contains a line break.
pub(crate) fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{07}' => out.push_str("\\a"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{0b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if is_printable(c) => out.push(c),
            c if (c as u32) < 0x10000 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => {
                let _ = write!(out, "\\U{:08x}", c as u32);
            }
        }
    }
    out.push('"');
    out
}

/// An approximation of Go's `strconv.IsPrint` good enough for messages:
/// everything but controls, separators other than the space, format
/// characters commonly met (BOM, zero-width, bidi marks) and unassigned
/// private/surrogate-adjacent code points.
fn is_printable(c: char) -> bool {
    !(c.is_control()
        || matches!(c as u32,
            0x00a0 | 0x00ad | 0x1680 | 0x2000..=0x200f | 0x2028..=0x202f | 0x205f..=0x206f
            | 0x3000 | 0xfeff | 0xfff9..=0xfffb | 0xe000..=0xf8ff | 0xf0000..=0x10ffff))
}

#[cfg(test)]
mod tests {
    use super::go_quote;

    #[test]
    fn strings_are_quoted_as_go_does() {
        assert_eq!(go_quote("foo/"), r#""foo/""#);
        assert_eq!(go_quote("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(go_quote("l1\nl2\t\u{1}"), r#""l1\nl2\t\x01""#);
        assert_eq!(go_quote("é✓"), "\"é✓\"");
        assert_eq!(go_quote("\u{feff}"), r#""\ufeff""#);
    }
}
