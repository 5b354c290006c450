//! The TLS settings of the HTTPS API listener, from Consul 1.10's top-level
//! keys (`ca_file`, `ca_path`, `cert_file`, `key_file`, `verify_incoming`,
//! `verify_incoming_https`) and the newer `tls { defaults {…}, https {…} }`
//! block, where `https` overrides `defaults` which overrides the old keys.

use serde_json::Value;

use crate::file_config::FileConfig;

/// Certificates and client verification for the HTTPS listener.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HttpsTls {
    /// PEM file of the CA(s) that sign client certificates.
    pub ca_file: Option<String>,
    /// Directory of PEM CA files, used when `ca_file` is not set.
    pub ca_path: Option<String>,
    /// PEM file of the listener's certificate (chain).
    pub cert_file: Option<String>,
    /// PEM file of the certificate's private key.
    pub key_file: Option<String>,
    /// Require clients to present a certificate signed by `ca_file`.
    pub verify_incoming: bool,
}

/// A string field of a `tls` sub-block, if set.
fn block_str(tls: Option<&Value>, block: &str, key: &str) -> Option<String> {
    tls?.get(block)?.get(key)?.as_str().map(str::to_string)
}

/// A bool field of a `tls` sub-block, if set.
fn block_bool(tls: Option<&Value>, block: &str, key: &str) -> Option<bool> {
    tls?.get(block)?.get(key)?.as_bool()
}

/// The HTTPS listener's TLS settings from a merged config file.
pub fn build_https_tls(c: &FileConfig) -> HttpsTls {
    let tls = c.tls.as_ref();
    let pick = |key: &str, old: &Option<String>| {
        block_str(tls, "https", key)
            .or_else(|| block_str(tls, "defaults", key))
            .or_else(|| old.clone())
            .filter(|s| !s.is_empty())
    };
    HttpsTls {
        ca_file: pick("ca_file", &c.ca_file),
        ca_path: pick("ca_path", &c.ca_path),
        cert_file: pick("cert_file", &c.cert_file),
        key_file: pick("key_file", &c.key_file),
        verify_incoming: block_bool(tls, "https", "verify_incoming")
            .or_else(|| block_bool(tls, "defaults", "verify_incoming"))
            .unwrap_or_else(|| {
                c.verify_incoming.unwrap_or(false) || c.verify_incoming_https.unwrap_or(false)
            }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(json: &str) -> FileConfig {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn top_level_keys_apply_and_https_verify_alone_turns_it_on() {
        let t = build_https_tls(&cfg(
            r#"{"ca_file":"ca.pem","cert_file":"c.pem","key_file":"k.pem","ca_path":"/cas","verify_incoming_https":true}"#,
        ));
        assert_eq!(t.ca_file.as_deref(), Some("ca.pem"));
        assert_eq!(t.ca_path.as_deref(), Some("/cas"));
        assert_eq!(t.cert_file.as_deref(), Some("c.pem"));
        assert_eq!(t.key_file.as_deref(), Some("k.pem"));
        assert!(t.verify_incoming);
    }

    #[test]
    fn tls_block_https_overrides_defaults() {
        let t = build_https_tls(&cfg(
            r#"{"cert_file":"old.pem","tls":{"defaults":{"cert_file":"d.pem","key_file":"dk.pem","verify_incoming":true},"https":{"cert_file":"h.pem","verify_incoming":false}}}"#,
        ));
        assert_eq!(t.cert_file.as_deref(), Some("h.pem"));
        assert_eq!(t.key_file.as_deref(), Some("dk.pem"));
        assert!(!t.verify_incoming);
    }
}
