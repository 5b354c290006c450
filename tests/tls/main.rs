//! TLS end to end: `consul tls ca/cert create` make Consul's files with
//! Consul's SANs, and an agent serves the HTTP API over HTTPS to the CLI,
//! requiring a CA-signed client certificate with `verify_incoming`.

#[path = "../common/mod.rs"]
mod common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::*;
use consul_testkit::run_cli;

/// Run `consul args…` in `dir`; (exit code, stdout, stderr).
fn consul_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(bin())
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run consul");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `openssl x509 -noout -text` of a certificate file.
fn x509_text(path: &Path) -> String {
    let out = Command::new("openssl")
        .args(["x509", "-noout", "-text", "-in"])
        .arg(path)
        .output()
        .expect("run openssl");
    assert!(out.status.success(), "openssl x509 {}", path.display());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The Subject Alternative Name line of a certificate.
fn sans(path: &Path) -> String {
    let text = x509_text(path);
    let mut lines = text.lines();
    lines
        .find(|l| l.contains("Subject Alternative Name"))
        .and_then(|_| lines.next())
        .map(|l| l.trim().to_string())
        .unwrap_or_default()
}

/// `openssl verify` of `cert` against `ca`.
fn verifies(dir: &Path, cert: &str) -> bool {
    Command::new("openssl")
        .args(["verify", "-CAfile", "consul-agent-ca.pem", cert])
        .current_dir(dir)
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn tls_create_writes_consuls_files_names_and_sans() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (code, out, err) = consul_in(d, &["tls", "ca", "create"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "==> Saved consul-agent-ca.pem\n==> Saved consul-agent-ca-key.pem\n"
    );
    let ca = x509_text(&d.join("consul-agent-ca.pem"));
    assert!(ca.contains("CA:TRUE"), "{ca}");
    assert!(
        ca.contains("O = HashiCorp Inc., CN = Consul Agent CA "),
        "{ca}"
    );
    assert!(ca.contains("prime256v1"), "ECDSA P-256 like Consul: {ca}");
    let key = std::fs::read_to_string(d.join("consul-agent-ca-key.pem")).unwrap();
    assert!(key.starts_with("-----BEGIN EC PRIVATE KEY-----"), "{key}");
    let (code, _, err) = consul_in(d, &["tls", "ca", "create"]);
    assert_eq!(
        (code, err.as_str()),
        (1, "consul-agent-ca.pem already exists.\n")
    );

    let (code, out, err) = consul_in(d, &["tls", "cert", "create", "-server"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("==> WARNING: Server Certificates grants authority"),
        "{out}"
    );
    assert!(out.ends_with(
        "==> Using consul-agent-ca.pem and consul-agent-ca-key.pem\n==> Saved dc1-server-consul-0.pem\n==> Saved dc1-server-consul-0-key.pem\n"
    ), "{out}");
    assert_eq!(
        sans(&d.join("dc1-server-consul-0.pem")),
        "DNS:server.dc1.consul, DNS:localhost, IP Address:127.0.0.1"
    );
    // A second server cert takes the next free index.
    let (code, out, _) = consul_in(
        d,
        &[
            "tls", "cert", "create", "-server", "-dc", "east", "-node", "n1",
        ],
    );
    assert_eq!(code, 0);
    assert!(
        out.contains("==> Saved east-server-consul-0.pem\n"),
        "{out}"
    );
    assert_eq!(
        sans(&d.join("east-server-consul-0.pem")),
        "DNS:n1.server.east.consul, DNS:server.east.consul, DNS:localhost, IP Address:127.0.0.1"
    );
    let (_, out, _) = consul_in(d, &["tls", "cert", "create", "-server"]);
    assert!(
        out.contains("==> Saved dc1-server-consul-1.pem\n==> Saved dc1-server-consul-1-key.pem\n"),
        "{out}"
    );

    let (code, out, _) = consul_in(d, &["tls", "cert", "create", "-client"]);
    assert_eq!(code, 0);
    assert!(!out.contains("WARNING"));
    assert_eq!(
        sans(&d.join("dc1-client-consul-0.pem")),
        "DNS:client.dc1.consul, DNS:localhost, IP Address:127.0.0.1"
    );
    let (code, _, _) = consul_in(d, &["tls", "cert", "create", "-cli"]);
    assert_eq!(code, 0);
    assert_eq!(
        sans(&d.join("dc1-cli-consul-0.pem")),
        "DNS:cli.dc1.consul, DNS:localhost"
    );
    for cert in [
        "dc1-server-consul-0.pem",
        "dc1-server-consul-1.pem",
        "dc1-client-consul-0.pem",
        "dc1-cli-consul-0.pem",
    ] {
        assert!(verifies(d, cert), "{cert} is signed by the CA");
    }
    let server = x509_text(&d.join("dc1-server-consul-0.pem"));
    assert!(
        server.contains("Subject: CN = server.dc1.consul"),
        "{server}"
    );
    assert!(server.contains("TLS Web Server Authentication, TLS Web Client Authentication"));

    let (code, _, err) = consul_in(d, &["tls", "cert", "create"]);
    assert_eq!(
        (code, err.as_str()),
        (1, "Please provide either -server, -client, or -cli\n")
    );
    let (code, _, err) = consul_in(d, &["tls", "cert", "create", "-client", "-node", "x"]);
    assert_eq!((code, err.as_str()), (1, "-node requires -server\n"));
}

#[test]
fn kv_over_https_needs_a_ca_signed_client_cert_with_verify_incoming() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ip = reserve_ip();
    let ip_s = ip.ip().to_string();
    assert_eq!(consul_in(d, &["tls", "ca", "create"]).0, 0);
    let (code, _, err) = consul_in(
        d,
        &[
            "tls",
            "cert",
            "create",
            "-server",
            "-additional-ipaddress",
            &ip_s,
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(consul_in(d, &["tls", "cert", "create", "-cli"]).0, 0);
    let p = |f: &str| d.join(f).display().to_string();
    let conf = d.join("tls.hcl");
    std::fs::write(
        &conf,
        format!(
            "ports {{ https = 8501 }}\nca_file = \"{}\"\ncert_file = \"{}\"\nkey_file = \"{}\"\nverify_incoming = true\n",
            p("consul-agent-ca.pem"),
            p("dc1-server-consul-0.pem"),
            p("dc1-server-consul-0-key.pem"),
        ),
    )
    .unwrap();
    let mut agent = AgentBuilder::new(bin(), ip.ip())
        .dev(true)
        .arg("-config-file")
        .arg(&conf.display().to_string())
        .start()
        .expect("agent starts");
    agent
        .wait_ready(Duration::from_secs(30))
        .expect("agent ready");

    let addr = format!("https://{ip_s}:8501");
    let ca = p("consul-agent-ca.pem");
    let (cert, key) = (p("dc1-cli-consul-0.pem"), p("dc1-cli-consul-0-key.pem"));
    let with_cert = [
        ("CONSUL_HTTP_ADDR", addr.as_str()),
        ("CONSUL_CACERT", ca.as_str()),
        ("CONSUL_CLIENT_CERT", cert.as_str()),
        ("CONSUL_CLIENT_KEY", key.as_str()),
    ];
    let put = run_cli(bin(), &["kv", "put", "tls/k", "v1"], &with_cert, None);
    assert_eq!(put.code, 0, "{}", put.err());
    assert_eq!(put.out(), "Success! Data written to: tls/k\n");
    let get = run_cli(bin(), &["kv", "get", "tls/k"], &with_cert, None);
    assert_eq!((get.code, get.out().trim_end()), (0, "v1"), "{}", get.err());

    // No client certificate: the handshake is refused.
    let no_cert = &with_cert[..2];
    let get = run_cli(bin(), &["kv", "get", "tls/k"], no_cert, None);
    assert_eq!(get.code, 1, "{}", get.out());
    assert!(
        get.err().contains("Error querying Consul agent"),
        "{}",
        get.err()
    );

    // The same over flags, with CONSUL_HTTP_SSL and -tls-server-name.
    let host_port = format!("{ip_s}:8501");
    let env = [
        ("CONSUL_HTTP_ADDR", host_port.as_str()),
        ("CONSUL_HTTP_SSL", "true"),
    ];
    let flags = |name: &'static str| {
        vec![
            "kv".to_string(),
            "get".into(),
            format!("-ca-file={ca}"),
            format!("-client-cert={cert}"),
            format!("-client-key={key}"),
            format!("-tls-server-name={name}"),
            "tls/k".into(),
        ]
    };
    let args = flags("server.dc1.consul");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let get = run_cli(bin(), &args, &env, None);
    assert_eq!((get.code, get.out().trim_end()), (0, "v1"), "{}", get.err());
    let args = flags("other.example");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let get = run_cli(bin(), &args, &env, None);
    assert_eq!(get.code, 1, "a name the server cert lacks is refused");

    // Without the CA the agent's certificate is not trusted.
    let get = run_cli(
        bin(),
        &["kv", "get", "tls/k"],
        &[with_cert[0], with_cert[2], with_cert[3]],
        None,
    );
    assert_eq!(get.code, 1);
    // Plain HTTP keeps working next to HTTPS.
    assert_eq!(get_json(&agent, "/v1/kv/tls/k")[0]["Key"], "tls/k");
}
