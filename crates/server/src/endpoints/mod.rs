//! Endpoints, one module per **area** (`status`, `kv`, `catalog`, `health`, `operator`), as
//! Consul's `*_endpoint.go`. Each area owns what it accepts — its request enum and argument
//! structs, in `<area>/request.rs` — and how it is served: its operations on the [`Server`]
//! (typed requests in, typed results plus [`QueryMeta`] out) and the `serve` function the
//! dispatcher ([`crate::dispatch`]) routes the area's requests to, after applying the rules
//! every area shares. None of them knows about HTTP.
//!
//! [`Server`]: crate::Server
//! [`QueryMeta`]: crate::QueryMeta

pub mod acl;
pub mod catalog;
pub mod health;
pub mod internal;
pub mod kv;
pub mod operator;
pub mod session;
pub mod snapshot;
pub mod status;
pub mod txn;
