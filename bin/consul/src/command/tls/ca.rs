//! `consul tls ca create`: a self-signed ECDSA P-256 CA in
//! `<domain>-agent-ca.pem` and its key in `<domain>-agent-ca-key.pem`.

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, GeneralSubtree, IsCa, KeyPair,
    KeyUsagePurpose, NameConstraints, PKCS_ECDSA_P256_SHA256,
};

use super::super::flags::{FlagSet, Kind};
use super::super::ui;
use super::{files, key};

const HELP: &str = "Usage: consul tls ca create [options]\n\n  Create a new consul CA:\n\n  $ consul tls ca create\n  ==> saved consul-agent-ca.pem\n  ==> saved consul-agent-ca-key.pem";

/// OID of the X.520 streetAddress attribute.
const STREET_OID: &[u64] = &[2, 5, 4, 9];
/// OID of the X.520 postalCode attribute.
const POSTAL_CODE_OID: &[u64] = &[2, 5, 4, 17];

fn flags() -> FlagSet {
    let mut fs = FlagSet::new(HELP);
    fs.flag("days", Kind::U64, "1825", "Provide number of days the CA is valid for from now on. Defaults to 5 years.")
        .flag("name-constraint", Kind::Bool, "false", "Add name constraints for the CA. Results in rejecting certificates for other DNS than specified. If turned on localhost and -domain will be added to the allowed DNS. If the UI is going to be served over HTTPS its DNS has to be added with -additional-constraint. It is not possible to add that after the fact! Defaults to false.")
        .flag("domain", Kind::Str, "consul", "Domain of consul cluster. Only used in combination with -name-constraint. Defaults to consul.")
        .flag("common-name", Kind::Str, "", "Common Name of CA. Defaults to Consul Agent CA.")
        .flag("additional-name-constraint", Kind::Multi, "", "Add name constraints for the CA. Results in rejecting certificates for other DNS than specified. Can be used multiple times. Only used in combination with -name-constraint.");
    fs
}

/// Run `consul tls ca create`.
pub fn run(args: &[String]) -> i32 {
    let p = match ui::parse(&flags(), args) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let domain = p.str("domain").unwrap_or("consul");
    let days = p.str("days").map_or(1825, |_| p.u64("days"));
    let cert_file = format!("{domain}-agent-ca.pem");
    let key_file = format!("{domain}-agent-ca-key.pem");
    for f in [&cert_file, &key_file] {
        if !files::absent(f) {
            ui::err(format!("{f} already exists."));
            return 1;
        }
    }
    let constraints: Vec<String> = if p.bool("name-constraint") {
        let mut c = p.all("additional-name-constraint").to_vec();
        c.extend([domain.to_string(), "localhost".to_string()]);
        c
    } else {
        Vec::new()
    };
    let (cert, key) = match generate(p.str("common-name").unwrap_or(""), days, &constraints) {
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

/// A new CA: (certificate PEM, SEC1 key PEM). The subject is Consul's
/// HashiCorp one; the common name defaults to "Consul Agent CA <serial>".
pub fn generate(
    common_name: &str,
    days: u64,
    permitted_dns: &[String],
) -> Result<(String, String), Box<dyn std::error::Error>> {
    let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256)?;
    let (serial, serial_num) = files::serial()?;
    let mut params = CertificateParams::default();
    params.serial_number = Some(serial);
    files::validity(&mut params, days);
    let cn = if common_name.is_empty() {
        format!("Consul Agent CA {serial_num}")
    } else {
        common_name.to_string()
    };
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CountryName, "US");
    dn.push(DnType::StateOrProvinceName, "CA");
    dn.push(DnType::LocalityName, "San Francisco");
    dn.push(
        DnType::CustomDnType(STREET_OID.to_vec()),
        "101 Second Street",
    );
    dn.push(DnType::CustomDnType(POSTAL_CODE_OID.to_vec()), "94105");
    dn.push(DnType::OrganizationName, "HashiCorp Inc.");
    dn.push(DnType::CommonName, cn);
    params.distinguished_name = dn;
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
    ];
    params.use_authority_key_identifier_extension = true;
    if !permitted_dns.is_empty() {
        params.name_constraints = Some(NameConstraints {
            permitted_subtrees: permitted_dns
                .iter()
                .map(|d| GeneralSubtree::DnsName(d.clone()))
                .collect(),
            excluded_subtrees: Vec::new(),
        });
    }
    let cert = params.self_signed(&key)?;
    Ok((cert.pem(), key::to_sec1_pem(&key)?))
}
