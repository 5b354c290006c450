//! The server: the Raft-replicated state machine (FSM) over the state store,
//! and the endpoints that read and write it with Consul's consistency and
//! blocking-query semantics. The same endpoint code will serve local calls and
//! calls forwarded from client agents over RPC.

pub mod acl_check;
pub mod acl_filter;
pub mod acl_init;
pub mod acl_resolve;
pub mod acl_token_reap;
pub mod auth_method;
pub mod autopilot;
mod barrier;
pub mod dispatch;
pub mod endpoints;
pub mod error;
pub mod fsm;
pub mod leader;
pub mod lock_delay;
pub mod membership;
pub mod new_uuid;
pub mod query;
pub mod query_filter;
pub mod rpc;
pub mod server;
pub mod session_timers;
pub mod tombstone_gc;

pub use acl_resolve::{AclSettings, Identity};
pub use error::RpcError;
pub use query::{QueryMeta, QueryOptions, ReadMode};
pub use server::{LeaveOutcome, Server, ServerConfig};
pub use tombstone_gc::TombstoneGcConfig;
