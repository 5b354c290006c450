//! What the ACL verbs share: the `-format`/`-meta` flags and printing,
//! resolving partial IDs and names, parsing identities, and loading a value
//! from `@file` or stdin — each with Consul's wording.

use std::io::Read;

use anyhow::anyhow;
use consul_api::acl::{AclNodeIdentity, AclServiceIdentity};
use consul_api::Client;
use serde::Serialize;

use crate::command::flags::{FlagSet, Kind, Parsed};
use crate::command::{http, ui};

/// The anonymous token's accessor ID.
pub const ANONYMOUS_TOKEN_ID: &str = "00000000-0000-0000-0000-000000000002";
/// The `global-management` policy's ID.
pub const GLOBAL_MANAGEMENT_ID: &str = "00000000-0000-0000-0000-000000000001";

/// How a verb prints what it got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Consul's aligned text blocks.
    Pretty,
    /// Go's `json.MarshalIndent` with four spaces.
    Json,
}

impl Format {
    /// The `-format` value; Consul's error for anything else.
    pub fn parse(p: &Parsed) -> anyhow::Result<Format> {
        match p.str("format").unwrap_or("pretty") {
            "pretty" => Ok(Format::Pretty),
            "json" => Ok(Format::Json),
            other => Err(anyhow!("Unknown format: {other}")),
        }
    }
}

/// `-format` (pretty or json).
pub fn format_flag(fs: &mut FlagSet) {
    fs.flag("format", Kind::Str, "pretty", "Output format {pretty|json}");
}

/// `-meta`, showing hashes and Raft indexes of `what` ("token", …).
pub fn meta_flag(fs: &mut FlagSet, usage: &'static str) {
    fs.flag("meta", Kind::Bool, "", usage);
}

/// The HTTP flags every ACL verb takes, plus `-namespace` (accepted and
/// ignored, as Consul OSS does).
pub fn http_flags(fs: &mut FlagSet) {
    http::client_flags(fs);
    http::server_flags(fs);
    fs.flag(
        "namespace",
        Kind::Str,
        "",
        "Specifies the namespace to query. Namespaces are a Consul Enterprise \
         feature; this build ignores the value.",
    );
}

/// Print a formatter's output as Consul's `Ui.Info` does (nothing when empty).
pub fn info(out: &str) {
    if !out.is_empty() {
        ui::out(out);
    }
}

/// `v` as Go's `json.MarshalIndent(v, "", "    ")`, including its escaping
/// of `<`, `>`, `&`, U+2028 and U+2029.
pub fn go_json<T: Serialize>(v: &T, what: &str) -> anyhow::Result<String> {
    go_json_indent(v, b"    ", what)
}

/// `v` as Go's `json.MarshalIndent(v, "", indent)` (see [`go_json`]).
pub fn go_json_indent<T: Serialize>(v: &T, indent: &[u8], what: &str) -> anyhow::Result<String> {
    let mut buf = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(indent);
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
    v.serialize(&mut ser)
        .map_err(|e| anyhow!("Failed to marshal {what}: {e}"))?;
    let s = String::from_utf8(buf).map_err(|e| anyhow!("Failed to marshal {what}: {e}"))?;
    // Outside strings JSON has none of these, so escaping everywhere is safe.
    Ok(s.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029"))
}

/// Go's `%x` of a byte slice.
pub fn hex(b: Option<&[u8]>) -> String {
    b.unwrap_or_default()
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect()
}

/// Which objects a prefix or name is resolved against.
#[derive(Debug, Clone, Copy)]
enum ObjKind {
    Token,
    Policy,
    Role,
    BindingRule,
}

impl ObjKind {
    fn word(self) -> &'static str {
        match self {
            ObjKind::Token => "token",
            ObjKind::Policy => "policy",
            ObjKind::Role => "role",
            ObjKind::BindingRule => "rule",
        }
    }
}

