//! How `consul acl auth-method …` prints auth methods: Consul's aligned
//! text (the config as two-space-indented JSON) or Go-indented JSON.

use consul_api::acl::{AclAuthMethod, AclAuthMethodListEntry};
use consul_types::duration::format_go_duration;
use serde_json::Value;

use crate::command::acl::shared::{go_json, go_json_indent, Format};

/// One auth method as `format` prints it (`meta`: Raft indexes too); the
/// config ends the text.
pub fn method(m: &AclAuthMethod, format: Format, meta: bool) -> anyhow::Result<String> {
    if format == Format::Json {
        return go_json(m, "authmethod");
    }
    let mut b = format!("Name:          {}\nType:          {}\n", m.name, m.kind);
    if !m.namespace.is_empty() {
        b.push_str(&format!("Namespace:     {}\n", m.namespace));
    }
    if !m.display_name.is_empty() {
        b.push_str(&format!("DisplayName:   {}\n", m.display_name));
    }
    b.push_str(&format!("Description:   {}\n", m.description));
    if !m.max_token_ttl.is_zero() {
        b.push_str(&format!(
            "MaxTokenTTL:   {}\n",
            format_go_duration(m.max_token_ttl)
        ));
    }
    if !m.token_locality.is_empty() {
        b.push_str(&format!("TokenLocality: {}\n", m.token_locality));
    }
    if meta {
        b.push_str(&format!(
            "Create Index:  {}\nModify Index:  {}\n",
            m.create_index, m.modify_index
        ));
    }
    b.push_str("Config:\n");
    // Go prints a map's keys sorted, at every depth.
    let config = m
        .config
        .as_ref()
        .map(|c| sorted(&Value::Object(c.clone().into_iter().collect())));
    b.push_str(&go_json_indent(
        &config,
        b"  ",
        "auth method configuration",
    )?);
    Ok(b)
}

/// Every listed auth method: its name, then its fields indented.
pub fn list(ms: &[AclAuthMethodListEntry], format: Format, meta: bool) -> anyhow::Result<String> {
    if format == Format::Json {
        return go_json(&ms, "authmethods");
    }
    let mut b = String::new();
    for m in ms {
        b.push_str(&format!("{}:\n   Type:         {}\n", m.name, m.kind));
        if !m.namespace.is_empty() {
            b.push_str(&format!("   Namespace:    {}\n", m.namespace));
        }
        if !m.display_name.is_empty() {
            b.push_str(&format!("   DisplayName:  {}\n", m.display_name));
        }
        b.push_str(&format!("   Description:  {}\n", m.description));
        if meta {
            b.push_str(&format!(
                "   Create Index: {}\n   Modify Index: {}\n",
                m.create_index, m.modify_index
            ));
        }
    }
    Ok(b)
}

/// `v` with every object's keys in sorted order.
fn sorted(v: &Value) -> Value {
    match v {
        Value::Object(o) => {
            let mut keys: Vec<&String> = o.keys().collect();
            keys.sort();
            Value::Object(
                keys.into_iter()
                    .map(|k| (k.clone(), sorted(&o[k])))
                    .collect(),
            )
        }
        Value::Array(a) => Value::Array(a.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use std::time::Duration;

    fn jwt() -> AclAuthMethod {
        AclAuthMethod {
            name: "jwt".into(),
            kind: "jwt".into(),
            display_name: "JWT".into(),
            description: "test <m>".into(),
            max_token_ttl: Duration::from_secs(300),
            config: Some(BTreeMap::from([
                ("b".to_string(), serde_json::json!({"z": 1, "a": [true]})),
                ("A".to_string(), serde_json::json!("<k>")),
            ])),
            create_index: 16,
            modify_index: 17,
            ..Default::default()
        }
    }

    #[test]
    fn pretty_method_ends_with_sorted_two_space_config() {
        assert_eq!(
            method(&jwt(), Format::Pretty, true).unwrap(),
            "Name:          jwt\nType:          jwt\nDisplayName:   JWT\n\
             Description:   test <m>\nMaxTokenTTL:   5m0s\n\
             Create Index:  16\nModify Index:  17\nConfig:\n\
             {\n  \"A\": \"\\u003ck\\u003e\",\n  \"b\": {\n    \"a\": [\n      true\n    ],\n    \"z\": 1\n  }\n}"
        );
        let none = AclAuthMethod::default();
        assert!(method(&none, Format::Pretty, false)
            .unwrap()
            .ends_with("Config:\nnull"));
    }

    #[test]
    fn pretty_list_entries() {
        let e = AclAuthMethodListEntry {
            name: "jwt".into(),
            kind: "jwt".into(),
            ..Default::default()
        };
        assert_eq!(
            list(&[e], Format::Pretty, false).unwrap(),
            "jwt:\n   Type:         jwt\n   Description:  \n"
        );
    }
}
