//! `consul info`: the agent's `Stats` (from `/v1/agent/self`), section by
//! section and key by key in sorted order, as Consul prints them.

use anyhow::anyhow;

use super::flags::FlagSet;
use super::{http, ui};

const HELP: &str =
    "Usage: consul info [options]\n\n  Provides debugging information for operators.";

/// Run `consul info`.
pub fn run(args: &[String]) -> i32 {
    let mut fs = FlagSet::new(HELP);
    http::client_flags(&mut fs);
    ui::run(&fs, args, |p| async move {
        let client = http::client(&p)?;
        let me = client
            .agent()
            .self_()
            .await
            .map_err(|e| anyhow!("Error querying agent: {e}"))?;
        let Some(stats) = me.get("Stats").and_then(|s| s.as_object()) else {
            return Err(anyhow!("Agent response did not contain 'Stats' key: {me}"));
        };
        ui::out(render(stats).trim_end_matches('\n'));
        Ok(0)
    })
}

/// The text `consul info` prints for `stats`.
fn render(stats: &serde_json::Map<String, serde_json::Value>) -> String {
    let mut sections: Vec<(&String, &serde_json::Value)> = stats.iter().collect();
    sections.sort_by(|a, b| a.0.cmp(b.0));
    let mut out = String::new();
    for (name, values) in sections {
        out.push_str(name);
        out.push_str(":\n");
        let mut keys: Vec<(&String, &serde_json::Value)> = values
            .as_object()
            .map(|m| m.iter().collect())
            .unwrap_or_default();
        keys.sort_by(|a, b| a.0.cmp(b.0));
        for (k, v) in keys {
            let v = match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            out.push_str(&format!("\t{k} = {v}\n"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_and_keys_print_sorted_with_tabs() {
        let stats = serde_json::json!({
            "raft": {"state": "Leader", "applied_index": "12"},
            "agent": {"services": "1"}
        });
        assert_eq!(
            render(stats.as_object().unwrap()),
            "agent:\n\tservices = 1\nraft:\n\tapplied_index = 12\n\tstate = Leader\n"
        );
    }
}
