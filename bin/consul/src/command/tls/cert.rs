//! `consul tls cert create`: a server, client or CLI certificate signed by
//! the CA from `consul tls ca create`, saved as
//! `<dc>-<kind>-<domain>-<n>.pem` and `…-<n>-key.pem` with the first free
//! `n`.

use std::net::IpAddr;

use rcgen::{
    CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose, SanType, PKCS_ECDSA_P256_SHA256,
};

use super::super::flags::{FlagSet, Kind};
use super::super::ui;
use super::{files, key};

const HELP: &str = "Usage: consul tls cert create [options]\n\n  Create a new certificate\n\n  $ consul tls cert create -server\n  ==> WARNING: Server Certificates grants authority to become a\n      server and access all state in the cluster including root keys\n      and all ACL tokens. Do not distribute them to production hosts\n      that are not server nodes. Store them as securely as CA keys.\n  ==> Using consul-agent-ca.pem and consul-agent-ca-key.pem\n  ==> Saved dc1-server-consul-0.pem\n  ==> Saved dc1-server-consul-0-key.pem\n  $ consul tls cert create -client\n  ==> Using consul-agent-ca.pem and consul-agent-ca-key.pem\n  ==> Saved dc1-client-consul-0.pem\n  ==> Saved dc1-client-consul-0-key.pem";

const SERVER_WARNING: &str = "==> WARNING: Server Certificates grants authority to become a\n    server and access all state in the cluster including root keys\n    and all ACL tokens. Do not distribute them to production hosts\n    that are not server nodes. Store them as securely as CA keys.";

/// The highest file index tried before giving up, as in Consul.
const MAX_INDEX: u32 = 10000;

fn flags() -> FlagSet {
    let mut fs = FlagSet::new(HELP);
    fs.flag("ca", Kind::Str, "#DOMAIN#-agent-ca.pem", "Provide path to the ca. Defaults to #DOMAIN#-agent-ca.pem.")
        .flag("key", Kind::Str, "#DOMAIN#-agent-ca-key.pem", "Provide path to the key. Defaults to #DOMAIN#-agent-ca-key.pem.")
        .flag("server", Kind::Bool, "false", "Generate server certificate.")
        .flag("client", Kind::Bool, "false", "Generate client certificate.")
        .flag("node", Kind::Str, "", "When generating a server cert and this is set an additional dns name is included of the form <node>.server.<datacenter>.<domain>.")
        .flag("cli", Kind::Bool, "false", "Generate cli certificate.")
        .flag("days", Kind::U64, "365", "Provide number of days the certificate is valid for from now on. Defaults to 1 year.")
        .flag("dc", Kind::Str, "dc1", "Provide the datacenter. Matters only for -server certificates. Defaults to dc1.")
        .flag("domain", Kind::Str, "consul", "Provide the domain. Matters only for -server certificates.")
        .flag("additional-dnsname", Kind::Multi, "", "Provide an additional dnsname for Subject Alternative Names. localhost is always included. This flag may be provided multiple times.")
        .flag("additional-ipaddress", Kind::Multi, "", "Provide an additional ipaddress for Subject Alternative Names. 127.0.0.1 is always included. This flag may be provided multiple times.");
    fs
}

/// What a certificate is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// An agent in server mode (server and client auth).
    Server,
    /// An agent in client mode (client and server auth).
    Client,
    /// The CLI (no extended key usage, like Consul's).
    Cli,
}

impl Role {
    fn word(self) -> &'static str {
        match self {
            Role::Server => "server",
            Role::Client => "client",
            Role::Cli => "cli",
        }
    }
}