async fn ids(
    client: &Client,
    kind: ObjKind,
) -> Result<Vec<(String, String)>, consul_api::ApiError> {
    let q = Default::default();
    let acl = client.acl();
    Ok(match kind {
        ObjKind::Token => acl
            .token_list(&q)
            .await?
            .0
            .into_iter()
            .map(|t| (t.accessor_id, t.description))
            .collect(),
        ObjKind::Policy => acl
            .policy_list(&q)
            .await?
            .0
            .into_iter()
            .map(|p| (p.id, p.name))
            .collect(),
        ObjKind::Role => acl
            .role_list(&q)
            .await?
            .0
            .into_iter()
            .map(|r| (r.id, r.name))
            .collect(),
        ObjKind::BindingRule => acl
            .binding_rule_list("", &q)
            .await?
            .0
            .into_iter()
            .map(|r| (r.id, r.description))
            .collect(),
    })
}

async fn from_partial(client: &Client, kind: ObjKind, partial: &str) -> anyhow::Result<String> {
    // A full UUID is taken as it is (Consul checks only the length).
    if partial.len() == 36 {
        return Ok(partial.to_string());
    }
    let mut found: Option<String> = None;
    for (id, _) in ids(client, kind).await? {
        if id.starts_with(partial) {
            if found.is_some() {
                let w = kind.word();
                return Err(anyhow!("Partial {w} ID is not unique"));
            }
            found = Some(id);
        }
    }
    found.ok_or_else(|| anyhow!("No such {} ID with prefix: {partial}", kind.word()))
}

async fn by_name(client: &Client, kind: ObjKind, name: &str) -> anyhow::Result<String> {
    if name.is_empty() {
        return Err(anyhow!("No name specified"));
    }
    ids(client, kind)
        .await?
        .into_iter()
        .find(|(_, n)| n == name)
        .map(|(id, _)| id)
        .ok_or_else(|| anyhow!("No such {} with name {name}", kind.word()))
}

/// A token's accessor from a unique prefix (`anonymous` names the anonymous token).
pub async fn token_id_from_partial(client: &Client, partial: &str) -> anyhow::Result<String> {
    if partial == "anonymous" {
        return Ok(ANONYMOUS_TOKEN_ID.to_string());
    }
    from_partial(client, ObjKind::Token, partial).await
}

/// A policy's ID from a unique prefix (`global-management` names the builtin).
pub async fn policy_id_from_partial(client: &Client, partial: &str) -> anyhow::Result<String> {
    if partial == "global-management" {
        return Ok(GLOBAL_MANAGEMENT_ID.to_string());
    }
    from_partial(client, ObjKind::Policy, partial).await
}

/// A policy's ID from its exact name.
pub async fn policy_id_by_name(client: &Client, name: &str) -> anyhow::Result<String> {
    by_name(client, ObjKind::Policy, name).await
}

/// A role's ID from a unique prefix.
pub async fn role_id_from_partial(client: &Client, partial: &str) -> anyhow::Result<String> {
    from_partial(client, ObjKind::Role, partial).await
}

/// A role's ID from its exact name.
pub async fn role_id_by_name(client: &Client, name: &str) -> anyhow::Result<String> {
    by_name(client, ObjKind::Role, name).await
}

/// A binding rule's ID from a unique prefix.
pub async fn binding_rule_id_from_partial(
    client: &Client,
    partial: &str,
) -> anyhow::Result<String> {
    from_partial(client, ObjKind::BindingRule, partial).await
}

/// A duration flag's value as Go's `flag.Duration` reads it (absent or
/// empty: zero), with Go's message for a bad one.
pub fn duration_flag(p: &Parsed, name: &str) -> anyhow::Result<std::time::Duration> {
    match p.str(name).filter(|s| !s.is_empty()) {
        None => Ok(std::time::Duration::ZERO),
        Some(s) => consul_types::duration::parse_go_duration(s)
            .map_err(|_| anyhow!("invalid value {s:?} for flag -{name}: parse error")),
    }
}

