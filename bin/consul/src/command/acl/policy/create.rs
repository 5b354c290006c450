//! `consul acl policy create`: a new policy from rules given inline, in a
//! file or on stdin.

use anyhow::anyhow;
use consul_api::acl::AclPolicy;

use crate::command::acl::shared::{self, Format};
use crate::command::flags::{FlagSet, Kind};
use crate::command::{http, ui};

const HELP: &str = r#"Usage: consul acl policy create -name NAME [options]

  Creates a policy. -rules takes the rules themselves, @FILE to load them
  from a file, or - to read them from stdin.

      $ consul acl policy create -name "kv-read" \
                                 -description "Read the whole KV store" \
                                 -valid-datacenter dc1 \
                                 -rules @rules.hcl"#;

fn flags() -> FlagSet {
    let mut fs = FlagSet::new(HELP);
    fs.flag("name", Kind::Str, "", "The new policy's name (required).")
        .flag(
            "from-token",
            Kind::Str,
            "",
            "A legacy token whose rules become the policy's. Legacy tokens do not \
         exist in this build, so this always fails.",
        )
        .flag(
            "token-secret",
            Kind::Bool,
            "",
            "-from-token names a Secret ID rather than an Accessor ID.",
        );
    super::content_flags(&mut fs);
    shared::meta_flag(
        &mut fs,
        "Also show the policy's content hash and Raft indexes.",
    );
    shared::format_flag(&mut fs);
    shared::http_flags(&mut fs);
    fs
}

/// Run `consul acl policy create`.
pub fn run(args: &[String]) -> i32 {
    let fs = flags();
    let usage = fs.usage();
    ui::run(&fs, args, |p| async move {
        let name = p.str("name").unwrap_or_default().to_string();
        if name.is_empty() {
            ui::err("Missing require '-name' flag");
            ui::err(usage);
            return Ok(1);
        }
        let client = http::client(&p)?;
        let rules = rules(&p).map_err(|e| anyhow!("Error loading rules: {e}"))?;
        let new = AclPolicy {
            name,
            description: p.str("description").unwrap_or_default().to_string(),
            datacenters: shared::non_empty(p.all("valid-datacenter").to_vec()),
            rules,
            ..Default::default()
        };
        let created = client
            .acl()
            .policy_create(&new, &Default::default())
            .await
            .map_err(|e| anyhow!("Failed to create new policy: {e}"))?;
        let format = Format::parse(&p)?;
        shared::info(&super::format::policy(&created, format, p.bool("meta"))?);
        Ok(0)
    })
}

fn rules(p: &crate::command::flags::Parsed) -> anyhow::Result<String> {
    let from_token = p.str("from-token").unwrap_or_default();
    let rules = p.str("rules").unwrap_or_default();
    if !from_token.is_empty() && !rules.is_empty() {
        return Err(anyhow!("Cannot specify both -rules and -from-token"));
    }
    if !from_token.is_empty() {
        // No legacy tokens exist here: none has rules to translate.
        return Err(anyhow!("Token is not a legacy token with rules"));
    }
    shared::load_data_source(rules)
}