/// Run `consul tls cert create`.
pub fn run(args: &[String]) -> i32 {
    let p = match ui::parse(&flags(), args) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let ca = p.str("ca").unwrap_or("#DOMAIN#-agent-ca.pem");
    let ca_key = p.str("key").unwrap_or("#DOMAIN#-agent-ca-key.pem");
    if ca.is_empty() {
        ui::err("Please provide the ca");
        return 1;
    }
    if ca_key.is_empty() {
        ui::err("Please provide the key");
        return 1;
    }
    let role = match (p.bool("server"), p.bool("client"), p.bool("cli")) {
        (true, false, false) => Role::Server,
        (false, true, false) => Role::Client,
        (false, false, true) => Role::Cli,
        _ => {
            ui::err("Please provide either -server, -client, or -cli");
            return 1;
        }
    };
    let node = p.str("node").unwrap_or("");
    if !node.is_empty() && role != Role::Server {
        ui::err("-node requires -server");
        return 1;
    }
    let dc = p.str("dc").unwrap_or("dc1");
    let domain = p.str("domain").unwrap_or("consul");
    let days = p.str("days").map_or(365, |_| p.u64("days"));
    let mut dns: Vec<String> = p
        .all("additional-dnsname")
        .iter()
        .map(|d| d.trim().to_string())
        .filter(|d| !d.is_empty())
        .collect();
    let mut ips = Vec::new();
    for i in p.all("additional-ipaddress").iter().map(|i| i.trim()) {
        if i.is_empty() {
            continue;
        }
        match i.parse::<IpAddr>() {
            Ok(ip) => ips.push(ip),
            Err(_) => {
                ui::err(format!("invalid IP address: {i}"));
                return 1;
            }
        }
    }
    let name = format!("{}.{dc}.{domain}", role.word());
    match role {
        Role::Server => {
            if !node.is_empty() {
                dns.push(format!("{node}.server.{dc}.{domain}"));
            }
            dns.extend([name.clone(), "localhost".to_string()]);
            ips.push(IpAddr::from([127, 0, 0, 1]));
        }
        Role::Client => {
            dns.extend([name.clone(), "localhost".to_string()]);
            ips.push(IpAddr::from([127, 0, 0, 1]));
        }
        Role::Cli => {
            dns = vec![name.clone(), "localhost".to_string()];
            ips.clear();
        }
    }
    let prefix = format!("{dc}-{}-{domain}", role.word());
    let Some((cert_file, key_file)) = (0..=MAX_INDEX)
        .map(|i| (format!("{prefix}-{i}.pem"), format!("{prefix}-{i}-key.pem")))
        .find(|(c, k)| files::absent(c) && files::absent(k))
    else {
        ui::err("Could not find a filename that doesn't already exist");
        return 1;
    };
    let ca_file = ca.replacen("#DOMAIN#", domain, 1);
    let ca_key_file = ca_key.replacen("#DOMAIN#", domain, 1);
    let ca_pem = match std::fs::read_to_string(&ca_file) {
        Ok(t) => t,
        Err(e) => {
            ui::err(format!("Error reading CA: open {ca_file}: {e}"));
            return 1;
        }
    };
    let ca_key_pem = match std::fs::read_to_string(&ca_key_file) {
        Ok(t) => t,
        Err(e) => {
            ui::err(format!("Error reading CA key: open {ca_key_file}: {e}"));
            return 1;
        }
    };
    if role == Role::Server {
        ui::out(SERVER_WARNING);
    }
    ui::out(format!("==> Using {ca_file} and {ca_key_file}"));
    let (cert, key) = match sign(&ca_pem, &ca_key_pem, role, &name, days, &dns, &ips) {
        Ok(v) => v,
        Err(e) => {
            ui::err(e.to_string());
            return 1;
        }
    };
    for (file, text, mode) in [(&cert_file, &cert, 0o666), (&key_file, &key, 0o600)] {
        if let Err(e) = files::write(file, text, mode) {
            ui::err(e.to_string());
            return 1;
        }
        ui::out(format!("==> Saved {file}"));
    }
    0
}

/// A new key and a certificate for it signed by the CA:
/// (certificate PEM, SEC1 key PEM).
pub fn sign(
    ca_pem: &str,
    ca_key_pem: &str,
    role: Role,
    name: &str,
    days: u64,
    dns: &[String],
    ips: &[IpAddr],
) -> Result<(String, String), Box<dyn std::error::Error>> {
    let ca_key = key::load_pem(ca_key_pem)?;
    let issuer = CertificateParams::from_ca_cert_pem(ca_pem)?.self_signed(&ca_key)?;
    let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256)?;
    let mut params = CertificateParams::default();
    params.serial_number = Some(files::serial()?.0);
    files::validity(&mut params, days);
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, name);
    params.distinguished_name = dn;
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    params.extended_key_usages = match role {
        Role::Server => vec![
            ExtendedKeyUsagePurpose::ServerAuth,
            ExtendedKeyUsagePurpose::ClientAuth,
        ],
        Role::Client => vec![
            ExtendedKeyUsagePurpose::ClientAuth,
            ExtendedKeyUsagePurpose::ServerAuth,
        ],
        Role::Cli => Vec::new(),
    };
    params.use_authority_key_identifier_extension = true;
    for d in dns {
        params
            .subject_alt_names
            .push(SanType::DnsName(d.clone().try_into()?));
    }
    for ip in ips {
        params.subject_alt_names.push(SanType::IpAddress(*ip));
    }
    let cert = params.signed_by(&key, &issuer, &ca_key)?;
    Ok((cert.pem(), key::to_sec1_pem(&key)?))
}
