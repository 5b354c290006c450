//! What the dispatcher asks of every request, whatever its area (Consul's `RPCInfo`): the
//! datacenter it targets, the caller's token, its read options if it reads, and whether only
//! the leader may serve it. Each area's argument structs and its request enum implement it.

use super::query::WireQueryOptions;
use super::token::Token;

/// The cross-cutting facts of a request.
pub trait RequestInfo {
    /// The datacenter it targets ("" = the receiving server's own).
    fn datacenter(&self) -> &str;

    /// The caller's ACL token (empty = anonymous).
    fn token(&self) -> &Token;

    /// Its read options, when it is a read (`None` for writes).
    fn query_options(&self) -> Option<&WireQueryOptions> {
        None
    }

    /// Whether only the leader may serve it: writes always, reads unless `?stale`.
    fn needs_leader(&self) -> bool {
        self.query_options().is_none_or(|q| !q.allow_stale)
    }
}
