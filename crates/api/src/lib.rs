//! `consul-api`: a typed async HTTP client for Consul's `/v1` API, the Rust
//! counterpart of Go's `github.com/hashicorp/consul/api`. The CLI is built on
//! it; every call returns Consul's JSON decoded into `consul-types` shapes.
//!
//! ```no_run
//! # async fn demo() -> Result<(), consul_api::ApiError> {
//! let client = consul_api::Client::new(consul_api::Config::from_env())?;
//! let (entry, meta) = client.kv().get("foo", &Default::default()).await?;
//! println!("{:?} at index {}", entry, meta.last_index);
//! # Ok(()) }
//! ```

pub mod acl;
pub mod agent;
pub mod catalog;
mod client;
mod error;
pub mod event;
pub mod keyring;
pub mod kv;
pub mod operator;
pub mod session;
pub mod snapshot;
pub mod status;
mod tls;
pub mod watch;

pub use client::{Client, Config, QueryMeta, QueryOptions, TlsConfig, WriteOptions, DEFAULT_ADDR};
pub use error::ApiError;
