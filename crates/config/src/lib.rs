//! `consul agent` configuration: command-line flags (Go `flag` rules) and
//! JSON or HCL config files, merged in Consul's order (defaults < dev defaults <
//! files in order < flags) into a typed, validated [`RuntimeConfig`].
//!
//! ```no_run
//! let args: Vec<String> = std::env::args().skip(2).collect();
//! let rt = consul_config::load_from_args(&args)?;
//! for w in &rt.warnings { eprintln!("[WARN] {w}"); }
//! # Ok::<(), consul_config::ConfigError>(())
//! ```

mod builder;
mod error;
pub mod file_config;
mod flag_table;
mod flags;
mod load;
mod merge;
mod runtime;
pub mod source;
mod tls;

/// The HCL 1 parser config files are read with; it lives in `consul_types`
/// because ACL rules are written in the same language.
pub use consul_types::hcl;
pub use error::ConfigError;
pub use flags::{parse_agent_args, AgentFlags};
pub use load::{load, load_from_args};
pub use runtime::{AclConfig, Addresses, Ports, RuntimeConfig, TelemetryConfig};
pub use tls::HttpsTls;
