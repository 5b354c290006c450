//! The HTTPS API listener's rustls server configuration, from `cert_file`,
//! `key_file`, `ca_file` and `verify_incoming` (see `consul_config::HttpsTls`).

use std::sync::Arc;

use consul_config::HttpsTls;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// Why the HTTPS listener's TLS settings are unusable.
#[derive(Debug, thiserror::Error)]
pub enum TlsSetupError {
    /// `ports.https` is on but a certificate or key file is not configured.
    #[error("HTTPS listener requires cert_file and key_file")]
    MissingCert,
    /// `verify_incoming` without a CA to verify against (Consul's words).
    #[error("VerifyIncoming set, and no CA certificate provided!")]
    MissingCa,
    /// A PEM file could not be read or holds nothing usable.
    #[error("failed to load {path}: {reason}")]
    Load {
        /// The file.
        path: String,
        /// What went wrong.
        reason: String,
    },
    /// rustls refused the combination.
    #[error("TLS config: {0}")]
    Rustls(#[from] rustls::Error),
    /// The client verifier could not be built.
    #[error("TLS client verification: {0}")]
    Verifier(#[from] rustls::server::VerifierBuilderError),
}

fn load_err(path: &str, e: impl std::fmt::Display) -> TlsSetupError {
    TlsSetupError::Load {
        path: path.to_string(),
        reason: e.to_string(),
    }
}

/// Every certificate in a PEM file.
fn certs(path: &str) -> Result<Vec<CertificateDer<'static>>, TlsSetupError> {
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| load_err(path, e))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| load_err(path, e))?;
    if certs.is_empty() {
        return Err(load_err(path, "no certificates found"));
    }
    Ok(certs)
}

/// The CA certificates from `ca_file`, else every file in `ca_path`, each
/// with the file it came from.
fn ca_certs(t: &HttpsTls) -> Result<Vec<(String, CertificateDer<'static>)>, TlsSetupError> {
    let files = match (&t.ca_file, &t.ca_path) {
        (Some(f), _) => vec![f.clone()],
        (None, Some(dir)) => {
            let mut files: Vec<String> = std::fs::read_dir(dir)
                .map_err(|e| load_err(dir, e))?
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .map(|p| p.display().to_string())
                .collect();
            files.sort();
            files
        }
        (None, None) => Vec::new(),
    };
    let mut out = Vec::new();
    for f in files {
        out.extend(certs(&f)?.into_iter().map(|c| (f.clone(), c)));
    }
    Ok(out)
}

/// A rustls server config for the HTTPS API: HTTP/1.1, and with
/// `verify_incoming` a client certificate signed by `ca_file` required.
pub fn server_config(t: &HttpsTls) -> Result<rustls::ServerConfig, TlsSetupError> {
    let (Some(cert_file), Some(key_file)) = (&t.cert_file, &t.key_file) else {
        return Err(TlsSetupError::MissingCert);
    };
    let chain = certs(cert_file)?;
    let key = PrivateKeyDer::from_pem_file(key_file).map_err(|e| load_err(key_file, e))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()?;
    let builder = if t.verify_incoming {
        let mut roots = rustls::RootCertStore::empty();
        for (file, c) in ca_certs(t)? {
            roots.add(c).map_err(|e| load_err(&file, e))?;
        }
        if roots.is_empty() {
            return Err(TlsSetupError::MissingCa);
        }
        let verifier =
            rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                .build()?;
        builder.with_client_cert_verifier(verifier)
    } else {
        builder.with_no_client_auth()
    };
    let mut cfg = builder.with_single_cert(chain, key)?;
    cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(cfg)
}
