//! Everything that can stop the agent from building its configuration.
//!
//! Each message is one line, worded like Consul's where we know Consul's
//! wording, because the agent prints it verbatim and exits 1.

/// Why `consul agent` flags or config sources could not be turned into a
/// [`crate::RuntimeConfig`].
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A flag that `consul agent` does not define.
    #[error("flag provided but not defined: -{0}")]
    UnknownFlag(String),
    /// A non-boolean flag given last, without a value.
    #[error("flag needs an argument: -{0}")]
    MissingFlagValue(String),
    /// A flag value that does not parse as the flag's type.
    #[error("invalid value \"{value}\" for flag -{flag}: {reason}")]
    InvalidFlagValue {
        /// The flag's name, without dashes.
        flag: String,
        /// The value as given.
        value: String,
        /// Why it was refused.
        reason: String,
    },
    /// An argument like `---x` or `-=x`.
    #[error("bad flag syntax: {0}")]
    BadFlagSyntax(String),
    /// `-h` / `-help` was given: the caller prints usage.
    #[error("flag: help requested")]
    Help,
    /// Arguments left after the flags.
    #[error("config: Unknown extra arguments: [{}]", .0.join(" "))]
    ExtraArguments(Vec<String>),
    /// A config file or directory could not be read.
    #[error("Error reading {path}: {reason}")]
    Read {
        /// The file or directory.
        path: String,
        /// The I/O error.
        reason: String,
    },
    /// A config source is not valid JSON, has a key of the wrong type, or is
    /// in a format we cannot read.
    #[error("Error parsing {source_name}: {reason}")]
    Parse {
        /// The file name (or `flags`, `-hcl`).
        source_name: String,
        /// `<key path>: <reason>`, or the syntax error.
        reason: String,
    },
    /// The merged configuration is invalid (e.g. "data_dir cannot be empty").
    #[error("{0}")]
    Invalid(String),
}

impl ConfigError {
    /// A [`ConfigError::Invalid`] with the given message.
    pub(crate) fn invalid(msg: impl Into<String>) -> Self {
        ConfigError::Invalid(msg.into())
    }
}
