//! The legacy ACL API (Consul ≤ 1.3's `/v1/acl/create|update|destroy|info|
//! clone|list`, served by 1.10) over the same tokens, and expiring tokens
//! vanishing on their own.

use std::time::Duration;

use serde_json::{json, Value};

use super::*;

fn legacy_id(v: &Value) -> String {
    v["ID"].as_str().expect("an ID").to_string()
}

#[test]
fn legacy_tokens_work_through_the_legacy_api_and_enforce_their_rules() {
    let ip = reserve_ip();
    let a = acl_agent(&ip, &acl_hcl(""));
    wait_builtins(&a);

    let body = json!({"Name": "legacy", "Type": "client",
        "Rules": "key \"app/\" { policy = \"write\" }"})
    .to_string();
    let s = legacy_id(&ok_json(&a, "PUT", "/v1/acl/create", ROOT, Some(&body)));
    // Legacy rules are prefix rules.
    assert_eq!(req(&a, "PUT", "/v1/kv/app/x", &s, Some("v")).0, 200);
    assert_eq!(req(&a, "PUT", "/v1/kv/other", &s, Some("v")).0, 403);

    let info = ok_json(&a, "GET", &format!("/v1/acl/info/{s}"), "", None);
    assert_eq!(info[0]["ID"], s.as_str());
    assert_eq!(info[0]["Name"], "legacy");
    assert_eq!(info[0]["Type"], "client");
    assert!(info[0]["CreateIndex"].as_u64().unwrap() > 0);
    let unknown = ok_json(&a, "GET", "/v1/acl/info/nope", "", None);
    assert_eq!(unknown, json!([]));

    // Listing needs acl:write; it shows the legacy tokens only.
    assert_eq!(req(&a, "GET", "/v1/acl/list", &s, None).0, 403);
    let list = ok_json(&a, "GET", "/v1/acl/list", ROOT, None);
    let ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["ID"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![s.as_str()]);
    // The current API sees it too, marked legacy.
    let tokens = ok_json(&a, "GET", "/v1/acl/tokens", ROOT, None);
    let stub = tokens
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["SecretID"] == s.as_str())
        .expect("legacy token listed");
    assert_eq!(stub["Legacy"], true);

    // Update replaces the rules; the token keeps its secret.
    let body =
        json!({"ID": s, "Name": "renamed", "Rules": "key \"\" { policy = \"read\" }"}).to_string();
    assert_eq!(
        legacy_id(&ok_json(&a, "PUT", "/v1/acl/update", ROOT, Some(&body))),
        s
    );
    assert_eq!(req(&a, "PUT", "/v1/kv/app/x", &s, Some("v")).0, 403);
    assert_eq!(req(&a, "GET", "/v1/kv/app/x", &s, None).0, 200);
    assert_eq!(
        req(&a, "PUT", "/v1/acl/update", ROOT, Some(r#"{"Name":"x"}"#)),
        (400, "ACL ID must be set".to_string())
    );

    // Clone: a new secret with the same rules.
    let c = legacy_id(&ok_json(
        &a,
        "PUT",
        &format!("/v1/acl/clone/{s}"),
        ROOT,
        None,
    ));
    assert_ne!(c, s);
    let info = ok_json(&a, "GET", &format!("/v1/acl/info/{c}"), "", None);
    assert_eq!(info[0]["Name"], "renamed");
    assert_eq!(req(&a, "PUT", "/v1/acl/clone/nope", ROOT, None).0, 403);

    // Destroy: gone, and no longer accepted.
    assert_eq!(
        ok_json(&a, "PUT", &format!("/v1/acl/destroy/{s}"), ROOT, None),
        json!(true)
    );
    assert_eq!(
        ok_json(&a, "GET", &format!("/v1/acl/info/{s}"), "", None),
        json!([])
    );
    assert_eq!(
        req(&a, "GET", "/v1/kv/app/x", &s, None),
        (403, "ACL not found".to_string())
    );

    // A legacy management token manages.
    let body = json!({"Name": "ops", "Type": "management"}).to_string();
    let m = legacy_id(&ok_json(&a, "PUT", "/v1/acl/create", ROOT, Some(&body)));
    assert_eq!(req(&a, "GET", "/v1/acl/list", &m, None).0, 200);

    // Errors as Consul words them.
    let (st, b) = req(
        &a,
        "PUT",
        "/v1/acl/create",
        ROOT,
        Some(r#"{"Name":"x","Type":"superuser"}"#),
    );
    assert_eq!((st, b.as_str()), (500, "Invalid ACL Type"));
    let current = token(&a, &[]);
    let body = json!({"ID": current, "Name": "x"}).to_string();
    let (st, b) = req(&a, "PUT", "/v1/acl/update", ROOT, Some(&body));
    assert_eq!(
        (st, b.as_str()),
        (
            500,
            "Cannot use legacy endpoint to modify a non-legacy token"
        )
    );
    let (st, _) = req(
        &a,
        "PUT",
        "/v1/acl/create",
        ROOT,
        Some(r#"{"Name":"x","Rules":"key \"a\" { policy = \"nope\" }"}"#),
    );
    assert_eq!(st, 500);

    // Replication status: served without a token; a single ACL table, so
    // never replicating.
    let r = ok_json(&a, "GET", "/v1/acl/replication", "", None);
    let keys: Vec<&str> = r.as_object().unwrap().keys().map(String::as_str).collect();
    for k in [
        "Enabled",
        "Running",
        "SourceDatacenter",
        "ReplicationType",
        "ReplicatedIndex",
        "ReplicatedRoleIndex",
        "ReplicatedTokenIndex",
        "LastSuccess",
        "LastError",
    ] {
        assert!(keys.contains(&k), "{k} missing from {r}");
    }
    assert_eq!(r["Enabled"], false);
    assert_eq!(r["LastSuccess"], "0001-01-01T00:00:00Z");
}

#[test]
fn expired_tokens_are_refused_then_reaped() {
    let ip = reserve_ip();
    let a = acl_agent(&ip, &acl_hcl(""));
    wait_builtins(&a);
    let body = json!({"Description": "short", "ExpirationTTL": "1m"}).to_string();
    let t = ok_json(&a, "PUT", "/v1/acl/token", ROOT, Some(&body));
    let accessor = t["AccessorID"].as_str().unwrap().to_string();
    let secret = t["SecretID"].as_str().unwrap().to_string();
    assert!(t["ExpirationTime"].is_string(), "{t}");
    assert_eq!(req(&a, "GET", "/v1/acl/token/self", &secret, None).0, 200);
    let tokens_index = |a: &Agent| -> u64 {
        let (_, h, _) = http_with_headers(
            "GET",
            &a.url("/v1/acl/tokens"),
            &[("X-Consul-Token", ROOT)],
            None,
        )
        .unwrap();
        header(&h, "X-Consul-Index").unwrap().parse().unwrap()
    };
    let created_at = tokens_index(&a);

    let gone = wait_until(Duration::from_secs(120), || {
        req(&a, "GET", &format!("/v1/acl/token/{accessor}"), ROOT, None).0 == 403
    });
    assert!(gone, "the token outlived its expiration time");
    assert_eq!(
        req(&a, "GET", "/v1/acl/token/self", &secret, None),
        (403, "ACL not found".to_string())
    );
    // No list shows it, and the leader deletes it from the state ...
    let listed = |a: &Agent| {
        ok_json(a, "GET", "/v1/acl/tokens", ROOT, None)
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["AccessorID"] == accessor.as_str())
    };
    assert!(!listed(&a));
    // ... by a write of its own (reads hide an expired token even before).
    assert!(
        wait_until(Duration::from_secs(30), || tokens_index(&a) > created_at),
        "the leader never reaped the expired token"
    );
}
