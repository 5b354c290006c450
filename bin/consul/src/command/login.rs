//! `consul login`: trade a bearer token (a JWT) with an auth method for a
//! new Consul token, whose SecretID is written to `-token-sink-file`.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use anyhow::anyhow;
use consul_api::acl::AclLoginParams;

use super::acl::shared;
use super::flags::{FlagSet, Kind};
use super::{http, ui};

const HELP: &str = r#"Usage: consul login [options]

  Sends the bearer token in -bearer-token-file to the auth method -method
  and writes the SecretID of the Consul token it is exchanged for to
  -token-sink-file. "consul logout" destroys such a token again."#;

fn flags() -> FlagSet {
    let mut fs = FlagSet::new(HELP);
    fs.flag(
        "method",
        Kind::Str,
        "",
        "The name of the auth method to log in to.",
    )
    .flag(
        "type",
        Kind::Str,
        "",
        "The auth method's type (optional; not used by this build).",
    )
    .flag(
        "bearer-token-file",
        Kind::Str,
        "",
        "Path to a file holding the bearer token to present to the auth method.",
    )
    .flag(
        "token-sink-file",
        Kind::Str,
        "",
        "The file the new token's SecretID is written to.",
    )
    .flag(
        "meta",
        Kind::Multi,
        "",
        "Metadata for the new token as key=value; may be given more than once.",
    );
    shared::http_flags(&mut fs);
    fs
}

/// Run `consul login`.
pub fn run(args: &[String]) -> i32 {
    ui::run(&flags(), args, |p| async move {
        let mut meta = BTreeMap::new();
        for v in p.all("meta") {
            let (k, val) = v.split_once('=').ok_or_else(|| {
                anyhow!("invalid value {v:?} for flag -meta: Missing \"=\" value in argument: {v}")
            })?;
            meta.insert(k.to_string(), val.to_string());
        }
        if !p.args.is_empty() {
            return Err(anyhow!("Should have no non-flag arguments."));
        }
        let get = |f: &str| p.str(f).unwrap_or_default().to_string();
        let (method, sink, bearer_file) = (
            get("method"),
            get("token-sink-file"),
            get("bearer-token-file"),
        );
        for (v, flag) in [
            (&method, "method"),
            (&sink, "token-sink-file"),
            (&bearer_file, "bearer-token-file"),
        ] {
            if v.is_empty() {
                return Err(anyhow!("Missing required '-{flag}' flag"));
            }
        }
        let bearer = std::fs::read_to_string(&bearer_file)
            .map_err(|e| anyhow!("{}", http::go_open_error(&bearer_file, &e)))?;
        let bearer = bearer.trim();
        if bearer.is_empty() {
            return Err(anyhow!("No bearer token found in {bearer_file}"));
        }
        // A login carries no token of its own.
        let client = http::anonymous_client(&p)?;
        let params = AclLoginParams {
            auth_method: method,
            bearer_token: bearer.to_string(),
            meta,
        };
        let t = client
            .acl()
            .login(&params, &Default::default())
            .await
            .map_err(|e| anyhow!("Error logging in: {e}"))?;
        write_sink(Path::new(&sink), t.secret_id.as_bytes())
            .map_err(|e| anyhow!("Error writing token to file sink: {e}"))?;
        Ok(0)
    })
}

/// Write `data` to `path` atomically (a temporary file beside it, synced,
/// then renamed), readable only by the owner; missing parent directories
/// are made (0755).
fn write_sink(path: &Path, data: &[u8]) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    if let Some(dir) = dir {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o755)
            .create(dir)?;
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!("-{}.tmp", std::process::id()));
    let tmp = std::path::PathBuf::from(tmp);
    let written = (|| {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)?;
        f.write_all(data)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn sink_is_replaced_atomically_and_private() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("sub/token");
        write_sink(&p, b"one").unwrap();
        write_sink(&p, b"two").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "two");
        let mode = std::fs::metadata(&p).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(std::fs::read_dir(p.parent().unwrap()).unwrap().count(), 1);
    }
}
