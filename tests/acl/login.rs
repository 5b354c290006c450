//! Auth methods, binding rules and JWT logins: a `jwt` method with a static
//! public key, rules binding a service identity from a claim and a role
//! from a group list, a login whose token works and logs out, and the
//! refusals (bad signature, wrong issuer, expired, nothing bound).
//!
//! `fixtures/jwt-test-key.pem` is a throwaway RSA key made for this test.

use std::time::{SystemTime, UNIX_EPOCH};

use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::{json, Value};

use super::*;

const PRIVATE_KEY: &str = include_str!("fixtures/jwt-test-key.pem");
pub(super) const PUBLIC_KEY: &str = include_str!("fixtures/jwt-test-key.pub.pem");

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

pub(super) fn jwt(claims: Value) -> String {
    let key = EncodingKey::from_rsa_pem(PRIVATE_KEY.as_bytes()).unwrap();
    encode(&Header::new(Algorithm::RS256), &claims, &key).unwrap()
}

pub(super) fn claims(service: &str, groups: &[&str]) -> Value {
    json!({"iss": "test-issuer", "aud": "consul", "sub": "u1",
           "service": service, "groups": groups,
           "iat": now(), "exp": now() + 300})
}

fn login(a: &Agent, bearer: &str, meta: Value) -> (u16, String) {
    let body = json!({"AuthMethod": "jwt", "BearerToken": bearer, "Meta": meta}).to_string();
    req(a, "POST", "/v1/acl/login", "", Some(&body))
}

