//! `consul maint`: node and service maintenance mode.

use anyhow::anyhow;

use super::flags::{FlagSet, Kind};
use super::{http, ui};

const HELP: &str = r#"Usage: consul maint [options]

  Places a node or service into maintenance mode. During maintenance mode,
  the node or service will be excluded from all queries through the DNS
  or API interfaces, effectively taking it out of the pool of available
  nodes. This is done by registering an additional critical health check.

  When enabling maintenance mode for a node or service, you may optionally
  specify a reason string. This string will appear in the "Notes" field
  of the critical health check which is registered against the node or
  service. If no reason is provided, a default value will be used.

  Maintenance mode is persistent, and will be restored in the event of an
  agent restart. It is therefore required to disable maintenance mode on
  a given node or service before it will be placed back into the pool.

  By default, we operate on the node as a whole. By specifying the
  "-service" argument, this behavior can be changed to enable or disable
  only a specific service.

  If no arguments are given, the agent's maintenance status will be shown.
  This will return blank if nothing is currently under maintenance."#;

/// Run `consul maint`.
pub fn run(args: &[String]) -> i32 {
    let mut fs = FlagSet::new(HELP);
    fs.flag("enable", Kind::Bool, "", "Enable maintenance mode.")
        .flag("disable", Kind::Bool, "", "Disable maintenance mode.")
        .flag(
            "reason",
            Kind::Str,
            "",
            "Text describing the maintenance reason.",
        )
        .flag(
            "service",
            Kind::Str,
            "",
            "Control maintenance mode for a specific service ID.",
        );
    http::client_flags(&mut fs);
    let p = match ui::parse(&fs, args) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let enable = p.bool("enable");
    let disable = p.bool("disable");
    let reason = p.str("reason").unwrap_or_default().to_string();
    let service = p.str("service").unwrap_or_default().to_string();
    if enable && disable {
        ui::err("Only one of -enable or -disable may be provided");
        return 1;
    }
    if !enable && !reason.is_empty() {
        ui::err("Reason may only be provided with -enable");
        return 1;
    }
    if !enable && !disable && !service.is_empty() {
        ui::err("Service requires either -enable or -disable");
        return 1;
    }
    ui::block_on(async move {
        let client = http::client(&p)?;
        let a = client.agent();
        if !enable && !disable {
            let node = a
                .node_name()
                .await
                .map_err(|e| anyhow!("Error querying Consul agent: {e}"))?;
            let checks = a
                .checks()
                .await
                .map_err(|e| anyhow!("Error getting checks: {e}"))?;
            for check in checks.values() {
                if check.check_id == "_node_maintenance" {
                    ui::out("Node:");
                    ui::out(format!("  Name:   {node}"));
                    ui::out(format!("  Reason: {}", check.notes));
                    ui::out("");
                } else if check.check_id.starts_with("_service_maintenance:") {
                    ui::out("Service:");
                    ui::out(format!("  ID:     {}", check.service_id));
                    ui::out(format!("  Reason: {}", check.notes));
                    ui::out("");
                }
            }
            return Ok(0);
        }
        match (enable, service.is_empty()) {
            (true, true) => {
                a.enable_node_maintenance(&reason)
                    .await
                    .map_err(|e| anyhow!("Error enabling node maintenance: {e}"))?;
                ui::out("Node maintenance is now enabled");
            }
            (true, false) => {
                a.enable_service_maintenance(&service, &reason)
                    .await
                    .map_err(|e| anyhow!("Error enabling service maintenance: {e}"))?;
                ui::out(format!(
                    "Service maintenance is now enabled for {}",
                    go_quote(&service)
                ));
            }
            (false, true) => {
                a.disable_node_maintenance()
                    .await
                    .map_err(|e| anyhow!("Error disabling node maintenance: {e}"))?;
                ui::out("Node maintenance is now disabled");
            }
            (false, false) => {
                a.disable_service_maintenance(&service)
                    .await
                    .map_err(|e| anyhow!("Error disabling service maintenance: {e}"))?;
                ui::out(format!(
                    "Service maintenance is now disabled for {}",
                    go_quote(&service)
                ));
            }
        }
        Ok(0)
    })
}

/// Go's `%q` for the strings service ids are made of.
pub(crate) fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
