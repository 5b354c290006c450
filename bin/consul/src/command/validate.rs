//! `consul validate`: load config files and directories exactly as `consul
//! agent` would, without starting anything.

use std::path::PathBuf;

use consul_config::AgentFlags;

use super::flags::{FlagSet, Kind};
use super::ui;

const HELP: &str = r#"Usage: consul validate [options] FILE_OR_DIRECTORY...

  Performs a thorough sanity test on Consul configuration files. For each file
  or directory given, the validate command will attempt to parse the contents
  just as the "consul agent" command would, and catch any errors.

  This is useful to do a test of the configuration only, without actually
  starting the agent. This performs all of the validation the agent would, so
  this should be given the complete set of configuration files that are going
  to be loaded by the agent. This command cannot operate on partial
  configuration fragments since those won't pass the full agent validation.

  Returns 0 if the configuration is valid, or 1 if there are problems.

      $ consul validate /etc/consul.d"#;

/// Run `consul validate`.
pub fn run(args: &[String]) -> i32 {
    let mut fs = FlagSet::new(HELP);
    fs.flag(
        "config-format",
        Kind::Str,
        "",
        "Config files are in this format irrespective of their extension. Must \
         be 'hcl' or 'json'",
    )
    .flag(
        "quiet",
        Kind::Bool,
        "",
        "When given, a successful run will produce no output.",
    );
    let p = match ui::parse(&fs, args) {
        Ok(p) => p,
        Err(code) => return code,
    };
    if p.args.is_empty() {
        ui::err("Must specify at least one config file or directory");
        return 1;
    }
    let format = p.str("config-format").filter(|f| !f.is_empty());
    if let Some(f) = format {
        if f != "json" && f != "hcl" {
            ui::err("-config-format must be either 'hcl' or 'json");
            return 1;
        }
    }
    let flags = AgentFlags {
        config_paths: p.args.iter().map(PathBuf::from).collect(),
        config_format: format.map(str::to_string),
        ..Default::default()
    };
    match consul_config::load(&flags) {
        Ok(cfg) => {
            for w in &cfg.warnings {
                ui::err(w);
            }
            if !p.bool("quiet") {
                ui::out("Configuration is valid!");
            }
            0
        }
        Err(e) => {
            ui::err(format!("Config validation failed: {e}"));
            1
        }
    }
}
