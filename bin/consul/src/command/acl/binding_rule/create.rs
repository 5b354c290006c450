//! `consul acl binding-rule create`: a new rule for an auth method.

use anyhow::anyhow;
use consul_api::acl::AclBindingRule;

use crate::command::acl::shared::{self, Format};
use crate::command::flags::{FlagSet, Kind};
use crate::command::{http, ui};

const HELP: &str = r#"Usage: consul acl binding-rule create [options]

  Creates a binding rule: logins to -method whose identity matches
  -selector get the service identity or role -bind-type and -bind-name
  name.

      $ consul acl binding-rule create -method my-jwt \
            -bind-type service -bind-name 'svc-${value.service}' \
            -selector 'value.service != ""'"#;

/// Run `consul acl binding-rule create`.
pub fn run(args: &[String]) -> i32 {
    let mut fs = FlagSet::new(HELP);
    fs.flag(
        "method",
        Kind::Str,
        "",
        "The name of the auth method the rule is for (required).",
    );
    super::content_flags(&mut fs);
    super::meta_flag(&mut fs);
    shared::format_flag(&mut fs);
    shared::http_flags(&mut fs);
    let usage = fs.usage();
    ui::run(&fs, args, |p| async move {
        let get = |f: &str| p.str(f).unwrap_or_default().to_string();
        let r = AclBindingRule {
            auth_method: get("method"),
            description: get("description"),
            selector: get("selector"),
            bind_type: get("bind-type"),
            bind_name: get("bind-name"),
            ..Default::default()
        };
        for (v, flag) in [
            (&r.auth_method, "method"),
            (&r.bind_type, "bind-type"),
            (&r.bind_name, "bind-name"),
        ] {
            if v.is_empty() {
                ui::err(format!("Missing required '-{flag}' flag"));
                ui::err(&usage);
                return Ok(1);
            }
        }
        let client = http::client(&p)?;
        let r = client
            .acl()
            .binding_rule_create(&r, &Default::default())
            .await
            .map_err(|e| anyhow!("Failed to create new binding rule: {e}"))?;
        let format = Format::parse(&p)?;
        shared::info(&super::format::rule(&r, format, p.bool("meta"))?);
        Ok(0)
    })
}
