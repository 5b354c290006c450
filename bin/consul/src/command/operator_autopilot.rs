//! `consul operator autopilot`: `get-config`.

use anyhow::anyhow;
use consul_api::operator::AutopilotConfiguration;
use consul_types::duration::format_go_duration;

use super::flags::FlagSet;
use super::{http, ui};

const SUBCOMMANDS: &[(&str, &str)] =
    &[("get-config", "Display the current Autopilot configuration")];

/// Dispatch `consul operator autopilot <sub>`.
pub fn run(args: &[String]) -> i32 {
    let rest = args.get(1..).unwrap_or_default();
    match args.first().map(String::as_str) {
        Some("get-config") => get_config(rest),
        Some("-h" | "-help" | "--help") => {
            ui::err(super::usage("consul operator autopilot", SUBCOMMANDS));
            0
        }
        _ => {
            ui::err(super::usage("consul operator autopilot", SUBCOMMANDS));
            1
        }
    }
}

const GET_HELP: &str = "Usage: consul operator autopilot get-config [options]\n\n  \
Displays the current autopilot configuration.";

/// `consul operator autopilot get-config`.
pub fn get_config(args: &[String]) -> i32 {
    let mut fs = FlagSet::new(GET_HELP);
    http::client_flags(&mut fs);
    http::server_flags(&mut fs);
    ui::run(&fs, args, |p| async move {
        let client = http::client(&p)?;
        let c = client
            .operator()
            .autopilot_get_configuration(&http::query_options(&p))
            .await
            .map_err(|e| anyhow!("Error querying Autopilot configuration: {e}"))?;
        ui::out(render(&c));
        Ok(0)
    })
}

/// Consul's `Key = value` lines (strings quoted like Go's `%q`).
pub fn render(c: &AutopilotConfiguration) -> String {
    [
        format!("CleanupDeadServers = {}", c.cleanup_dead_servers),
        format!(
            "LastContactThreshold = {}",
            format_go_duration(c.last_contact_threshold)
        ),
        format!("MaxTrailingLogs = {}", c.max_trailing_logs),
        format!("MinQuorum = {}", c.min_quorum),
        format!(
            "ServerStabilizationTime = {}",
            format_go_duration(c.server_stabilization_time)
        ),
        format!("RedundancyZoneTag = {:?}", c.redundancy_zone_tag),
        format!("DisableUpgradeMigration = {}", c.disable_upgrade_migration),
        format!("UpgradeVersionTag = {:?}", c.upgrade_version_tag),
    ]
    .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_the_defaults_like_consul() {
        let c = AutopilotConfiguration {
            cleanup_dead_servers: true,
            last_contact_threshold: std::time::Duration::from_millis(200),
            max_trailing_logs: 250,
            server_stabilization_time: std::time::Duration::from_secs(10),
            ..Default::default()
        };
        assert_eq!(
            render(&c),
            "CleanupDeadServers = true\n\
             LastContactThreshold = 200ms\n\
             MaxTrailingLogs = 250\n\
             MinQuorum = 0\n\
             ServerStabilizationTime = 10s\n\
             RedundancyZoneTag = \"\"\n\
             DisableUpgradeMigration = false\n\
             UpgradeVersionTag = \"\""
        );
    }
}
