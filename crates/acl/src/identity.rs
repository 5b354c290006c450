//! Service and node identities: the grants a token or role names by
//! service or node, expanded into the policies Consul 1.10 synthesises for
//! them (`ACLServiceIdentity.SyntheticPolicy`, `ACLNodeIdentity.SyntheticPolicy`).
//!
//! - service identity `web`: `service "web"` and `service "web-sidecar-proxy"`
//!   write, `service_prefix ""` and `node_prefix ""` read; valid in its
//!   `Datacenters`, or everywhere when that list is empty;
//! - node identity `n1` in `dc1`: `node "n1"` write, `service_prefix ""`
//!   read; valid in its datacenter only.

use crate::rules::{Policy, Rule, ServiceRule};
use crate::Access;

pub use consul_types::acl::{NodeIdentity, ServiceIdentity};

/// The policy Consul synthesises for an identity (`SyntheticPolicy`).
pub trait SyntheticPolicy {
    /// The synthetic policy's rules text, as Consul writes it.
    fn rules(&self) -> String;
    /// The synthetic policy, typed (what [`SyntheticPolicy::rules`] parses to).
    fn policy(&self) -> Policy;
}

fn rule(segment: &str, access: Access) -> Rule {
    Rule::new(segment, access)
}

fn service(segment: &str, access: Access) -> ServiceRule {
    ServiceRule::new(segment, access, None)
}

impl SyntheticPolicy for ServiceIdentity {
    fn rules(&self) -> String {
        let n = &self.service_name;
        format!(
            "\nservice \"{n}\" {{\n\tpolicy = \"write\"\n}}\nservice \"{n}-sidecar-proxy\" {{\n\tpolicy = \"write\"\n}}\nservice_prefix \"\" {{\n\tpolicy = \"read\"\n}}\nnode_prefix \"\" {{\n\tpolicy = \"read\"\n}}"
        )
    }

    fn policy(&self) -> Policy {
        let n = &self.service_name;
        Policy {
            services: vec![
                service(n, Access::Write),
                service(&format!("{n}-sidecar-proxy"), Access::Write),
            ],
            service_prefixes: vec![service("", Access::Read)],
            node_prefixes: vec![rule("", Access::Read)],
            ..Policy::default()
        }
    }
}

impl SyntheticPolicy for NodeIdentity {
    fn rules(&self) -> String {
        format!(
            "\nnode \"{}\" {{\n\tpolicy = \"write\"\n}}\nservice_prefix \"\" {{\n\tpolicy = \"read\"\n}}",
            self.node_name
        )
    }

    fn policy(&self) -> Policy {
        Policy {
            nodes: vec![rule(&self.node_name, Access::Write)],
            service_prefixes: vec![service("", Access::Read)],
            ..Policy::default()
        }
    }
}

/// The policies a token's identities (its own and its roles', duplicates
/// allowed) contribute in datacenter `local_dc`, one per distinct identity
/// that applies there. Merge them with the token's other policies.
pub fn identity_policies(
    services: &[ServiceIdentity],
    nodes: &[NodeIdentity],
    local_dc: &str,
) -> Vec<Policy> {
    let mut service_names: Vec<&str> = services
        .iter()
        .filter(|s| s.applies_in(local_dc))
        .map(|s| s.service_name.as_str())
        .collect();
    service_names.sort_unstable();
    service_names.dedup();
    let mut node_names: Vec<&str> = nodes
        .iter()
        .filter(|n| n.applies_in(local_dc))
        .map(|n| n.node_name.as_str())
        .collect();
    node_names.sort_unstable();
    node_names.dedup();

    let services = service_names.into_iter().map(|name| {
        ServiceIdentity {
            service_name: name.to_string(),
            datacenters: Vec::new(),
        }
        .policy()
    });
    let nodes = node_names.into_iter().map(|name| {
        NodeIdentity {
            node_name: name.to_string(),
            datacenter: local_dc.to_string(),
        }
        .policy()
    });
    services.chain(nodes).collect()
}

/// The ID Consul gives a synthetic policy with rules `rules`: the hex of the
/// rules' bytes followed by the hex of an empty FNV-1a 128 hash (Go's
/// `hasher.Sum(rules)` appends the hash of nothing to its argument). Its
/// name is `synthetic-policy-<id>`.
pub fn synthetic_policy_id(rules: &str) -> String {
    const FNV128A_EMPTY: &str = "6c62272e07bb014262b821756295c58d";
    let mut id: String = rules.bytes().map(|b| format!("{b:02x}")).collect();
    id.push_str(FNV128A_EMPTY);
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rules_text_parses_to_the_typed_policy() {
        let s = ServiceIdentity {
            service_name: "web".into(),
            datacenters: vec![],
        };
        assert_eq!(Policy::parse(&s.rules()).unwrap(), s.policy());
        let n = NodeIdentity {
            node_name: "n1".into(),
            datacenter: "dc1".into(),
        };
        assert_eq!(Policy::parse(&n.rules()).unwrap(), n.policy());
    }

    #[test]
    fn identities_json_is_consuls() {
        let s: ServiceIdentity =
            serde_json::from_str(r#"{"ServiceName":"web","Datacenters":["dc1"]}"#).unwrap();
        assert_eq!(s.datacenters, vec!["dc1"]);
        assert_eq!(
            serde_json::to_string(&ServiceIdentity {
                service_name: "a".into(),
                datacenters: vec![]
            })
            .unwrap(),
            r#"{"ServiceName":"a"}"#
        );
        let n: NodeIdentity =
            serde_json::from_str(r#"{"NodeName":"n","Datacenter":"dc2"}"#).unwrap();
        assert_eq!(n.datacenter, "dc2");
    }

    #[test]
    fn synthetic_ids_append_the_empty_fnv_hash() {
        assert_eq!(
            synthetic_policy_id("ab"),
            "61626c62272e07bb014262b821756295c58d"
        );
    }
}
