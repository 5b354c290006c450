//! `consul snapshot save`: fetch an archive, write it to FILE.unverified,
//! verify it, then rename it to FILE (Consul's steps and messages).

use anyhow::anyhow;

use super::progress::Progress;
use crate::command::flags::FlagSet;
use crate::command::{http, ui};

const HELP: &str = r#"Usage: consul snapshot save [options] FILE

  Retrieves an atomic, point-in-time snapshot of the state of the Consul servers
  which includes key/value entries, service catalog, prepared queries, sessions,
  and ACLs.

  If ACLs are enabled, a management token must be supplied in order to perform
  snapshot operations.

  To create a snapshot from the leader server and save it to "backup.snap":

    $ consul snapshot save backup.snap

  To create a potentially stale snapshot from any available server (useful if no
  leader is available):

    $ consul snapshot save -stale backup.snap"#;

/// Run `consul snapshot save`.
pub fn run(args: &[String]) -> i32 {
    let mut fs = FlagSet::new(HELP);
    http::client_flags(&mut fs);
    http::server_flags(&mut fs);
    ui::run(&fs, args, |p| async move {
        let file = super::file_arg(&p.args)?.to_string();
        let client = http::client(&p)?;
        let mut progress = Progress::stderr();
        let (archive, meta) = client
            .snapshot()
            .save(&http::query_options(&p), |n| progress.show("Received", n))
            .await
            .map_err(|e| anyhow!("Error saving snapshot: {e}"))?;
        progress.done();
        let unverified = format!("{file}.unverified");
        write_private(&unverified, &archive)
            .map_err(|e| anyhow!("Error writing unverified snapshot file: {e}"))?;
        let verified = std::fs::read(&unverified)
            .map_err(|e| anyhow!("Error opening snapshot file for verify: {e}"))
            .and_then(|b| {
                consul_types::snapshot::read(&b)
                    .map_err(|e| anyhow!("Error verifying snapshot file: {e}"))
            });
        if let Err(e) = verified {
            let _ = std::fs::remove_file(&unverified);
            return Err(e);
        }
        if let Err(e) = std::fs::rename(&unverified, &file) {
            let _ = std::fs::remove_file(&unverified);
            return Err(anyhow!("Error renaming {unverified:?} to {file:?}: {e}"));
        }
        ui::out(format!(
            "Saved and verified snapshot to index {}",
            meta.last_index
        ));
        Ok(0)
    })
}

/// Write `bytes` to `path` (mode 0600), synced to disk.
fn write_private(path: &str, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}
