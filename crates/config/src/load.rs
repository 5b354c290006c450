//! The pipeline: flags → sources (files in order, then flags) → merge →
//! typed config → defaults and validation.

use serde_json::Value;

use crate::builder::{build, BuildInput};
use crate::error::ConfigError;
use crate::flags::{parse_agent_args, AgentFlags};
use crate::merge::merge;
use crate::runtime::RuntimeConfig;
use crate::source::{check_source, parse_source, read_paths, typed, Format};

/// Reads every config file named by `flags`, merges them and the flags, and
/// builds the runtime config.
pub fn load(flags: &AgentFlags) -> Result<RuntimeConfig, ConfigError> {
    if !flags.args.is_empty() {
        return Err(ConfigError::ExtraArguments(flags.args.clone()));
    }
    let forced = flags
        .config_format
        .as_deref()
        .map(Format::from_name)
        .transpose()?;
    let mut warnings = Vec::new();
    let mut sources = read_paths(&flags.config_paths, forced, &mut warnings)?;
    for fragment in &flags.hcl {
        sources.push(parse_source(
            "-hcl",
            fragment.as_bytes(),
            Format::Hcl,
            &mut warnings,
        )?);
    }
    sources.push(check_source(
        "flags",
        Value::Object(flags.config.clone()),
        &mut warnings,
    )?);

    let mut merged = Value::Object(Default::default());
    let mut services = Vec::new();
    let mut checks = Vec::new();
    for src in sources {
        merge(&mut merged, Value::Object(src.config));
        services.extend(src.services);
        checks.extend(src.checks);
    }
    let file_config = typed("merged configuration", &merged, None)?;
    build(
        file_config,
        BuildInput {
            dev: flags.dev,
            services,
            checks,
            warnings,
        },
    )
}

/// [`parse_agent_args`] then [`load`].
pub fn load_from_args(args: &[String]) -> Result<RuntimeConfig, ConfigError> {
    load(&parse_agent_args(args)?)
}
