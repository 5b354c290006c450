//! Rules of legacy (pre-1.4) tokens, made by `/v1/acl/create`: the same
//! language, but every resource rule is a prefix match (`key "app/"` covers
//! `app/x`), as Consul's legacy syntax reads it.

use crate::{Policy, RulesError};

/// Parse legacy rules text: [`Policy::parse`], then every exact rule moved
/// to its prefix list.
pub fn parse_legacy_rules(text: &str) -> Result<Policy, RulesError> {
    let mut p = Policy::parse(text)?;
    fn to_prefix<T>(exact: &mut Vec<T>, prefixes: &mut Vec<T>) {
        prefixes.append(exact);
    }
    to_prefix(&mut p.agents, &mut p.agent_prefixes);
    to_prefix(&mut p.events, &mut p.event_prefixes);
    to_prefix(&mut p.keys, &mut p.key_prefixes);
    to_prefix(&mut p.nodes, &mut p.node_prefixes);
    to_prefix(&mut p.queries, &mut p.query_prefixes);
    to_prefix(&mut p.services, &mut p.service_prefixes);
    to_prefix(&mut p.sessions, &mut p.session_prefixes);
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Authorize, Authorizer, StaticAuthorizer};

    #[test]
    fn legacy_rules_are_prefix_rules() {
        let p = parse_legacy_rules(
            r#"key "app/" { policy = "write" } service "web" { policy = "read" }"#,
        )
        .unwrap();
        let a = Authorizer::from_policies([&p], StaticAuthorizer::DenyAll);
        assert!(a.key_write("app/config").allowed());
        assert!(!a.key_write("other").allowed());
        assert!(a.service_read("web-frontend").allowed());
        assert!(!a.service_write("web").allowed());
        assert!(parse_legacy_rules(r#"key "a" { policy = "nope" }"#).is_err());
    }
}
