//! DNS answers with the agent's `default` token: what it may not read is
//! not there (NXDOMAIN), and changing the token changes the answers at once
//! (no stale cached answer).

use std::process::Command;
use std::time::Duration;

use super::*;

fn dig(a: &Agent, name: &str) -> (String, Vec<String>) {
    let out = Command::new("dig")
        .arg(format!("@{}", a.ip))
        .args(["-p", "8600", "+time=5", "+tries=2", name, "A"])
        .output()
        .expect("dig is installed (scripts/test.sh installs bind9-dnsutils)");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let status = text
        .split("status: ")
        .nth(1)
        .and_then(|s| s.split(',').next())
        .unwrap_or("")
        .to_string();
    let answers = text
        .split(";; ANSWER SECTION:")
        .nth(1)
        .map(|sec| {
            sec.lines()
                .skip(1)
                .take_while(|l| !l.trim().is_empty())
                .filter_map(|l| l.split_whitespace().last().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    (status, answers)
}

#[test]
fn dns_answers_only_what_the_default_token_may_read() {
    let ip = reserve_ip();
    let a = acl_agent(&ip, &acl_hcl(""));
    wait_builtins(&a);
    for (id, addr) in [("web", "10.1.0.1"), ("db", "10.1.0.2")] {
        let body = format!(r#"{{"Name":"{id}","Address":"{addr}","Port":80}}"#);
        let (s, b) = req(&a, "PUT", "/v1/agent/service/register", ROOT, Some(&body));
        assert_eq!(s, 200, "{b}");
    }
    policy(
        &a,
        "dns-web",
        r#"service "web" { policy = "read" } node_prefix "" { policy = "read" }"#,
    );
    let reader = token(&a, &["dns-web"]);

    // No default token: the anonymous token, default deny: nothing.
    let answered =
        |name: &str, want: &str| wait_until(Duration::from_secs(20), || dig(&a, name).0 == want);
    assert!(answered("web.service.consul", "NXDOMAIN"));

    let body = format!(r#"{{"Token":"{reader}"}}"#);
    assert_eq!(
        req(&a, "PUT", "/v1/agent/token/default", ROOT, Some(&body)).0,
        200
    );
    assert!(
        answered("web.service.consul", "NOERROR"),
        "web never resolved with the default token"
    );
    assert_eq!(
        dig(&a, "web.service.consul").1,
        vec!["10.1.0.1".to_string()]
    );
    assert_eq!(dig(&a, "db.service.consul").0, "NXDOMAIN");

    // Back to no default token: web disappears again.
    assert_eq!(
        req(
            &a,
            "PUT",
            "/v1/agent/token/default",
            ROOT,
            Some(r#"{"Token":""}"#)
        )
        .0,
        200
    );
    assert_eq!(dig(&a, "web.service.consul").0, "NXDOMAIN");
}
