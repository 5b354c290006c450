//! How `consul acl policy …` prints policies: Consul's aligned text or
//! Go-indented JSON.

use consul_api::acl::{AclPolicy, AclPolicyListEntry};

use crate::command::acl::shared::{go_json, hex, Format};

/// One policy as `format` prints it (`meta`: hash and indexes too); the
/// rules end the text as they are.
pub fn policy(p: &AclPolicy, format: Format, meta: bool) -> anyhow::Result<String> {
    if format == Format::Json {
        return go_json(p, "policy");
    }
    let mut b = format!("ID:           {}\nName:         {}\n", p.id, p.name);
    if !p.namespace.is_empty() {
        b.push_str(&format!("Namespace:    {}\n", p.namespace));
    }
    b.push_str(&format!("Description:  {}\n", p.description));
    b.push_str(&format!(
        "Datacenters:  {}\n",
        p.datacenters.as_deref().unwrap_or_default().join(", ")
    ));
    if meta {
        b.push_str(&meta_lines(
            "",
            p.hash.as_deref(),
            p.create_index,
            p.modify_index,
        ));
    }
    b.push_str("Rules:\n");
    b.push_str(&p.rules);
    Ok(b)
}

/// Every listed policy: its name, then its fields indented.
pub fn list(ps: &[AclPolicyListEntry], format: Format, meta: bool) -> anyhow::Result<String> {
    if format == Format::Json {
        return go_json(&ps, "policies");
    }
    let mut b = String::new();
    for p in ps {
        b.push_str(&format!("{}:\n   ID:           {}\n", p.name, p.id));
        if !p.namespace.is_empty() {
            b.push_str(&format!("   Namespace:    {}\n", p.namespace));
        }
        b.push_str(&format!("   Description:  {}\n", p.description));
        b.push_str(&format!(
            "   Datacenters:  {}\n",
            p.datacenters.as_deref().unwrap_or_default().join(", ")
        ));
        if meta {
            b.push_str(&meta_lines(
                "   ",
                p.hash.as_deref(),
                p.create_index,
                p.modify_index,
            ));
        }
    }
    Ok(b)
}

/// The `-meta` lines, indented by `pad` (shared with roles).
pub fn meta_lines(pad: &str, hash: Option<&[u8]>, create: u64, modify: u64) -> String {
    format!(
        "{pad}Hash:         {}\n{pad}Create Index: {create}\n{pad}Modify Index: {modify}\n",
        hex(hash)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pretty_policy_and_list() {
        let p = AclPolicy {
            id: "782d".into(),
            name: "kv-read".into(),
            description: "KV".into(),
            datacenters: Some(vec!["dc1".into(), "dc2".into()]),
            rules: "key_prefix \"\" { policy = \"read\" }\n".into(),
            hash: Some(vec![0xfd]),
            create_index: 16,
            modify_index: 17,
            ..Default::default()
        };
        assert_eq!(
            policy(&p, Format::Pretty, true).unwrap(),
            "ID:           782d\nName:         kv-read\nDescription:  KV\n\
             Datacenters:  dc1, dc2\nHash:         fd\nCreate Index: 16\n\
             Modify Index: 17\nRules:\nkey_prefix \"\" { policy = \"read\" }\n"
        );
        let e = AclPolicyListEntry {
            id: "1".into(),
            name: "global-management".into(),
            ..Default::default()
        };
        assert_eq!(
            list(&[e], Format::Pretty, false).unwrap(),
            "global-management:\n   ID:           1\n   Description:  \n   Datacenters:  \n"
        );
    }
}