#[test]
fn jwt_logins_get_what_binding_rules_bind_and_log_out() {
    let ip = reserve_ip();
    let a = acl_agent(&ip, &acl_hcl(""));
    wait_builtins(&a);
    policy(&a, "ops", r#"operator = "read""#);
    let role = json!({"Name": "ops-role", "Policies": [{"Name": "ops"}]}).to_string();
    ok_json(&a, "PUT", "/v1/acl/role", ROOT, Some(&role));

    let method = json!({
        "Name": "jwt", "Type": "jwt", "Description": "test", "MaxTokenTTL": "5m",
        "Config": {
            "JWTValidationPubKeys": [PUBLIC_KEY],
            "BoundIssuer": "test-issuer",
            "BoundAudiences": ["consul"],
            "ClaimMappings": {"service": "service"},
            "ListClaimMappings": {"groups": "groups"}
        }
    })
    .to_string();
    // Writing needs acl:write.
    assert_eq!(
        req(&a, "PUT", "/v1/acl/auth-method", "", Some(&method)).0,
        403
    );
    let m = ok_json(&a, "PUT", "/v1/acl/auth-method", ROOT, Some(&method));
    assert_eq!(m["Name"], "jwt");
    assert_eq!(m["Type"], "jwt");
    assert_eq!(m["MaxTokenTTL"], "5m0s");
    assert!(m["CreateIndex"].as_u64().unwrap() > 0);
    let list = ok_json(&a, "GET", "/v1/acl/auth-methods", ROOT, None);
    assert_eq!(list[0]["Name"], "jwt");
    assert!(list[0].get("Config").is_none(), "list shows stubs: {list}");
    let read = ok_json(&a, "GET", "/v1/acl/auth-method/jwt", ROOT, None);
    assert_eq!(read["Config"]["BoundIssuer"], "test-issuer");
    assert_eq!(
        req(&a, "GET", "/v1/acl/auth-method/nope", ROOT, None),
        (404, String::new())
    );
    for bad in [
        json!({"Name": "x", "Type": "nope"}),
        json!({"Name": "x", "Type": "jwt", "Config": {"JWTValidationPubKeys": ["not a key"]}}),
        json!({"Name": "bad name", "Type": "jwt"}),
    ] {
        let (s, b) = req(
            &a,
            "PUT",
            "/v1/acl/auth-method",
            ROOT,
            Some(&bad.to_string()),
        );
        assert_eq!(s, 500, "{bad}: {b}");
    }

    let rule = |sel: &str, kind: &str, name: &str| {
        json!({"AuthMethod": "jwt", "Selector": sel, "BindType": kind, "BindName": name})
            .to_string()
    };
    let r1 = ok_json(
        &a,
        "PUT",
        "/v1/acl/binding-rule",
        ROOT,
        Some(&rule(
            r#"value.service != """#,
            "service",
            "${value.service}",
        )),
    );
    assert!(r1["ID"].as_str().unwrap().len() == 36);
    ok_json(
        &a,
        "PUT",
        "/v1/acl/binding-rule",
        ROOT,
        Some(&rule(r#""ops" in list.groups"#, "role", "ops-role")),
    );
    let (s, b) = req(
        &a,
        "PUT",
        "/v1/acl/binding-rule",
        ROOT,
        Some(&rule("value.service ==", "service", "x")),
    );
    assert_eq!(s, 500);
    assert!(
        b.starts_with("invalid Binding Rule: Selector is invalid"),
        "{b}"
    );
    let (s, b) = req(
        &a,
        "PUT",
        "/v1/acl/binding-rule",
        ROOT,
        Some(&rule("", "service", "${value.nope}")),
    );
    assert_eq!(s, 500);
    assert!(
        b.starts_with("Invalid Binding Rule: invalid BindName"),
        "{b}"
    );
    let rules = ok_json(
        &a,
        "GET",
        "/v1/acl/binding-rules?authmethod=jwt",
        ROOT,
        None,
    );
    assert_eq!(rules.as_array().unwrap().len(), 2);

    // A good login: the service identity (lowercased) and the role.
    let (s, b) = login(&a, &jwt(claims("Web", &["ops"])), json!({"host": "h1"}));
    assert_eq!(s, 200, "{b}");
    let t: Value = serde_json::from_str(&b).unwrap();
    assert_eq!(t["AuthMethod"], "jwt");
    assert_eq!(t["Local"], true);
    assert_eq!(
        t["Description"],
        r#"token created via login: {"host":"h1"}"#
    );
    assert_eq!(t["ServiceIdentities"][0]["ServiceName"], "web");
    assert_eq!(t["Roles"][0]["Name"], "ops-role");
    assert!(
        t["ExpirationTime"].is_string(),
        "MaxTokenTTL sets an expiry: {t}"
    );
    let secret = t["SecretID"].as_str().unwrap().to_string();

    // The token grants what was bound, and nothing else.
    let web = r#"{"Name":"web","Port":80}"#;
    assert_eq!(
        req(&a, "PUT", "/v1/agent/service/register", &secret, Some(web)).0,
        200
    );
    let db = r#"{"Name":"db","Port":81}"#;
    assert_eq!(
        req(&a, "PUT", "/v1/agent/service/register", &secret, Some(db)).0,
        403
    );
    assert_eq!(
        req(&a, "GET", "/v1/operator/raft/configuration", &secret, None).0,
        200
    );
    let listed = ok_json(&a, "GET", "/v1/acl/tokens?authmethod=jwt", ROOT, None);
    assert_eq!(listed.as_array().unwrap().len(), 1);
    // A token cannot claim an auth method outside a login.
    let (s, b) = req(
        &a,
        "PUT",
        "/v1/acl/token",
        ROOT,
        Some(r#"{"AuthMethod":"jwt"}"#),
    );
    assert_eq!(
        (s, b.as_str()),
        (500, "AuthMethod field is disallowed outside of login")
    );

    // Refusals.
    let tampered = {
        let good = jwt(claims("web", &[]));
        let mut parts: Vec<&str> = good.split('.').collect();
        let other = jwt(claims("admin", &[]));
        parts[1] = other.split('.').nth(1).unwrap();
        let mut sig = parts[2].to_string();
        sig.replace_range(0..2, if sig.starts_with("AA") { "BB" } else { "AA" });
        format!("{}.{}.{}", parts[0], parts[1], sig)
    };
    let (s, b) = login(&a, &tampered, json!({}));
    assert_eq!(
        (s, b.as_str()),
        (
            500,
            "no known key successfully validated the token signature"
        )
    );
    let mut wrong_iss = claims("web", &[]);
    wrong_iss["iss"] = json!("someone-else");
    let (s, b) = login(&a, &jwt(wrong_iss), json!({}));
    assert_eq!(s, 500);
    assert!(b.contains("issuer"), "{b}");
    let mut expired = claims("web", &[]);
    expired["iat"] = json!(now() - 3600);
    expired["exp"] = json!(now() - 1800);
    let (s, b) = login(&a, &jwt(expired), json!({}));
    assert_eq!(s, 500);
    assert!(b.contains("expired"), "{b}");
    let (s, b) = login(&a, &jwt(claims("", &["dev"])), json!({}));
    assert_eq!((s, b.as_str()), (403, "Permission denied"));
    let body = json!({"AuthMethod": "nope", "BearerToken": "x"}).to_string();
    assert_eq!(req(&a, "POST", "/v1/acl/login", "", Some(&body)).0, 403);

    // Logout: only a login's token, by itself.
    assert_eq!(
        req(&a, "POST", "/v1/acl/logout", ROOT, None),
        (403, "Permission denied".to_string())
    );
    assert_eq!(
        ok_json(&a, "POST", "/v1/acl/logout", &secret, None),
        json!(true)
    );
    assert_eq!(
        req(&a, "GET", "/v1/acl/token/self", &secret, None),
        (403, "ACL not found".to_string())
    );

    // Deleting the method takes its rules and login tokens along.
    let (s, b) = login(&a, &jwt(claims("api", &[])), json!({}));
    assert_eq!(s, 200, "{b}");
    let second: Value = serde_json::from_str(&b).unwrap();
    let second = second["SecretID"].as_str().unwrap().to_string();
    assert_eq!(
        ok_json(&a, "DELETE", "/v1/acl/auth-method/jwt", ROOT, None),
        json!(true)
    );
    assert_eq!(
        ok_json(&a, "GET", "/v1/acl/binding-rules", ROOT, None),
        json!([])
    );
    assert_eq!(
        req(&a, "GET", "/v1/acl/token/self", &second, None),
        (403, "ACL not found".to_string())
    );
}
