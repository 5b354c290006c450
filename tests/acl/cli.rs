//! The `consul acl …` CLI against a real agent with ACLs on: bootstrap
//! through the CLI, then policies, tokens and roles managed with it, the
//! token taken from `CONSUL_HTTP_TOKEN_FILE`, `-token-file` or `-token`, and
//! the output people script against (the pretty field layout, JSON, exit
//! codes, Consul's messages).

use std::path::Path;
use std::time::Duration;

use consul_testkit::{run_cli, wait_until, CliOutput};
use serde_json::Value;

use super::*;

/// Run the CLI against `a` with `env` added (address always set).
pub(super) fn cli(a: &Agent, args: &[&str], env: &[(&str, &str)]) -> CliOutput {
    let mut e = vec![("CONSUL_HTTP_ADDR", a.http_addr.as_str())];
    e.extend_from_slice(env);
    run_cli(bin(), args, &e, None)
}

/// Like [`cli`] but requires exit 0; stdout.
pub(super) fn ok(a: &Agent, args: &[&str], env: &[(&str, &str)]) -> String {
    let o = cli(a, args, env);
    assert_eq!(o.code, 0, "consul {args:?}: {}{}", o.out(), o.err());
    o.out()
}

/// Exit 1 with `msg` as the whole of stderr.
pub(super) fn fails(o: &CliOutput, msg: &str) {
    assert_eq!(
        (o.code, o.err().as_str()),
        (1, format!("{msg}\n").as_str()),
        "stdout: {}",
        o.out()
    );
}

/// The value of the pretty `Label:   value` line.
pub(super) fn field<'a>(out: &'a str, label: &str) -> &'a str {
    out.lines()
        .find_map(|l| l.strip_prefix(&format!("{label}:")))
        .map(str::trim)
        .unwrap_or_else(|| panic!("no {label:?} in\n{out}"))
}

pub(super) fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

