//! How `consul acl binding-rule …` prints binding rules: Consul's aligned
//! text or Go-indented JSON.

use consul_api::acl::AclBindingRule;

use crate::command::acl::shared::{go_json, Format};

/// One rule as `format` prints it (`meta`: Raft indexes too).
pub fn rule(r: &AclBindingRule, format: Format, meta: bool) -> anyhow::Result<String> {
    if format == Format::Json {
        return go_json(r, "binding rule");
    }
    Ok(format!("ID:           {}\n{}", r.id, block(r, meta, "")))
}

/// Every rule: its ID, then its fields indented.
pub fn list(rs: &[AclBindingRule], format: Format, meta: bool) -> anyhow::Result<String> {
    if format == Format::Json {
        return go_json(&rs, "binding rules");
    }
    Ok(rs
        .iter()
        .map(|r| format!("{}:\n{}", r.id, block(r, meta, "   ")))
        .collect())
}

/// The fields after the ID, each line indented by `pad`.
fn block(r: &AclBindingRule, meta: bool, pad: &str) -> String {
    let mut b = String::new();
    if !r.namespace.is_empty() {
        b.push_str(&format!("{pad}Namespace:    {}\n", r.namespace));
    }
    for (label, v) in [
        ("AuthMethod:   ", &r.auth_method),
        ("Description:  ", &r.description),
        ("BindType:     ", &r.bind_type),
        ("BindName:     ", &r.bind_name),
        ("Selector:     ", &r.selector),
    ] {
        b.push_str(&format!("{pad}{label}{v}\n"));
    }
    if meta {
        b.push_str(&format!(
            "{pad}Create Index: {}\n{pad}Modify Index: {}\n",
            r.create_index, r.modify_index
        ));
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r() -> AclBindingRule {
        AclBindingRule {
            id: "18c0".into(),
            auth_method: "jwt".into(),
            description: "svc".into(),
            bind_type: "service".into(),
            bind_name: "${value.service}".into(),
            selector: "value.service != \"\"".into(),
            create_index: 3,
            modify_index: 4,
            ..Default::default()
        }
    }

    #[test]
    fn pretty_rule() {
        assert_eq!(
            rule(&r(), Format::Pretty, true).unwrap(),
            "ID:           18c0\nAuthMethod:   jwt\nDescription:  svc\nBindType:     service\n\
             BindName:     ${value.service}\nSelector:     value.service != \"\"\n\
             Create Index: 3\nModify Index: 4\n"
        );
    }

    #[test]
    fn pretty_list() {
        assert_eq!(
            list(&[r()], Format::Pretty, false).unwrap(),
            "18c0:\n   AuthMethod:   jwt\n   Description:  svc\n   BindType:     service\n\
             \x20  BindName:     ${value.service}\n   Selector:     value.service != \"\"\n"
        );
    }
}
