//! `consul acl auth-method`: create, read, list, update and delete auth
//! methods, which `consul login` trades outside credentials with.

pub mod create;
pub mod delete;
pub mod format;
pub mod list;
pub mod read;
pub mod update;

use std::collections::BTreeMap;

use anyhow::anyhow;

use crate::command::acl::shared;
use crate::command::flags::{FlagSet, Kind, Parsed};

const SUBCOMMANDS: &[crate::command::Subcommand] = &[
    ("create", "Create an ACL auth method", create::run),
    ("delete", "Delete an ACL auth method", delete::run),
    ("list", "Lists ACL auth methods", list::run),
    ("read", "Read an ACL auth method", read::run),
    ("update", "Update an ACL auth method", update::run),
];

/// Dispatch `consul acl auth-method <sub>`; the subcommand list (exit 1) otherwise.
pub fn run(args: &[String]) -> i32 {
    crate::command::dispatch("consul acl auth-method", SUBCOMMANDS, args)
}

/// The `-meta` flag of the printing verbs.
pub(crate) fn meta_flag(fs: &mut FlagSet) {
    shared::meta_flag(fs, "Also show the auth method's Raft indexes.");
}

/// The fields create and update share (`-config` and the Kubernetes ones).
pub(crate) fn content_flags(fs: &mut FlagSet) {
    fs.flag(
        "display-name",
        Kind::Str,
        "",
        "A name to show instead of the name in UIs.",
    )
    .flag(
        "description",
        Kind::Str,
        "",
        "Free text describing the auth method.",
    )
    .flag(
        "max-token-ttl",
        Kind::Str,
        "",
        "How long tokens made by logins to this method live, as a duration (e.g. 1h).",
    )
    .flag(
        "token-locality",
        Kind::Str,
        "",
        "Whether logins make 'local' or 'global' tokens (empty: local).",
    )
    .flag(
        "config",
        Kind::Str,
        "",
        "The method's configuration as a JSON object; '@path' reads it from a \
         file and '-' from stdin.",
    )
    .flag(
        "kubernetes-host",
        Kind::Str,
        "",
        "Address of the Kubernetes API server (type=kubernetes).",
    )
    .flag(
        "kubernetes-ca-cert",
        Kind::Str,
        "",
        "PEM CA certificate of the Kubernetes API, or '@path' to read it from \
         a file (type=kubernetes).",
    )
    .flag(
        "kubernetes-service-account-jwt",
        Kind::Str,
        "",
        "A service account JWT allowed to call the TokenReview API (type=kubernetes).",
    );
}

/// The Kubernetes flags as given (host, CA cert, service account JWT).
pub(crate) struct K8s {
    /// `-kubernetes-host`.
    pub host: String,
    /// `-kubernetes-ca-cert`, loaded when it names a file.
    pub ca_cert: String,
    /// `-kubernetes-service-account-jwt`.
    pub jwt: String,
}

impl K8s {
    /// The flags as given.
    pub fn from(p: &Parsed) -> K8s {
        let get = |f: &str| p.str(f).unwrap_or_default().to_string();
        K8s {
            host: get("kubernetes-host"),
            ca_cert: get("kubernetes-ca-cert"),
            jwt: get("kubernetes-service-account-jwt"),
        }
    }

    /// Replace a given CA cert by its text when it is `@file` or `-`.
    pub fn load_ca_cert(&mut self) -> anyhow::Result<()> {
        if self.ca_cert.is_empty() {
            return Ok(());
        }
        self.ca_cert = shared::load_data_source(&self.ca_cert)
            .map_err(|e| anyhow!("Invalid '-kubernetes-ca-cert' value: {e}"))?;
        if self.ca_cert.is_empty() {
            return Err(anyhow!("Kubernetes CA Cert is empty"));
        }
        Ok(())
    }

    /// Whether any of them was given.
    pub fn any(&self) -> bool {
        !(self.host.is_empty() && self.ca_cert.is_empty() && self.jwt.is_empty())
    }

    /// All three are required for a kubernetes method; Consul's message
    /// for the first missing one.
    pub fn require_all(&self) -> anyhow::Result<()> {
        for (v, flag) in [
            (&self.host, "kubernetes-host"),
            (&self.ca_cert, "kubernetes-ca-cert"),
            (&self.jwt, "kubernetes-service-account-jwt"),
        ] {
            if v.is_empty() {
                return Err(anyhow!("Missing required '-{flag}' flag"));
            }
        }
        Ok(())
    }

    /// The config a kubernetes method gets from the flags.
    pub fn config(&self) -> BTreeMap<String, serde_json::Value> {
        BTreeMap::from([
            ("Host".to_string(), self.host.clone().into()),
            ("CACert".to_string(), self.ca_cert.clone().into()),
            ("ServiceAccountJWT".to_string(), self.jwt.clone().into()),
        ])
    }
}

/// `-config` loaded and parsed as a JSON object (`None` when not given;
/// `Some(None)` for `null`). `conflict` is the message when Kubernetes
/// flags are given too, `parse_err` starts the one for JSON that is not an
/// object (create and update word both differently).
pub(crate) fn config(
    p: &Parsed,
    k8s: &K8s,
    conflict: &str,
    parse_err: &str,
) -> anyhow::Result<Option<Option<BTreeMap<String, serde_json::Value>>>> {
    let raw = p.str("config").unwrap_or_default();
    if raw.is_empty() {
        return Ok(None);
    }
    if k8s.any() {
        return Err(anyhow!("{conflict}"));
    }
    let data = shared::load_data_source(raw)
        .map_err(|e| anyhow!("Error loading configuration file: {e}"))?;
    // Go decodes into a map: `null` leaves it nil, anything but an object fails.
    let v: Option<BTreeMap<String, serde_json::Value>> =
        serde_json::from_str(&data).map_err(|e| anyhow!("{parse_err}: {e}"))?;
    Ok(Some(v))
}
