//! Consul's DNS interface: `<node>.node`, `[<tag>.]<service>.service`,
//! RFC 2782 SRV names, `<hex>.addr`, reverse lookups, SOA/NS and recursors,
//! over UDP and TCP.
//!
//! The agent implements [`DnsBackend`] and calls [`serve`] with bound
//! sockets. Layers: [`name`] parses question names (pure), [`resolve`]
//! turns catalog data into records, [`wire`] decodes requests and encodes
//! responses within size budgets, [`handler`] ties one request to one
//! response and keeps encoded answers in a [`cache`] valid while the
//! backend's catalog version holds, [`server`] runs the UDP and TCP loops.

pub mod backend;
pub mod cache;
pub mod config;
pub mod error;
pub mod handler;
pub mod health;
pub mod memory;
pub mod name;
pub mod records;
pub mod recursor;
pub mod resolve;
pub mod server;
pub mod wire;

#[cfg(test)]
mod answer_tests;
#[cfg(test)]
mod cache_tests;

pub use backend::{BackendError, BoxFuture, DnsBackend, ReadOptions};
pub use config::{DnsConfig, RecursorStrategy, SoaConfig};
pub use error::DnsError;
pub use handler::{Handler, Transport};
pub use memory::MemoryBackend;
pub use server::serve;