#[test]
fn bootstrap_then_manage_policies_tokens_and_roles() {
    let ip = reserve_ip();
    let a = acl_agent(&ip, r#"acl { enabled = true default_policy = "deny" }"#);
    let dir = tempfile::tempdir().unwrap();

    // Bootstrap once (retried until the leader is up), then refused.
    let mut boot = String::new();
    assert!(
        wait_until(Duration::from_secs(30), || {
            let o = cli(&a, &["acl", "bootstrap"], &[]);
            boot = o.out();
            o.code == 0
        }),
        "bootstrap never worked:\n{}",
        a.log()
    );
    let root = field(&boot, "SecretID").to_string();
    assert_eq!(
        field(&boot, "Description"),
        "Bootstrap Token (Global Management)"
    );
    assert!(
        boot.contains("Policies:\n   00000000-0000-0000-0000-000000000001 - global-management\n"),
        "{boot}"
    );
    assert!(
        field(&boot, "Create Time").ends_with(" +0000 UTC"),
        "{boot}"
    );
    let o = cli(&a, &["acl", "bootstrap"], &[]);
    assert_eq!(o.code, 1);
    assert!(
        o.err().starts_with(
            "Failed ACL bootstrapping: Unexpected response code: 403 (Permission denied: ACL bootstrap no longer allowed"
        ),
        "{}",
        o.err()
    );

    // From here on the token comes from a file.
    let tf = write(dir.path(), "root.token", &format!("{root}\n"));
    let env: &[(&str, &str)] = &[("CONSUL_HTTP_TOKEN_FILE", &tf)];
    let me = ok(&a, &["acl", "token", "read", "-self"], env);
    assert_eq!(field(&me, "SecretID"), root);
    // Without any token the anonymous token is denied.
    fails(
        &cli(&a, &["acl", "token", "list"], &[]),
        "Failed to retrieve the token list: Unexpected response code: 403 (Permission denied)",
    );

    // A policy from a rules file.
    let rules = "key_prefix \"app/\" { policy = \"write\" }\n";
    let rf = write(dir.path(), "rules.hcl", rules);
    let out = ok(
        &a,
        &[
            "acl",
            "policy",
            "create",
            "-name",
            "app-rw",
            "-description",
            "App KV",
            "-rules",
            &format!("@{rf}"),
        ],
        env,
    );
    let pid = field(&out, "ID").to_string();
    assert_eq!(field(&out, "Name"), "app-rw");
    assert_eq!(field(&out, "Description"), "App KV");
    assert!(out.ends_with(&format!("Rules:\n{rules}\n")), "{out:?}");
    fails(
        &cli(
            &a,
            &["acl", "policy", "create", "-name", "app-rw", "-rules", "x"],
            env,
        ),
        "Failed to create new policy: Unexpected response code: 500 (Invalid Policy: A Policy with Name \"app-rw\" already exists)",
    );
    let list = ok(&a, &["acl", "policy", "list"], env);
    assert!(
        list.contains(&format!(
            "app-rw:\n   ID:           {pid}\n   Description:  App KV\n"
        )),
        "{list}"
    );
    let read = ok(&a, &["acl", "policy", "read", "-id", &pid[..8]], env);
    assert_eq!(field(&read, "ID"), pid);
    let json: Value = serde_json::from_str(&ok(
        &a,
        &[
            "acl", "policy", "read", "-name", "app-rw", "-format", "json",
        ],
        env,
    ))
    .unwrap();
    assert_eq!(
        (json["ID"].as_str(), json["Rules"].as_str()),
        (Some(pid.as_str()), Some(rules))
    );
    assert!(json["Datacenters"].is_null(), "{json}");
    let upd = ok(
        &a,
        &[
            "acl",
            "policy",
            "update",
            "-id",
            &pid,
            "-description",
            "App KV rw",
        ],
        env,
    );
    assert_eq!(field(&upd, "Description"), "App KV rw");
    assert!(upd.contains(rules), "merge keeps the rules: {upd}");

    // A token with that policy and a chosen secret.
    let secret = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";
    let out = ok(
        &a,
        &[
            "acl",
            "token",
            "create",
            "-description",
            "app token",
            "-policy-name",
            "app-rw",
            "-secret",
            secret,
            "-service-identity",
            "web:dc1",
        ],
        env,
    );
    let accessor = field(&out, "AccessorID").to_string();
    assert_eq!(field(&out, "SecretID"), secret);
    assert_eq!(field(&out, "Local"), "false");
    assert!(
        out.contains(&format!("Policies:\n   {pid} - app-rw\n")),
        "{out}"
    );
    assert!(
        out.contains("Service Identities:\n   web (Datacenters: dc1)\n"),
        "{out}"
    );
    fails(
        &cli(&a, &["acl", "token", "create", "-description", "x"], env),
        "Cannot create a token without specifying -policy-name, -policy-id, -role-name, -role-id, -service-identity, or -node-identity at least once",
    );

    // The token works, and only as its policy says (-token for the KV CLI).
    ok(&a, &["kv", "put", "-token", secret, "app/x", "1"], &[]);
    let o = cli(&a, &["kv", "put", "-token", secret, "other/x", "1"], &[]);
    assert_eq!(o.code, 1, "{}", o.out());
    // A token file wins over -token and CONSUL_HTTP_TOKEN, as in Consul.
    let o = cli(
        &a,
        &["acl", "token", "read", "-self", "-token", "bogus"],
        &[
            ("CONSUL_HTTP_TOKEN", "bogus"),
            ("CONSUL_HTTP_TOKEN_FILE", &tf),
        ],
    );
    assert_eq!(o.code, 0, "{}", o.err());
    let app_tf = write(dir.path(), "app.token", secret);
    let me = ok(
        &a,
        &["acl", "token", "read", "-self", "-token-file", &app_tf],
        env,
    );
    assert_eq!(
        field(&me, "AccessorID"),
        accessor,
        "-token-file beats the env file"
    );
    fails(
        &cli(&a, &["acl", "token", "read", "-self", "-token-file", "/nonexistent/t"], &[]),
        "Error connecting to Consul agent: Error loading token file: open /nonexistent/t: no such file or directory",
    );

    // Read (by prefix), list, JSON.
    let read = ok(&a, &["acl", "token", "read", "-id", &accessor[..8]], env);
    assert_eq!(field(&read, "Description"), "app token");
    let list = ok(&a, &["acl", "token", "list"], env);
    assert!(
        list.contains(&format!("AccessorID:       {accessor}\n")),
        "{list}"
    );
    assert!(list.contains("Legacy:           false\n"), "{list}");
    assert!(list.contains("SecretID:         anonymous\n"), "{list}");
    let all: Value =
        serde_json::from_str(&ok(&a, &["acl", "token", "list", "-format=json"], env)).unwrap();
    assert!(
        all.as_array()
            .unwrap()
            .iter()
            .any(|t| t["AccessorID"] == accessor.as_str()),
        "{all}"
    );
    let t: Value = serde_json::from_str(&ok(
        &a,
        &["acl", "token", "read", "-id", &accessor, "-format", "json"],
        env,
    ))
    .unwrap();
    assert_eq!(t["Policies"][0]["Name"], "app-rw");
    fails(
        &cli(&a, &["acl", "token", "read", "-id", "zz"], env),
        "Error determining token ID: No such token ID with prefix: zz",
    );
    fails(
        &cli(&a, &["acl", "token", "read"], env),
        "Must specify the -id parameter",
    );

    // A role, and a token linking it.
    let out = ok(
        &a,
        &[
            "acl",
            "role",
            "create",
            "-name",
            "ops",
            "-description",
            "Ops",
            "-policy-id",
            &pid[..8],
            "-node-identity",
            "n1:dc1",
        ],
        env,
    );
    let rid = field(&out, "ID").to_string();
    assert!(
        out.contains(&format!("Policies:\n   {pid} - app-rw\n")),
        "{out}"
    );
    assert!(
        out.contains("Node Identities:\n   n1 (Datacenter: dc1)\n"),
        "{out}"
    );
    let by_name = ok(&a, &["acl", "role", "read", "-name", "ops"], env);
    assert_eq!(field(&by_name, "ID"), rid);
    let roles = ok(&a, &["acl", "role", "list"], env);
    assert!(
        roles.starts_with(&format!("ops:\n   ID:           {rid}\n")),
        "{roles}"
    );
    fails(
        &cli(&a, &["acl", "role", "read", "-name", "nope"], env),
        "Role not found with name \"nope\"",
    );
    let upd = ok(
        &a,
        &[
            "acl",
            "role",
            "update",
            "-id",
            &rid,
            "-description",
            "Operators",
        ],
        env,
    );
    assert_eq!(field(&upd, "Description"), "Operators");
    assert!(
        upd.contains(&format!("   {pid} - app-rw\n")),
        "merged: {upd}"
    );
    let via_role = ok(
        &a,
        &[
            "acl",
            "token",
            "create",
            "-role-name",
            "ops",
            "-format",
            "json",
        ],
        env,
    );
    let via_role: Value = serde_json::from_str(&via_role).unwrap();
    assert_eq!(via_role["Roles"][0]["ID"], rid.as_str());

    // Update (merging a new policy in), clone, delete.
    let mut e = vec![("CONSUL_HTTP_ADDR", a.http_addr.as_str())];
    e.extend_from_slice(env);
    let stdin_rules = b"node_prefix \"\" { policy = \"read\" }";
    let o = run_cli(
        bin(),
        &[
            "acl",
            "policy",
            "create",
            "-name",
            "node-read",
            "-rules",
            "-",
        ],
        &e,
        Some(stdin_rules),
    );
    assert_eq!(o.code, 0, "{}", o.err());
    assert!(
        o.out()
            .contains("Rules:\nnode_prefix \"\" { policy = \"read\" }\n"),
        "{}",
        o.out()
    );
    let upd = ok(
        &a,
        &[
            "acl",
            "token",
            "update",
            "-id",
            &accessor,
            "-description",
            "app token v2",
            "-policy-name",
            "node-read",
            "-merge-policies",
        ],
        env,
    );
    assert_eq!(field(&upd, "SecretID"), secret, "the secret stays");
    assert_eq!(field(&upd, "Description"), "app token v2");
    assert!(
        upd.contains(" - app-rw\n") && upd.contains(" - node-read\n"),
        "{upd}"
    );
    let clone = ok(
        &a,
        &[
            "acl",
            "token",
            "clone",
            "-id",
            &accessor,
            "-description",
            "copy",
        ],
        env,
    );
    let clone_id = field(&clone, "AccessorID").to_string();
    assert_ne!(clone_id, accessor);
    assert_ne!(field(&clone, "SecretID"), secret);
    assert_eq!(field(&clone, "Description"), "copy");
    assert!(clone.contains(" - node-read\n"), "{clone}");
    // Replacing the policies (no merge) drops app-rw: the KV write is refused.
    ok(
        &a,
        &[
            "acl",
            "token",
            "update",
            "-id",
            &accessor,
            "-policy-name",
            "node-read",
        ],
        env,
    );
    let o = cli(&a, &["kv", "put", "-token", secret, "app/x", "2"], &[]);
    assert_eq!(o.code, 1, "{}", o.out());
    let out = ok(&a, &["acl", "token", "delete", "-id", &accessor], env);
    assert_eq!(out, format!("Token \"{accessor}\" deleted successfully\n"));
    ok(&a, &["acl", "token", "delete", "-id", &clone_id], env);
    let out = ok(&a, &["acl", "role", "delete", "-name", "ops"], env);
    assert_eq!(out, format!("Role \"{rid}\" deleted successfully\n"));
    let out = ok(&a, &["acl", "policy", "delete", "-name", "app-rw"], env);
    assert_eq!(out, format!("Policy \"{pid}\" deleted successfully\n"));
    fails(
        &cli(&a, &["acl", "policy", "read", "-name", "app-rw"], env),
        "Error determining policy ID: No such policy with name app-rw",
    );
}

#[test]
fn set_agent_token_needs_acl_write() {
    let ip = reserve_ip();
    let a = acl_agent(&ip, &acl_hcl(""));
    wait_builtins(&a);
    let root: &[(&str, &str)] = &[("CONSUL_HTTP_TOKEN", ROOT)];
    let dir = tempfile::tempdir().unwrap();
    let from_file = format!("@{}", write(dir.path(), "default.token", ROOT));
    // (Not the management secret as "master": that secret would then
    // resolve as the agent recovery token, without acl:write, as in Consul.)
    for (kind, value) in [
        ("agent", ROOT),
        ("default", from_file.as_str()),
        ("replication", ROOT),
        ("master", "recovery-secret"),
    ] {
        let out = ok(&a, &["acl", "set-agent-token", kind, value], root);
        assert_eq!(out, format!("ACL token \"{kind}\" set successfully\n"));
    }
    fails(
        &cli(&a, &["acl", "set-agent-token", "bogus", "x"], root),
        "Unknown token type",
    );
    fails(
        &cli(&a, &["acl", "set-agent-token", "agent"], root),
        "Error! Missing TOKEN argument",
    );
    // A token without acl:write may not.
    policy(&a, "kv", r#"key_prefix "" { policy = "read" }"#);
    let weak = token(&a, &["kv"]);
    let o = cli(
        &a,
        &["acl", "set-agent-token", "-token", &weak, "agent", "x"],
        &[],
    );
    assert_eq!(o.code, 1);
    assert!(
        o.err()
            .starts_with("Failed to set ACL token \"agent\": Unexpected response code: 403"),
        "{}",
        o.err()
    );
}
