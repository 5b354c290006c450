//! TLS for `https` agents: trusted CAs, a client certificate, the expected
//! server name and skipping verification, applied to the reqwest (rustls)
//! client builder as Go's `api.SetupTLSConfig` does for its transport.

use std::net::ToSocketAddrs;

use reqwest::{Certificate, ClientBuilder, Identity};

use crate::client::Config;
use crate::ApiError;

fn read(path: &str, what: &str) -> Result<Vec<u8>, ApiError> {
    std::fs::read(path).map_err(|e| ApiError::Config(format!("Error loading {what} {path}: {e}")))
}

/// Every certificate in a PEM file.
fn pem_certs(path: &str) -> Result<Vec<Certificate>, ApiError> {
    Certificate::from_pem_bundle(&read(path, "CA file")?)
        .map_err(|e| ApiError::Config(format!("Error parsing CA file {path}: {e}")))
}

/// Every certificate in the PEM files of a directory.
fn dir_certs(dir: &str) -> Result<Vec<Certificate>, ApiError> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| ApiError::Config(format!("Error loading CA path {dir}: {e}")))?;
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_file() {
            out.extend(pem_certs(&path.to_string_lossy())?);
        }
    }
    Ok(out)
}

/// Apply `config.tls` to `builder` for an `https` agent.
pub(crate) fn configure(
    mut builder: ClientBuilder,
    config: &Config,
) -> Result<ClientBuilder, ApiError> {
    let t = &config.tls;
    let mut roots = Vec::new();
    if !t.ca_file.is_empty() {
        roots = pem_certs(&t.ca_file)?;
    } else if !t.ca_path.is_empty() {
        roots = dir_certs(&t.ca_path)?;
    }
    if !roots.is_empty() {
        // A configured CA replaces the system roots, as in Go.
        builder = builder.tls_built_in_root_certs(false);
        for c in roots {
            builder = builder.add_root_certificate(c);
        }
    }
    match (t.cert_file.is_empty(), t.key_file.is_empty()) {
        (true, true) => {}
        (false, false) => {
            let mut pem = read(&t.cert_file, "client cert")?;
            pem.push(b'\n');
            pem.extend(read(&t.key_file, "client key")?);
            let id = Identity::from_pem(&pem)
                .map_err(|e| ApiError::Config(format!("Error loading client cert/key: {e}")))?;
            builder = builder.identity(id);
        }
        _ => {
            return Err(ApiError::Config(
                "both client cert and client key must be provided".to_string(),
            ))
        }
    }
    if !t.server_name.is_empty() {
        // The URL names the server (so SNI and verification use it); the
        // connection still goes to the configured address.
        if let Some(addr) = config
            .address
            .to_socket_addrs()
            .ok()
            .and_then(|mut a| a.next())
        {
            builder = builder.resolve(&t.server_name, addr);
        }
    }
    if t.insecure_skip_verify {
        builder = builder.danger_accept_invalid_certs(true);
    }
    Ok(builder)
}
