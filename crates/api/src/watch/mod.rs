//! Watches (Consul's `api/watch`), shared by `consul watch` and the agent's config-file
//! `watches`: a [`Plan`] parsed from a parameter map, one blocking read per type
//! ([`query::fetch`]), the change-detecting loop with Consul's back-off ([`run::run`]), and
//! the two ways of delivering a result — running a command with the JSON on stdin
//! ([`script`]) or an HTTP request ([`http_handler`]).

pub mod http_handler;
pub mod json;
pub mod plan;
pub mod query;
pub mod run;
pub mod script;
pub mod shape;
pub mod shape_health;

pub use plan::{HandlerType, HttpHandlerConfig, Plan, WatchType};
pub use query::WatchResult;
pub use run::{run, Flow, Handler};

/// Why a watch could not be set up or its handler failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WatchError {
    /// The parameters are invalid (Consul's message).
    #[error("{0}")]
    Invalid(String),
    /// The handler could not run or failed.
    #[error("{0}")]
    Handler(String),
}
