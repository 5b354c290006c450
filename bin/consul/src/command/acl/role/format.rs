//! How `consul acl role …` prints roles: Consul's aligned text or
//! Go-indented JSON.

use consul_api::acl::AclRole;

use crate::command::acl::policy::format::meta_lines;
use crate::command::acl::shared::{go_json, node_identity_lines, service_identity_lines, Format};

/// One role as `format` prints it (`meta`: hash and indexes too).
pub fn role(r: &AclRole, format: Format, meta: bool) -> anyhow::Result<String> {
    if format == Format::Json {
        return go_json(r, "role");
    }
    Ok(block(r, meta, ""))
}

/// Every role: its name, then its fields indented.
pub fn list(rs: &[AclRole], format: Format, meta: bool) -> anyhow::Result<String> {
    if format == Format::Json {
        return go_json(&rs, "roles");
    }
    Ok(rs
        .iter()
        .map(|r| format!("{}:\n{}", r.name, block(r, meta, "   ")))
        .collect())
}

/// The fields of one role, each line indented by `pad`; a list entry
/// leaves the name to its heading line.
fn block(r: &AclRole, meta: bool, pad: &str) -> String {
    let mut b = format!("{pad}ID:           {}\n", r.id);
    if pad.is_empty() {
        b.push_str(&format!("Name:         {}\n", r.name));
    }
    if !r.namespace.is_empty() {
        b.push_str(&format!("{pad}Namespace:    {}\n", r.namespace));
    }
    b.push_str(&format!("{pad}Description:  {}\n", r.description));
    if meta {
        b.push_str(&meta_lines(
            pad,
            r.hash.as_deref(),
            r.create_index,
            r.modify_index,
        ));
    }
    let inner = format!("{pad}   ");
    if let Some(ps) = r.policies.as_deref().filter(|p| !p.is_empty()) {
        b.push_str(&format!("{pad}Policies:\n"));
        for l in ps {
            b.push_str(&format!("{inner}{} - {}\n", l.id, l.name));
        }
    }
    if let Some(s) = r.service_identities.as_deref().filter(|s| !s.is_empty()) {
        b.push_str(&format!("{pad}Service Identities:\n"));
        b.push_str(&service_identity_lines(s, &inner));
    }
    if let Some(n) = r.node_identities.as_deref().filter(|n| !n.is_empty()) {
        b.push_str(&format!("{pad}Node Identities:\n"));
        b.push_str(&node_identity_lines(n, &inner));
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;
    use consul_api::acl::{AclLink, AclNodeIdentity, AclServiceIdentity};

    fn ops() -> AclRole {
        AclRole {
            id: "2d12".into(),
            name: "ops".into(),
            description: "Ops role".into(),
            policies: Some(vec![AclLink {
                id: "841a".into(),
                name: "p1".into(),
            }]),
            service_identities: Some(vec![AclServiceIdentity {
                service_name: "web".into(),
                datacenters: None,
            }]),
            node_identities: Some(vec![AclNodeIdentity {
                node_name: "n1".into(),
                datacenter: "dc1".into(),
            }]),
            ..Default::default()
        }
    }

    #[test]
    fn pretty_role() {
        assert_eq!(
            role(&ops(), Format::Pretty, false).unwrap(),
            "ID:           2d12\nName:         ops\nDescription:  Ops role\n\
             Policies:\n   841a - p1\nService Identities:\n   web (Datacenters: all)\n\
             Node Identities:\n   n1 (Datacenter: dc1)\n"
        );
    }

    #[test]
    fn pretty_role_list() {
        assert_eq!(
            list(&[ops()], Format::Pretty, false).unwrap(),
            "ops:\n   ID:           2d12\n   Description:  Ops role\n   Policies:\n\
             \x20     841a - p1\n   Service Identities:\n      web (Datacenters: all)\n\
             \x20  Node Identities:\n      n1 (Datacenter: dc1)\n"
        );
    }
}
