//! Endpoints, one module per area: typed requests in, typed results plus
//! [`QueryMeta`](crate::QueryMeta) out. HTTP handlers (and, later, RPC from
//! client agents) call these; none of them knows about HTTP.

pub mod catalog;
pub mod health;
pub mod kv;
pub mod operator;
pub mod status;
