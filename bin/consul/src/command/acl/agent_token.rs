//! `consul acl set-agent-token TYPE TOKEN`: set one of the agent's own
//! tokens at run time.

use anyhow::anyhow;

use super::shared;
use crate::command::flags::FlagSet;
use crate::command::{http, ui};

const HELP: &str = r#"Usage: consul acl set-agent-token [options] TYPE TOKEN

  Sets one of the tokens the agent uses. TOKEN may be "@file" or "-" (stdin).
  Unless acl.enable_token_persistence is on, a token set this way is lost
  when the agent restarts.

  Types:

    default       Used for the agent's own operations when no agent token
                  is set, and for HTTP and DNS requests without a token.
    agent         Used for the agent's own operations (registering itself,
                  anti-entropy).
    master        Grants access to the agent's API when the servers cannot
                  be reached.
    replication   Used by servers to replicate ACL data.

      $ consul acl set-agent-token default c4d0f8df-3aba-4ab6-a7a0-35b760dc29a1"#;

const KINDS: [&str; 4] = ["default", "agent", "master", "replication"];

/// TYPE and TOKEN from the arguments, with Consul's complaints.
fn type_and_token(args: &[String]) -> anyhow::Result<(String, String)> {
    match args {
        [] => Err(anyhow!("Missing TYPE and TOKEN arguments")),
        [t] if KINDS.contains(&t.as_str()) => Err(anyhow!("Missing TOKEN argument")),
        [_] => Err(anyhow!("MISSING TYPE argument")),
        [t, token] => Ok((t.clone(), shared::load_data_source(token)?)),
        more => Err(anyhow!("Too many arguments: expected 2 got {}", more.len())),
    }
}

/// Run `consul acl set-agent-token`.
pub fn run(args: &[String]) -> i32 {
    let mut fs = FlagSet::new(HELP);
    http::client_flags(&mut fs);
    http::server_flags(&mut fs);
    ui::run(&fs, args, |p| async move {
        let (kind, token) = type_and_token(&p.args).map_err(|e| anyhow!("Error! {e}"))?;
        let client = http::client(&p)
            .map_err(|e| anyhow!(e.to_string().replacen("Consul agent", "Consul Agent", 1)))?;
        let path = match kind.as_str() {
            "default" => "default",
            "agent" => "agent",
            "master" => "agent_master",
            "replication" => "replication",
            _ => return Err(anyhow!("Unknown token type")),
        };
        client
            .acl()
            .set_agent_token(path, &token, &Default::default())
            .await
            .map_err(|e| anyhow!("Failed to set ACL token {kind:?}: {e}"))?;
        ui::out(format!("ACL token {kind:?} set successfully"));
        Ok(0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn argument_errors_as_consul() {
        let e = |v: &[&str]| type_and_token(&a(v)).unwrap_err().to_string();
        assert_eq!(e(&[]), "Missing TYPE and TOKEN arguments");
        assert_eq!(e(&["agent"]), "Missing TOKEN argument");
        assert_eq!(e(&["foo"]), "MISSING TYPE argument");
        assert_eq!(e(&["a", "b", "c"]), "Too many arguments: expected 2 got 3");
        assert_eq!(
            type_and_token(&a(&["agent", "x"])).unwrap(),
            ("agent".into(), "x".into())
        );
    }
}
