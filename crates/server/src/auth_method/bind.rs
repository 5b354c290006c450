//! Binding a verified login to what its token grants: each binding rule of
//! the method whose `Selector` matches the identity contributes a service
//! identity, a node identity or a role, named by its `BindName` with
//! `${value.<claim>}` filled in (lowercased, as Consul does).

use std::collections::BTreeMap;

use consul_types::acl_auth::AclBindingRule;

use super::Identity;

/// The bind types a rule may have.
pub const BIND_TYPES: &[&str] = &["service", "node", "role"];

/// What one matching rule binds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Binding {
    /// A service identity of this name.
    Service(String),
    /// A node identity of this name (in the local datacenter).
    Node(String),
    /// The role with this name (skipped when there is none).
    Role(String),
}

/// Why a bind name could not be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BindError {
    /// A `${` without its `}`, or a variable the method does not map.
    #[error("{0}")]
    Template(String),
    /// The computed name is not a valid name for its bind type.
    #[error("computed {kind:?} bind name for bind target is invalid: {name:?}")]
    Invalid {
        /// The bind type.
        kind: String,
        /// The computed name.
        name: String,
    },
}

/// `template` with each `${var}` replaced by `vars[var]`, lowercased.
pub fn interpolate(template: &str, vars: &BTreeMap<String, String>) -> Result<String, BindError> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(i) = rest.find("${") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        let end = after
            .find('}')
            .ok_or_else(|| BindError::Template(format!("unterminated ${{ in {template:?}")))?;
        let name = after[..end].trim();
        let value = vars
            .get(name)
            .ok_or_else(|| BindError::Template(format!("unknown variable accessed: {name}")))?;
        out.push_str(&value.to_lowercase());
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

fn valid_identity_name(name: &str) -> bool {
    let b = name.as_bytes();
    let inner = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-' || *c == b'_';
    let edge = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    !b.is_empty() && b.len() <= 256 && edge(&b[0]) && edge(&b[b.len() - 1]) && b.iter().all(inner)
}

fn valid_role_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 256
        && name
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
}

/// The binding `kind`/`template` yields for `vars`.
pub fn bind_name(
    kind: &str,
    template: &str,
    vars: &BTreeMap<String, String>,
) -> Result<Binding, BindError> {
    let name = interpolate(template, vars)?;
    let (ok, b) = match kind {
        "service" => (valid_identity_name(&name), Binding::Service(name.clone())),
        "node" => (valid_identity_name(&name), Binding::Node(name.clone())),
        "role" => (valid_role_name(&name), Binding::Role(name.clone())),
        other => {
            return Err(BindError::Template(format!(
                "unknown binding rule bind type: {other}"
            )))
        }
    };
    if !ok {
        return Err(BindError::Invalid {
            kind: kind.into(),
            name,
        });
    }
    Ok(b)
}

/// Whether `rule`'s selector matches `id` (an empty selector matches all;
/// one that does not parse or evaluate matches nothing, as in Consul).
pub fn selector_matches(selector: &str, id: &Identity) -> bool {
    if selector.is_empty() {
        return true;
    }
    consul_filter::Filter::parse_with(selector, consul_filter::consul::jwt_identity())
        .and_then(|f| f.matches(&id.selectable()))
        .unwrap_or(false)
}

/// Every binding the matching `rules` give `id`.
pub fn bindings(rules: &[AclBindingRule], id: &Identity) -> Result<Vec<Binding>, BindError> {
    let vars = id.projected_vars();
    rules
        .iter()
        .filter(|r| selector_matches(&r.selector, id))
        .map(|r| bind_name(&r.bind_type, &r.bind_name, &vars))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn names_interpolate_lowercased_and_are_checked() {
        let v = vars(&[("value.name", "Web-1")]);
        assert_eq!(
            bind_name("service", "svc-${value.name}", &v),
            Ok(Binding::Service("svc-web-1".into()))
        );
        assert!(bind_name("service", "${value.nope}", &v).is_err());
        assert!(bind_name("service", "bad name", &v).is_err());
        assert_eq!(
            bind_name("role", "Ops_${value.name}", &v),
            Ok(Binding::Role("Ops_web-1".into()))
        );
        assert!(bind_name("widget", "x", &v).is_err());
    }

    #[test]
    fn selectors_pick_rules() {
        let id = Identity {
            values: BTreeMap::from([("name".into(), "web".into())]),
            lists: BTreeMap::from([("groups".into(), vec!["admins".into()])]),
        };
        let rule = |sel: &str, name: &str| AclBindingRule {
            selector: sel.into(),
            bind_type: "service".into(),
            bind_name: name.into(),
            ..Default::default()
        };
        let rules = [
            rule("", "all"),
            rule(r#"value.name == "web""#, "by-name"),
            rule(r#""admins" in list.groups"#, "admins"),
            rule(r#"value.name == "db""#, "never"),
            rule("(((", "broken"),
        ];
        let got = bindings(&rules, &id).unwrap();
        assert_eq!(
            got,
            vec![
                Binding::Service("all".into()),
                Binding::Service("by-name".into()),
                Binding::Service("admins".into()),
            ]
        );
    }
}
