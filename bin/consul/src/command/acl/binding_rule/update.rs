//! `consul acl binding-rule update`: change a rule, keeping what is not
//! given unless `-no-merge` (its ID and auth method never change).

use anyhow::anyhow;
use consul_api::acl::AclBindingRule;

use crate::command::acl::shared::{self, Format};
use crate::command::flags::{FlagSet, Kind};
use crate::command::{http, ui};

const HELP: &str = r#"Usage: consul acl binding-rule update -id ID [options]

  Updates a binding rule (a unique prefix of its ID is enough). Fields
  given replace the current ones and the rest are kept; an explicit empty
  -selector clears it. As in Consul, -bind-type defaults to "service" and
  so is always set. With -no-merge every field is replaced.

      $ consul acl binding-rule update -id 43cb -bind-name 'k8s-${value.name}'"#;

/// Run `consul acl binding-rule update`.
pub fn run(args: &[String]) -> i32 {
    let mut fs = FlagSet::new(HELP);
    super::id_flag(
        &mut fs,
        "The ID of the binding rule to update; a unique prefix of it is enough.",
    );
    fs.flag(
        "no-merge",
        Kind::Bool,
        "",
        "Replace every field (but the ID and auth method) with what is given \
         instead of merging with the current rule.",
    );
    super::content_flags(&mut fs);
    super::meta_flag(&mut fs);
    shared::format_flag(&mut fs);
    shared::http_flags(&mut fs);
    let usage = fs.usage();
    ui::run(&fs, args, |p| async move {
        let id = p.str("id").unwrap_or_default();
        if id.is_empty() {
            return Err(anyhow!(
                "Cannot update a binding rule without specifying the -id parameter"
            ));
        }
        let client = http::client(&p)?;
        let id = shared::binding_rule_id_from_partial(&client, id)
            .await
            .map_err(|e| anyhow!("Error determining binding rule ID: {e}"))?;
        let current = client
            .acl()
            .binding_rule_read(&id, &Default::default())
            .await
            .map_err(|e| anyhow!("Error when retrieving current binding rule: {e}"))?
            .0
            .ok_or_else(|| anyhow!("Binding rule not found with ID {id:?}"))?;
        let get = |f: &str| p.str(f).unwrap_or_default().to_string();
        let r = if p.bool("no-merge") {
            for flag in ["bind-type", "bind-name"] {
                if get(flag).is_empty() {
                    ui::err(format!("Missing required '-{flag}' flag"));
                    ui::err(&usage);
                    return Ok(1);
                }
            }
            AclBindingRule {
                id: id.clone(),
                auth_method: current.auth_method,
                description: get("description"),
                bind_type: get("bind-type"),
                bind_name: get("bind-name"),
                selector: get("selector"),
                ..Default::default()
            }
        } else {
            let mut r = current;
            for (field, flag) in [
                (&mut r.description, "description"),
                (&mut r.bind_type, "bind-type"),
                (&mut r.bind_name, "bind-name"),
            ] {
                let v = get(flag);
                if !v.is_empty() {
                    *field = v;
                }
            }
            // An empty selector is a valid one: set whenever given.
            if let Some(s) = p.str("selector") {
                r.selector = s.to_string();
            }
            r
        };
        let r = client
            .acl()
            .binding_rule_update(&r, &Default::default())
            .await
            .map_err(|e| anyhow!("Error updating binding rule {id:?}: {e}"))?;
        let format = Format::parse(&p)?;
        shared::info(&super::format::rule(&r, format, p.bool("meta"))?);
        Ok(0)
    })
}
