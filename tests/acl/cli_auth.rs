//! `consul acl auth-method`, `consul acl binding-rule`, `consul login` and
//! `consul logout` against a real agent: a jwt method made from a config
//! file, read, listed, updated and deleted; a binding rule managed by ID
//! prefix; a login whose sink file holds a working token; a logout that
//! destroys it — with the layouts and messages Consul 1.10 prints.

use std::os::unix::fs::PermissionsExt;

use serde_json::{json, Value};

use super::cli::{cli, fails, field, ok, write};
use super::login::{claims, jwt, PUBLIC_KEY};
use super::*;

#[test]
fn auth_methods_binding_rules_login_and_logout() {
    let ip = reserve_ip();
    let a = acl_agent(&ip, &acl_hcl(""));
    wait_builtins(&a);
    let dir = tempfile::tempdir().unwrap();
    let env: &[(&str, &str)] = &[("CONSUL_HTTP_TOKEN", ROOT)];

    // An auth method from a config file.
    let config = json!({
        "JWTValidationPubKeys": [PUBLIC_KEY],
        "BoundIssuer": "test-issuer",
        "BoundAudiences": ["consul"],
        "ClaimMappings": {"service": "service"},
    });
    let cf = write(dir.path(), "jwt.json", &config.to_string());
    let created = ok(
        &a,
        &[
            "acl",
            "auth-method",
            "create",
            "-type",
            "jwt",
            "-name",
            "jwt",
            "-display-name",
            "JWT",
            "-description",
            "test method",
            "-max-token-ttl",
            "5m",
            "-token-locality",
            "local",
            "-config",
            &format!("@{cf}"),
        ],
        env,
    );
    assert!(
        created.starts_with(
            "Name:          jwt\nType:          jwt\nDisplayName:   JWT\n\
             Description:   test method\nMaxTokenTTL:   5m0s\nTokenLocality: local\n\
             Config:\n{\n  \"BoundAudiences\": [\n    \"consul\"\n  ],\n  \"BoundIssuer\": \"test-issuer\",\n"
        ),
        "{created}"
    );
    assert!(created.ends_with("\n}\n"), "{created:?}");
    let o = cli(&a, &["acl", "auth-method", "create", "-name", "x"], env);
    assert_eq!(o.code, 1);
    assert!(
        o.err()
            .starts_with("Missing required '-type' flag\nUsage: "),
        "{}",
        o.err()
    );
    fails(
        &cli(
            &a,
            &[
                "acl",
                "auth-method",
                "create",
                "-name",
                "x",
                "-type",
                "jwt",
                "-max-token-ttl",
                "soon",
            ],
            env,
        ),
        "invalid value \"soon\" for flag -max-token-ttl: parse error",
    );

    let read: Value = serde_json::from_str(&ok(
        &a,
        &[
            "acl",
            "auth-method",
            "read",
            "-name",
            "jwt",
            "-format",
            "json",
        ],
        env,
    ))
    .unwrap();
    assert_eq!(read["MaxTokenTTL"], "5m0s");
    assert_eq!(read["Config"]["BoundIssuer"], "test-issuer");
    assert!(read["CreateIndex"].as_u64().unwrap() > 0);
    fails(
        &cli(&a, &["acl", "auth-method", "read", "-name", "nope"], env),
        "Auth method not found with name \"nope\"",
    );
    fails(
        &cli(&a, &["acl", "auth-method", "read"], env),
        "Must specify the -name parameter",
    );
    assert_eq!(
        ok(&a, &["acl", "auth-method", "list"], env),
        "jwt:\n   Type:         jwt\n   DisplayName:  JWT\n   Description:  test method\n\n"
    );

    // Update merges: the config and TTL stay; a bad config is refused.
    let upd = ok(
        &a,
        &[
            "acl",
            "auth-method",
            "update",
            "-name",
            "jwt",
            "-description",
            "updated",
        ],
        env,
    );
    assert_eq!(field(&upd, "Description"), "updated");
    assert_eq!(field(&upd, "MaxTokenTTL"), "5m0s");
    assert!(upd.contains("\"BoundIssuer\": \"test-issuer\""), "{upd}");
    let o = cli(
        &a,
        &[
            "acl",
            "auth-method",
            "update",
            "-name",
            "jwt",
            "-config",
            "[1]",
        ],
        env,
    );
    assert_eq!(o.code, 1);
    assert!(
        o.err()
            .starts_with("Error parsing JSON for auth method config: "),
        "{}",
        o.err()
    );
    fails(
        &cli(&a, &["acl", "auth-method", "update", "-name", "nope"], env),
        "Auth method not found with name \"nope\"",
    );

    // A binding rule, addressed by a prefix of its ID from then on.
    let rule = ok(
        &a,
        &[
            "acl",
            "binding-rule",
            "create",
            "-method",
            "jwt",
            "-description",
            "web services",
            "-bind-type",
            "service",
            "-bind-name",
            "${value.service}",
            "-selector",
            "value.service != \"\"",
        ],
        env,
    );
    let id = field(&rule, "ID").to_string();
    assert_eq!(id.len(), 36);
    assert_eq!(
        rule,
        format!(
            "ID:           {id}\nAuthMethod:   jwt\nDescription:  web services\n\
             BindType:     service\nBindName:     ${{value.service}}\n\
             Selector:     value.service != \"\"\n\n"
        )
    );
    let o = cli(
        &a,
        &["acl", "binding-rule", "create", "-bind-name", "x"],
        env,
    );
    assert_eq!(o.code, 1);
    assert!(
        o.err().starts_with("Missing required '-method' flag\n"),
        "{}",
        o.err()
    );
    let read = ok(&a, &["acl", "binding-rule", "read", "-id", &id[..8]], env);
    assert_eq!(field(&read, "ID"), id);
    fails(
        &cli(&a, &["acl", "binding-rule", "read", "-id", "zz"], env),
        "Error determining binding rule ID: No such rule ID with prefix: zz",
    );
    fails(
        &cli(&a, &["acl", "binding-rule", "read"], env),
        "Must specify the -id parameter.",
    );
    let list = ok(&a, &["acl", "binding-rule", "list", "-method", "jwt"], env);
    assert!(
        list.starts_with(&format!("{id}:\n   AuthMethod:   jwt\n")),
        "{list}"
    );
    let listed: Value = serde_json::from_str(&ok(
        &a,
        &["acl", "binding-rule", "list", "-format", "json"],
        env,
    ))
    .unwrap();
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
    assert_eq!(
        ok(
            &a,
            &["acl", "binding-rule", "list", "-method", "other"],
            env
        ),
        ""
    );
    let upd: Value = serde_json::from_str(&ok(
        &a,
        &[
            "acl",
            "binding-rule",
            "update",
            "-id",
            &id[..8],
            "-description",
            "any service",
            "-selector",
            "",
            "-format",
            "json",
        ],
        env,
    ))
    .unwrap();
    assert_eq!(
        (
            upd["ID"].as_str(),
            upd["Description"].as_str(),
            upd["Selector"].as_str(),
            upd["BindName"].as_str()
        ),
        (
            Some(id.as_str()),
            Some("any service"),
            Some(""),
            Some("${value.service}")
        )
    );

    // Login: the sink file gets the new token's secret, owner-only.
    let bearer = write(
        dir.path(),
        "bearer.jwt",
        &format!("{}\n", jwt(claims("web", &[]))),
    );
    let sink = dir.path().join("sink/token");
    let sink_s = sink.to_string_lossy().into_owned();
    let login_args = [
        "login",
        "-method",
        "jwt",
        "-bearer-token-file",
        bearer.as_str(),
        "-token-sink-file",
        sink_s.as_str(),
        "-meta",
        "host=h1",
    ];
    // A login sends no token, so a bad -token does not get in the way.
    let o = cli(&a, &[&login_args[..], &["-token", "bogus"]].concat(), &[]);
    assert_eq!(
        (o.code, o.out(), o.err()),
        (0, String::new(), String::new())
    );
    let secret = std::fs::read_to_string(&sink).unwrap();
    assert_eq!(secret.len(), 36, "{secret:?}");
    let mode = std::fs::metadata(&sink).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let me = ok(
        &a,
        &["acl", "token", "read", "-self", "-token-file", &sink_s],
        &[],
    );
    assert_eq!(field(&me, "SecretID"), secret);
    assert_eq!(field(&me, "Auth Method"), "jwt");
    assert_eq!(
        field(&me, "Description"),
        "token created via login: {\"host\":\"h1\"}"
    );
    // The token grants what the rule bound.
    let web = r#"{"Name":"web","Port":80}"#;
    assert_eq!(
        req(&a, "PUT", "/v1/agent/service/register", &secret, Some(web)).0,
        200
    );
    fails(
        &cli(
            &a,
            &["login", "-method", "jwt", "-token-sink-file", &sink_s],
            &[],
        ),
        "Missing required '-bearer-token-file' flag",
    );
    let empty = write(dir.path(), "empty.jwt", "\n");
    fails(
        &cli(
            &a,
            &[
                "login",
                "-method",
                "jwt",
                "-token-sink-file",
                &sink_s,
                "-bearer-token-file",
                &empty,
            ],
            &[],
        ),
        &format!("No bearer token found in {empty}"),
    );
    fails(
        &cli(
            &a,
            &["login", "-method", "nope", "-token-sink-file", &sink_s, "-bearer-token-file", &bearer],
            &[],
        ),
        "Error logging in: Unexpected response code: 403 (ACL not found: auth method \"nope\" not found)",
    );

    // Logout destroys the login's token; a second one finds nothing.
    let o = cli(&a, &["logout", "-token-file", &sink_s], &[]);
    assert_eq!(
        (o.code, o.out(), o.err()),
        (0, String::new(), String::new())
    );
    assert_eq!(
        req(&a, "GET", "/v1/acl/token/self", &secret, None),
        (403, "ACL not found".to_string())
    );
    fails(
        &cli(&a, &["logout", "-token-file", &sink_s], &[]),
        "Error destroying token: Unexpected response code: 403 (ACL not found)",
    );
    fails(
        &cli(&a, &["logout", "extra"], env),
        "Should have no non-flag arguments.",
    );

    // Deleting: the rule by prefix, then the method.
    assert_eq!(
        ok(&a, &["acl", "binding-rule", "delete", "-id", &id[..8]], env),
        format!("Binding rule {id:?} deleted successfully\n")
    );
    assert_eq!(ok(&a, &["acl", "binding-rule", "list"], env), "");
    assert_eq!(
        ok(&a, &["acl", "auth-method", "delete", "-name", "jwt"], env),
        "Auth method \"jwt\" deleted successfully\n"
    );
    assert_eq!(
        ok(&a, &["acl", "auth-method", "list", "-format", "json"], env),
        "[]\n"
    );
}
