//! What a token grants, compiled: its policies, its roles' policies and the
//! synthetic policies of every service and node identity it or its roles
//! carry, merged into one [`Authorizer`] with the default policy behind it.
//! The server calls it with rows from its state, a client agent with the
//! rows a server sent it; both get the same answer.

use consul_types::acl::{AclPolicy, AclRole, AclToken};

use crate::{identity_policies, Authorizer, Policy, StaticAuthorizer};

/// Compile `token`'s grants in datacenter `dc`. `roles` and `policies` are
/// the rows its links name (others are ignored; missing ones grant nothing);
/// a policy limited to other datacenters, or whose rules no longer parse,
/// grants nothing.
pub fn token_authorizer(
    token: &AclToken,
    roles: &[AclRole],
    policies: &[AclPolicy],
    dc: &str,
    default: StaticAuthorizer,
) -> Authorizer {
    let linked_roles: Vec<&AclRole> = token
        .roles
        .iter()
        .filter_map(|l| roles.iter().find(|r| r.id == l.id))
        .collect();
    let mut ids: Vec<&str> = token.policies.iter().map(|l| l.id.as_str()).collect();
    ids.extend(
        linked_roles
            .iter()
            .flat_map(|r| r.policies.iter().map(|l| l.id.as_str())),
    );
    ids.sort_unstable();
    ids.dedup();
    let mut parsed: Vec<Policy> = ids
        .iter()
        .filter_map(|id| policies.iter().find(|p| p.id == *id))
        .filter(|p| p.applies_in(dc))
        .filter_map(|p| Policy::parse(&p.rules).ok())
        .collect();
    let mut services = token.service_identities.clone();
    let mut nodes = token.node_identities.clone();
    for r in &linked_roles {
        services.extend(r.service_identities.iter().cloned());
        nodes.extend(r.node_identities.iter().cloned());
    }
    parsed.extend(identity_policies(&services, &nodes, dc));
    if token.legacy_type == "management" {
        parsed.push(crate::builtin::global_management_policy());
    } else if let Ok(p) = crate::legacy::parse_legacy_rules(&token.rules) {
        parsed.push(p);
    }
    Authorizer::from_policies(parsed.iter(), default)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Authorize;
    use consul_types::acl::{Link, ServiceIdentity};

    fn link(id: &str) -> Link {
        Link {
            id: id.into(),
            name: String::new(),
        }
    }

    fn policy(id: &str, rules: &str, dcs: &[&str]) -> AclPolicy {
        AclPolicy {
            id: id.into(),
            name: id.into(),
            rules: rules.into(),
            datacenters: dcs.iter().map(|d| d.to_string()).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn policies_roles_and_identities_all_grant() {
        let policies = [
            policy("p1", r#"key_prefix "app/" { policy = "write" }"#, &[]),
            policy("p2", r#"operator = "read""#, &[]),
            policy("p3", r#"node_prefix "" { policy = "write" }"#, &["dc2"]),
        ];
        let roles = [AclRole {
            id: "r1".into(),
            policies: vec![link("p2")],
            service_identities: vec![ServiceIdentity {
                service_name: "web".into(),
                datacenters: vec![],
            }],
            ..Default::default()
        }];
        let token = AclToken {
            policies: vec![link("p1"), link("p3"), link("missing")],
            roles: vec![link("r1")],
            ..Default::default()
        };
        let a = token_authorizer(&token, &roles, &policies, "dc1", StaticAuthorizer::DenyAll);
        assert!(a.key_write("app/x").allowed());
        assert!(!a.key_read("other").allowed());
        assert!(a.operator_read().allowed() && !a.operator_write().allowed());
        assert!(
            a.service_write("web").allowed(),
            "the role's service identity"
        );
        assert!(!a.node_write("n1").allowed(), "p3 applies in dc2 only");
        let in_dc2 = token_authorizer(&token, &roles, &policies, "dc2", StaticAuthorizer::DenyAll);
        assert!(in_dc2.node_write("n1").allowed());
    }

    #[test]
    fn an_empty_token_gets_the_default() {
        let t = AclToken::default();
        assert!(
            token_authorizer(&t, &[], &[], "dc1", StaticAuthorizer::AllowAll)
                .key_read("k")
                .allowed()
        );
        assert!(
            !token_authorizer(&t, &[], &[], "dc1", StaticAuthorizer::DenyAll)
                .key_read("k")
                .allowed()
        );
    }
}
