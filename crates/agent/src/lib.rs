//! The agent: local services and checks, the HTTP API (one route table), and
//! the process lifecycle around the server (on a server agent) or the
//! forwarding to the servers (on a client agent).

pub mod acl;
pub mod ae;
pub mod agent;
pub mod checks;
pub mod cluster;
pub mod console;
pub mod dns;
pub mod events;
pub mod host;
pub mod http;
pub mod lan;
pub mod local;
pub mod monitor;
pub mod reap;
pub mod remote_exec;
pub mod router;
pub mod run;
pub mod servers;
pub mod telemetry;
pub mod ui;
pub mod watches;

pub use agent::{Agent, AgentInfo, VERSION};
pub use run::{start, wait_for_shutdown, AgentError, RunningAgent};
