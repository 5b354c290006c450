//! `consul snapshot restore`: send an archive to the leader, which verifies
//! and restores it on every server.

use anyhow::anyhow;

use super::progress::Progress;
use crate::command::flags::FlagSet;
use crate::command::{http, ui};

const HELP: &str = r#"Usage: consul snapshot restore [options] FILE

  Restores an atomic, point-in-time snapshot of the state of the Consul servers
  which includes key/value entries, service catalog, prepared queries, sessions,
  and ACLs.

  Restores involve a potentially dangerous low-level Raft operation that is not
  designed to handle server failures during a restore. This command is primarily
  intended to be used when recovering from a disaster, restoring into a fresh
  cluster of Consul servers.

  If ACLs are enabled, a management token must be supplied in order to perform
  snapshot operations.

  To restore a snapshot from the file "backup.snap":

    $ consul snapshot restore backup.snap"#;

/// Run `consul snapshot restore`.
pub fn run(args: &[String]) -> i32 {
    let mut fs = FlagSet::new(HELP);
    http::client_flags(&mut fs);
    http::server_flags(&mut fs);
    ui::run(&fs, args, |p| async move {
        let file = super::file_arg(&p.args)?.to_string();
        let client = http::client(&p)?;
        let archive = std::fs::read(&file).map_err(|e| {
            anyhow!(
                "Error opening snapshot file: {}",
                http::go_open_error(&file, &e)
            )
        })?;
        let mut progress = Progress::stderr();
        progress.show("Restoring", archive.len() as u64);
        let res = client
            .snapshot()
            .restore(&Default::default(), archive)
            .await;
        progress.done();
        res.map_err(|e| anyhow!("Error restoring snapshot: {e}"))?;
        ui::out("Restored snapshot");
        Ok(0)
    })
}
