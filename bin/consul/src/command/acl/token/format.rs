//! How `consul acl token …` prints tokens: Consul's aligned text blocks
//! (`AccessorID:       …`) or Go-indented JSON.

use consul_api::acl::{
    go_time_string, AclLink, AclNodeIdentity, AclServiceIdentity, AclToken, AclTokenListEntry,
};
use consul_types::timestamp::Timestamp;

use crate::command::acl::shared::{
    go_json, hex, node_identity_lines, service_identity_lines, Format,
};

/// One token as `format` prints it (`meta`: hash and indexes too).
pub fn token(t: &AclToken, format: Format, meta: bool) -> anyhow::Result<String> {
    if format == Format::Json {
        return go_json(t, "token");
    }
    let mut b = head(&t.accessor_id, &t.secret_id, &t.namespace, &t.description);
    local_and_times(
        &mut b,
        t.local,
        &t.auth_method,
        t.create_time,
        t.expiration_time,
    );
    if meta {
        b.push_str(&meta_lines(
            t.hash.as_deref(),
            t.create_index,
            t.modify_index,
        ));
    }
    links(&mut b, t.policies.as_deref(), t.roles.as_deref());
    identities(
        &mut b,
        t.service_identities.as_deref(),
        t.node_identities.as_deref(),
    );
    if !t.rules.is_empty() {
        b.push_str("Rules:\n");
        b.push_str(&t.rules);
        b.push('\n');
    }
    Ok(b)
}

/// Every listed token, blocks separated by a blank line.
pub fn list(ts: &[AclTokenListEntry], format: Format, meta: bool) -> anyhow::Result<String> {
    if format == Format::Json {
        return go_json(&ts, "tokens");
    }
    let blocks: Vec<String> = ts.iter().map(|t| entry(t, meta)).collect();
    Ok(blocks.join("\n"))
}

fn entry(t: &AclTokenListEntry, meta: bool) -> String {
    let mut b = head(&t.accessor_id, &t.secret_id, &t.namespace, &t.description);
    local_and_times(
        &mut b,
        t.local,
        &t.auth_method,
        t.create_time,
        t.expiration_time,
    );
    b.push_str(&format!("Legacy:           {}\n", t.legacy));
    if meta {
        b.push_str(&meta_lines(
            t.hash.as_deref(),
            t.create_index,
            t.modify_index,
        ));
    }
    links(&mut b, t.policies.as_deref(), t.roles.as_deref());
    identities(
        &mut b,
        t.service_identities.as_deref(),
        t.node_identities.as_deref(),
    );
    b
}

fn head(accessor: &str, secret: &str, namespace: &str, description: &str) -> String {
    let mut b = format!("AccessorID:       {accessor}\nSecretID:         {secret}\n");
    if !namespace.is_empty() {
        b.push_str(&format!("Namespace:        {namespace}\n"));
    }
    b.push_str(&format!("Description:      {description}\n"));
    b
}

fn local_and_times(
    b: &mut String,
    local: bool,
    auth_method: &str,
    created: Option<Timestamp>,
    expires: Option<Timestamp>,
) {
    b.push_str(&format!("Local:            {local}\n"));
    if !auth_method.is_empty() {
        b.push_str(&format!("Auth Method:      {auth_method}\n"));
    }
    b.push_str(&format!("Create Time:      {}\n", go_time_string(created)));
    if let Some(e) = expires {
        b.push_str(&format!("Expiration Time:  {}\n", go_time_string(Some(e))));
    }
}

fn meta_lines(hash: Option<&[u8]>, create: u64, modify: u64) -> String {
    format!(
        "Hash:             {}\nCreate Index:     {create}\nModify Index:     {modify}\n",
        hex(hash)
    )
}

fn links(b: &mut String, policies: Option<&[AclLink]>, roles: Option<&[AclLink]>) {
    for (title, list) in [("Policies", policies), ("Roles", roles)] {
        if let Some(l) = list.filter(|l| !l.is_empty()) {
            b.push_str(&format!("{title}:\n"));
            for x in l {
                b.push_str(&format!("   {} - {}\n", x.id, x.name));
            }
        }
    }
}

fn identities(
    b: &mut String,
    services: Option<&[AclServiceIdentity]>,
    nodes: Option<&[AclNodeIdentity]>,
) {
    if let Some(s) = services.filter(|s| !s.is_empty()) {
        b.push_str("Service Identities:\n");
        b.push_str(&service_identity_lines(s, "   "));
    }
    if let Some(n) = nodes.filter(|n| !n.is_empty()) {
        b.push_str("Node Identities:\n");
        b.push_str(&node_identity_lines(n, "   "));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pretty_token_as_consul_prints_it() {
        let t = AclToken {
            accessor_id: "fc3f8699-798f-ffed-bb32-563bf2f885e4".into(),
            secret_id: "92081dca-5daf-7f54-f40a-d2e1c9518707".into(),
            description: "reader".into(),
            create_time: Timestamp::parse_rfc3339("2026-12-04T18:04:44.518930352Z").ok(),
            policies: Some(vec![AclLink {
                id: "782d663c-6680-7bb6-25cf-62d6f5a45880".into(),
                name: "kv-read".into(),
            }]),
            service_identities: Some(vec![AclServiceIdentity {
                service_name: "web".into(),
                datacenters: Some(vec!["dc1".into(), "dc2".into()]),
            }]),
            ..Default::default()
        };
        assert_eq!(
            token(&t, Format::Pretty, false).unwrap(),
            "AccessorID:       fc3f8699-798f-ffed-bb32-563bf2f885e4\n\
             SecretID:         92081dca-5daf-7f54-f40a-d2e1c9518707\n\
             Description:      reader\n\
             Local:            false\n\
             Create Time:      2026-12-04 18:04:44.518930352 +0000 UTC\n\
             Policies:\n   782d663c-6680-7bb6-25cf-62d6f5a45880 - kv-read\n\
             Service Identities:\n   web (Datacenters: dc1, dc2)\n"
        );
    }

    #[test]
    fn list_entries_show_legacy_and_meta() {
        let t = AclTokenListEntry {
            accessor_id: "a".into(),
            secret_id: "s".into(),
            hash: Some(vec![0xab, 0x01]),
            create_index: 5,
            modify_index: 6,
            ..Default::default()
        };
        let out = list(&[t.clone(), t], Format::Pretty, true).unwrap();
        let block = "AccessorID:       a\nSecretID:         s\nDescription:      \n\
                     Local:            false\n\
                     Create Time:      0001-01-01 00:00:00 +0000 UTC\n\
                     Legacy:           false\nHash:             ab01\n\
                     Create Index:     5\nModify Index:     6\n";
        assert_eq!(out, format!("{block}\n{block}"));
    }
}
