//! `consul acl auth-method update`: change an auth method, keeping what is
//! not given unless `-no-merge` (its name and type never change).

use std::collections::BTreeMap;

use anyhow::anyhow;
use consul_api::acl::AclAuthMethod;

use crate::command::acl::shared::{self, Format};
use crate::command::flags::{FlagSet, Kind};
use crate::command::{http, ui};

const HELP: &str = r#"Usage: consul acl auth-method update -name NAME [options]

  Updates an auth method. Fields given replace the current ones and the
  rest are kept; a -config given replaces the whole config. With -no-merge
  every field but the name and type is replaced by what is given.

      $ consul acl auth-method update -name my-jwt -description "new" \
                                      -config @jwt-config.json"#;

fn flags() -> FlagSet {
    let mut fs = FlagSet::new(HELP);
    fs.flag("name", Kind::Str, "", "The auth method's name.")
        .flag(
            "no-merge",
            Kind::Bool,
            "",
            "Replace every field (but the name and type) with what is given \
             instead of merging with the current auth method.",
        );
    super::content_flags(&mut fs);
    super::meta_flag(&mut fs);
    shared::format_flag(&mut fs);
    shared::http_flags(&mut fs);
    fs
}

const CONFLICT: &str = "Cannot use command line arguments with '-config' flag";
const BAD_JSON: &str = "Error parsing JSON for auth method config";

/// Run `consul acl auth-method update`.
pub fn run(args: &[String]) -> i32 {
    ui::run(&flags(), args, |p| async move {
        let ttl = shared::duration_flag(&p, "max-token-ttl")?;
        let name = p.str("name").unwrap_or_default();
        if name.is_empty() {
            return Err(anyhow!(
                "Cannot update an auth method without specifying the -name parameter"
            ));
        }
        let client = http::client(&p)?;
        let current = client
            .acl()
            .auth_method_read(name, &Default::default())
            .await
            .map_err(|e| anyhow!("Error when retrieving current auth method: {e}"))?
            .0
            .ok_or_else(|| anyhow!("Auth method not found with name {name:?}"))?;
        let mut k8s = super::K8s::from(&p);
        k8s.load_ca_cert()?;
        let get = |f: &str| p.str(f).unwrap_or_default().to_string();
        let is_k8s = current.kind == "kubernetes";
        let m = if p.bool("no-merge") {
            let mut m = AclAuthMethod {
                name: current.name.clone(),
                kind: current.kind.clone(),
                display_name: get("display-name"),
                description: get("description"),
                token_locality: get("token-locality"),
                max_token_ttl: ttl,
                ..Default::default()
            };
            if let Some(c) = super::config(&p, &k8s, CONFLICT, BAD_JSON)? {
                m.config = c;
            }
            if is_k8s {
                k8s.require_all()?;
                m.config = Some(k8s.config());
            }
            m
        } else {
            let mut m = current;
            for (field, flag) in [
                (&mut m.description, "description"),
                (&mut m.display_name, "display-name"),
                (&mut m.token_locality, "token-locality"),
            ] {
                let v = get(flag);
                if !v.is_empty() {
                    *field = v;
                }
            }
            if !ttl.is_zero() {
                m.max_token_ttl = ttl;
            }
            if let Some(c) = super::config(&p, &k8s, CONFLICT, BAD_JSON)? {
                // The config is replaced as a whole, never merged.
                m.config = c;
            }
            let config = m.config.get_or_insert_with(BTreeMap::new);
            if is_k8s {
                for (key, v) in k8s.config() {
                    if v.as_str().is_some_and(|s| !s.is_empty()) {
                        config.insert(key, v);
                    }
                }
            }
            m
        };
        let m = client
            .acl()
            .auth_method_update(&m, &Default::default())
            .await
            .map_err(|e| anyhow!("Error updating auth method {name:?}: {e}"))?;
        let format = Format::parse(&p)?;
        shared::info(&super::format::method(&m, format, p.bool("meta"))?);
        Ok(0)
    })
}
