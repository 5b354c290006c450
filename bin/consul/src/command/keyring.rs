//! `consul keyring`: list, install, use and remove gossip encryption keys
//! across the cluster through `/v1/operator/keyring` (servers only).

use anyhow::anyhow;
use consul_api::keyring::KeyringResponse;
use consul_api::WriteOptions;

use super::flags::{FlagSet, Kind};
use super::{http, ui};

const HELP: &str = "Usage: consul keyring [options]\n\n  \
Manages encryption keys used for gossip messages. Gossip encryption is\n  \
optional. When enabled, this command may be used to examine active encryption\n  \
keys in the cluster, add new keys, and remove old ones. When combined, this\n  \
functionality provides the ability to perform key rotation cluster-wide,\n  \
without disrupting the cluster.\n\n  \
All operations performed by this command can only be run against server nodes,\n  \
and affect both the LAN and WAN keyrings in lock-step.\n\n  \
All variations of the keyring command return 0 if all nodes reply and there\n  \
are no errors. If any node fails to reply or reports failure, the exit code\n  \
will be 1.";

fn flags() -> FlagSet {
    let mut fs = FlagSet::new(HELP);
    fs.flag(
        "install",
        Kind::Str,
        "",
        "Install a new encryption key. This will broadcast the new key to all members in the cluster.",
    );
    fs.flag(
        "use",
        Kind::Str,
        "",
        "Change the primary encryption key, which is used to encrypt messages. The key must already be installed before this operation can succeed.",
    );
    fs.flag(
        "remove",
        Kind::Str,
        "",
        "Remove the given key from the cluster. This operation may only be performed on keys which are not currently the primary key.",
    );
    fs.flag(
        "list",
        Kind::Bool,
        "",
        "List all keys currently in use within the cluster.",
    );
    fs.flag(
        "relay-factor",
        Kind::Str,
        "0",
        "Setting this to a non-zero value will cause nodes to relay their response to the operation through this many randomly-chosen other nodes in the cluster. The maximum allowed value is 5.",
    );
    http::client_flags(&mut fs);
    fs
}

/// Consul's `agent.ParseRelayFactor`.
fn parse_relay_factor(v: &str) -> Result<u8, String> {
    let n: i64 = v
        .parse()
        .map_err(|_| format!("invalid value {v:?} for flag -relay-factor"))?;
    u8::try_from(n)
        .ok()
        .filter(|n| *n <= 5)
        .ok_or_else(|| "Relay factor must be in range: [0, 5]".to_string())
}

/// Run `consul keyring`.
pub fn run(args: &[String]) -> i32 {
    let fs = flags();
    let p = match ui::parse(&fs, args) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let list = p.bool("list");
    let mut found = list;
    for a in ["install", "use", "remove"] {
        let given = p.str(a).is_some_and(|v| !v.is_empty());
        if found && given {
            ui::err("Only a single action is allowed");
            return 1;
        }
        found |= given;
    }
    if !found {
        ui::err(fs.usage());
        return 1;
    }
    let relay = match parse_relay_factor(p.str("relay-factor").unwrap_or("0")) {
        Ok(r) => r,
        Err(e) => {
            ui::err(format!("Error parsing relay factor: {e}"));
            return 1;
        }
    };
    ui::block_on(async move {
        let client = http::client(&p)?;
        let op = client.operator();
        if list {
            ui::out("==> Gathering installed encryption keys...");
            let responses = op
                .keyring_list(&http::query_options(&p), relay)
                .await
                .map_err(|e| anyhow!("error: {e}"))?;
            ui::out(list_text(&responses));
            return Ok(0);
        }
        let w = WriteOptions::default();
        let result = if let Some(k) = p.str("install").filter(|k| !k.is_empty()) {
            ui::out("==> Installing new gossip encryption key...");
            op.keyring_install(k, &w, relay).await
        } else if let Some(k) = p.str("use").filter(|k| !k.is_empty()) {
            ui::out("==> Changing primary gossip encryption key...");
            op.keyring_use(k, &w, relay).await
        } else {
            let k = p.str("remove").unwrap_or_default();
            ui::out("==> Removing gossip encryption key...");
            op.keyring_remove(k, &w, relay).await
        };
        result.map_err(|e| anyhow!("error: {e}"))?;
        Ok(0)
    })
}

/// Each pool as `\n<pool>:\n  <key> [n/N]` (keys sorted; Consul prints
/// them in map order).
pub fn list_text(responses: &[KeyringResponse]) -> String {
    let mut out = Vec::new();
    for r in responses {
        let mut pool = format!("{} (LAN)", r.datacenter);
        if !r.segment.is_empty() {
            pool.push_str(&format!(" [{}]", r.segment));
        }
        if r.wan {
            pool = "WAN".to_string();
        }
        out.push(String::new());
        out.push(format!("{pool}:"));
        for (key, n) in &r.keys {
            out.push(format!("  {key} [{n}/{}]", r.num_nodes));
        }
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_layout() {
        let mut r = KeyringResponse {
            datacenter: "dc1".into(),
            num_nodes: 3,
            ..Default::default()
        };
        r.keys.insert("AAA=".into(), 3);
        r.keys.insert("BBB=".into(), 1);
        assert_eq!(list_text(&[r]), "\ndc1 (LAN):\n  AAA= [3/3]\n  BBB= [1/3]");
        assert_eq!(
            parse_relay_factor("6").unwrap_err(),
            "Relay factor must be in range: [0, 5]"
        );
        assert_eq!(parse_relay_factor("2").unwrap(), 2);
    }
}
