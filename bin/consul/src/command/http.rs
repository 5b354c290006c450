//! The flags every HTTP-client command shares (Consul's `HTTPFlags`) and
//! building an API client from them.

use anyhow::anyhow;
use consul_api::{Client, Config, QueryOptions};

use super::flags::{FlagSet, Kind, Parsed};

/// `-http-addr`, `-token`, `-token-file` and the TLS file flags.
pub fn client_flags(fs: &mut FlagSet) {
    fs.flag(
        "http-addr",
        Kind::Str,
        "",
        "The `address` and port of the Consul HTTP agent. The value can be an IP \
         address or DNS address, but it must also include the port. This can also \
         be specified via the CONSUL_HTTP_ADDR environment variable. The default \
         value is http://127.0.0.1:8500.",
    )
    .flag(
        "token",
        Kind::Str,
        "",
        "ACL token to use in the request. This can also be specified via the \
         CONSUL_HTTP_TOKEN environment variable. If unspecified, the query will \
         default to the token of the Consul agent at the HTTP address.",
    )
    .flag(
        "token-file",
        Kind::Str,
        "",
        "File containing the ACL token to use in the request instead of one \
         specified via the -token argument or CONSUL_HTTP_TOKEN environment \
         variable. This can also be specified via the CONSUL_HTTP_TOKEN_FILE \
         environment variable.",
    );
    for (name, what) in [
        (
            "ca-file",
            "Path to a CA file to use for TLS when communicating with Consul.",
        ),
        (
            "ca-path",
            "Path to a directory of CA certificates to use for TLS.",
        ),
        ("client-cert", "Path to a client cert file to use for TLS."),
        ("client-key", "Path to a client key file to use for TLS."),
        (
            "tls-server-name",
            "The server name to use as the SNI host when connecting via TLS.",
        ),
    ] {
        fs.flag(name, Kind::Str, "", what);
    }
}

/// `-datacenter` and `-stale`.
pub fn server_flags(fs: &mut FlagSet) {
    fs.flag(
        "datacenter",
        Kind::Str,
        "",
        "Name of the datacenter to query. If unspecified, this will default to \
         the datacenter of the queried agent.",
    )
    .flag(
        "stale",
        Kind::Bool,
        "",
        "Permit any Consul server (non-leader) to respond to this request. This \
         allows for lower latency and higher throughput, but can result in stale \
         data. This option has no effect on non-read operations. The default \
         value is false.",
    );
}

/// Apply the TLS flags (`-ca-file`, `-ca-path`, `-client-cert`,
/// `-client-key`, `-tls-server-name`) over the environment's settings.
fn apply_tls_flags(cfg: &mut Config, p: &Parsed) {
    for (flag, field) in [
        ("ca-file", &mut cfg.tls.ca_file),
        ("ca-path", &mut cfg.tls.ca_path),
        ("client-cert", &mut cfg.tls.cert_file),
        ("client-key", &mut cfg.tls.key_file),
        ("tls-server-name", &mut cfg.tls.server_name),
    ] {
        if let Some(v) = p.str(flag).filter(|v| !v.is_empty()) {
            *field = v.to_string();
        }
    }
}

/// A client configured from the environment, overridden by the flags.
pub fn client(p: &Parsed) -> anyhow::Result<Client> {
    let mut cfg = Config::from_env();
    if let Some(addr) = p.str("http-addr").filter(|a| !a.is_empty()) {
        cfg.set_address(addr);
    }
    apply_tls_flags(&mut cfg, p);
    if let Some(token) = p.str("token") {
        cfg.token = token.to_string();
    }
    // As Go's api.NewClient: a token file (-token-file, else
    // CONSUL_HTTP_TOKEN_FILE) wins over -token and CONSUL_HTTP_TOKEN when it
    // holds a token; one that cannot be read is an error.
    let token_file = p
        .str("token-file")
        .map(str::to_string)
        .or_else(|| std::env::var("CONSUL_HTTP_TOKEN_FILE").ok())
        .filter(|f| !f.is_empty());
    if let Some(file) = token_file {
        let t = std::fs::read_to_string(&file).map_err(|e| {
            anyhow!(
                "Error connecting to Consul agent: Error loading token file: {}",
                go_open_error(&file, &e)
            )
        })?;
        if !t.trim().is_empty() {
            cfg.token = t.trim().to_string();
        }
    }
    if let Some(dc) = p.str("datacenter") {
        cfg.datacenter = dc.to_string();
    }
    Client::new(cfg).map_err(|e| anyhow!("Error connecting to Consul agent: {e}"))
}

/// A client like [`client`] that sends no token at all (`-token`,
/// `-token-file` and their environment variables ignored), as `consul
/// login` must.
pub fn anonymous_client(p: &Parsed) -> anyhow::Result<Client> {
    let mut cfg = Config::from_env();
    if let Some(addr) = p.str("http-addr").filter(|a| !a.is_empty()) {
        cfg.set_address(addr);
    }
    apply_tls_flags(&mut cfg, p);
    cfg.token.clear();
    if let Some(dc) = p.str("datacenter") {
        cfg.datacenter = dc.to_string();
    }
    Client::new(cfg).map_err(|e| anyhow!("Error connecting to Consul agent: {e}"))
}

/// An I/O error as Go words a failed `os.Open`: `open <path>: no such file
/// or directory`.
pub fn go_open_error(path: &str, e: &std::io::Error) -> String {
    let msg = e.to_string();
    let msg = match msg.rfind(" (os error ") {
        Some(i) => msg[..i].to_string(),
        None => msg,
    };
    let mut chars = msg.chars();
    let msg: String = match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => msg,
    };
    format!("open {path}: {msg}")
}

/// Read options from `-stale`.
pub fn query_options(p: &Parsed) -> QueryOptions {
    QueryOptions {
        stale: p.bool("stale"),
        ..Default::default()
    }
}
