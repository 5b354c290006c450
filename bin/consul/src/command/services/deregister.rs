//! `consul services deregister`: deregister services by id or by the config
//! files that defined them.

use anyhow::anyhow;

use crate::command::flags::{FlagSet, Kind};
use crate::command::{http, ui};

const HELP: &str = r#"Usage: consul services deregister [options] [FILE...]

  Deregister one or more services that were previously registered with
  the local agent.

      $ consul services deregister web.json
      $ consul services deregister -id=web

  The -id flag may be used to deregister a single service by ID. Arguments
  are also accepted as a list of files, each containing service definitions
  to deregister."#;

/// Run `consul services deregister`.
pub fn run(args: &[String]) -> i32 {
    let mut fs = FlagSet::new(HELP);
    fs.flag(
        "id",
        Kind::Str,
        "",
        "ID to deregister. This must not be set if arguments are given.",
    );
    http::client_flags(&mut fs);
    http::server_flags(&mut fs);
    let p = match ui::parse(&fs, args) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let id = p.str("id").unwrap_or_default().to_string();
    if p.args.is_empty() && id.is_empty() {
        ui::err("Service deregistration requires at least one argument or -id.");
        return 1;
    }
    if !p.args.is_empty() && !id.is_empty() {
        ui::err("Service deregistration requires arguments or -id, not both.");
        return 1;
    }
    let ids = if p.args.is_empty() {
        vec![id]
    } else {
        match super::services_from_files(&p.args) {
            Ok(s) => s.iter().map(super::service_id).collect(),
            Err(e) => {
                ui::err(format!("Error: {e}"));
                return 1;
            }
        }
    };
    ui::block_on(async move {
        let client = http::client(&p)?;
        for id in &ids {
            client.agent().service_deregister(id).await.map_err(|e| {
                anyhow!(
                    "Error deregistering service {}: {e}",
                    crate::command::maint::go_quote(id)
                )
            })?;
            ui::out(format!("Deregistered service: {id}"));
        }
        Ok(0)
    })
}