/// `-service-identity` values: `NAME` or `NAME:DC1,DC2`.
pub fn service_identities(raw: &[String]) -> anyhow::Result<Vec<AclServiceIdentity>> {
    raw.iter()
        .map(|s| {
            let parts: Vec<&str> = s.split(':').collect();
            match parts.as_slice() {
                [name] => Ok(AclServiceIdentity {
                    service_name: name.to_string(),
                    datacenters: None,
                }),
                [name, dcs] => Ok(AclServiceIdentity {
                    service_name: name.to_string(),
                    datacenters: Some(dcs.split(',').map(str::to_string).collect()),
                }),
                _ => Err(anyhow!("Malformed -service-identity argument: {s:?}")),
            }
        })
        .collect()
}

/// `-node-identity` values: `NODE:DC`.
pub fn node_identities(raw: &[String]) -> anyhow::Result<Vec<AclNodeIdentity>> {
    raw.iter()
        .map(|s| {
            let parts: Vec<&str> = s.split(':').collect();
            match parts.as_slice() {
                [node, dc] => Ok(AclNodeIdentity {
                    node_name: node.to_string(),
                    datacenter: dc.to_string(),
                }),
                _ => Err(anyhow!("Malformed -node-identity argument: {s:?}")),
            }
        })
        .collect()
}

/// Consul's `LoadDataSource`: "" stays empty, `@path` is the file's text,
/// `-` is stdin, anything else is the value itself.
pub fn load_data_source(data: &str) -> anyhow::Result<String> {
    if let Some(path) = data.strip_prefix('@') {
        return std::fs::read_to_string(path)
            .map_err(|e| anyhow!("Failed to read file: {}", http::go_open_error(path, &e)));
    }
    if data == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| anyhow!("Failed to read stdin: {e}"))?;
        return Ok(s);
    }
    Ok(data.to_string())
}

/// `None` when the list is empty (Go's nil slice), else the list.
pub fn non_empty<T>(v: Vec<T>) -> Option<Vec<T>> {
    (!v.is_empty()).then_some(v)
}

/// Pretty lines for service identities, indented by `pad`.
pub fn service_identity_lines(ids: &[AclServiceIdentity], pad: &str) -> String {
    let mut out = String::new();
    for s in ids {
        let dcs = match s.datacenters.as_deref() {
            Some(d) if !d.is_empty() => d.join(", "),
            _ => "all".to_string(),
        };
        out.push_str(&format!("{pad}{} (Datacenters: {dcs})\n", s.service_name));
    }
    out
}

/// Pretty lines for node identities, indented by `pad`.
pub fn node_identity_lines(ids: &[AclNodeIdentity], pad: &str) -> String {
    ids.iter()
        .map(|n| format!("{pad}{} (Datacenter: {})\n", n.node_name, n.datacenter))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn identities_parse_as_consul() {
        let s = service_identities(&v(&["web", "db:east,west"])).unwrap();
        assert_eq!(s[0].datacenters, None);
        assert_eq!(
            s[1].datacenters.as_deref(),
            Some(&["east".to_string(), "west".to_string()][..])
        );
        assert_eq!(
            service_identities(&v(&["a:b:c"])).unwrap_err().to_string(),
            "Malformed -service-identity argument: \"a:b:c\""
        );
        assert_eq!(
            node_identities(&v(&["n1"])).unwrap_err().to_string(),
            "Malformed -node-identity argument: \"n1\""
        );
    }

    #[test]
    fn json_escapes_like_go() {
        let s = go_json(&serde_json::json!({"a": "<&>"}), "x").unwrap();
        assert_eq!(s, "{\n    \"a\": \"\\u003c\\u0026\\u003e\"\n}");
    }

    #[test]
    fn data_source_forms() {
        assert_eq!(load_data_source("").unwrap(), "");
        assert_eq!(load_data_source("-x").unwrap(), "-x");
        assert_eq!(
            load_data_source("@/nonexistent/r.hcl")
                .unwrap_err()
                .to_string(),
            "Failed to read file: open /nonexistent/r.hcl: no such file or directory"
        );
    }
}
