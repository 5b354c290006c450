//! `consul acl auth-method create`: a new auth method of a type, with its
//! configuration from `-config` (or the Kubernetes flags).

use anyhow::anyhow;
use consul_api::acl::AclAuthMethod;

use crate::command::acl::shared::{self, Format};
use crate::command::flags::{FlagSet, Kind};
use crate::command::{http, ui};

const HELP: &str = r#"Usage: consul acl auth-method create -name NAME -type TYPE [options]

  Creates an auth method, which "consul login" exchanges outside
  credentials with for Consul tokens.

      $ consul acl auth-method create -type jwt -name my-jwt \
                                      -max-token-ttl 10m \
                                      -config @jwt-config.json"#;

fn flags() -> FlagSet {
    let mut fs = FlagSet::new(HELP);
    fs.flag(
        "type",
        Kind::Str,
        "",
        "The new auth method's type (required).",
    )
    .flag(
        "name",
        Kind::Str,
        "",
        "The new auth method's name (required).",
    );
    super::content_flags(&mut fs);
    super::meta_flag(&mut fs);
    shared::format_flag(&mut fs);
    shared::http_flags(&mut fs);
    fs
}

/// Run `consul acl auth-method create`.
pub fn run(args: &[String]) -> i32 {
    let fs = flags();
    let usage = fs.usage();
    ui::run(&fs, args, |p| async move {
        let ttl = shared::duration_flag(&p, "max-token-ttl")?;
        let kind = p.str("type").unwrap_or_default().to_string();
        let name = p.str("name").unwrap_or_default().to_string();
        for (v, flag) in [(&kind, "type"), (&name, "name")] {
            if v.is_empty() {
                ui::err(format!("Missing required '-{flag}' flag"));
                ui::err(usage);
                return Ok(1);
            }
        }
        let client = http::client(&p)?;
        let mut m = AclAuthMethod {
            name,
            kind,
            display_name: p.str("display-name").unwrap_or_default().to_string(),
            description: p.str("description").unwrap_or_default().to_string(),
            token_locality: p.str("token-locality").unwrap_or_default().to_string(),
            max_token_ttl: ttl,
            ..Default::default()
        };
        let mut k8s = super::K8s::from(&p);
        if let Some(c) = super::config(
            &p,
            &k8s,
            "Cannot use command line arguments with '-config' flags",
            "Error parsing JSON configuration file",
        )? {
            m.config = c;
        }
        if m.kind == "kubernetes" {
            k8s.require_all()?;
            k8s.load_ca_cert()?;
            m.config = Some(k8s.config());
        }
        let m = client
            .acl()
            .auth_method_create(&m, &Default::default())
            .await
            .map_err(|e| anyhow!("Failed to create new auth method: {e}"))?;
        let format = Format::parse(&p)?;
        shared::info(&super::format::method(&m, format, p.bool("meta"))?);
        Ok(0)
    })
}
