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

/// An area's request enum whose variants carry argument structs that know their own facts:
/// [`request_info_from_args!`] then writes its [`RequestInfo`] once.
pub trait AreaArgs {
    /// The arguments of this call (`None`: a call without any, which names no datacenter,
    /// carries no token and any server answers).
    fn args(&self) -> Option<&dyn RequestInfo>;
}

/// Implement [`RequestInfo`] for area enums (each implementing [`AreaArgs`]) by asking the
/// arguments of the call.
#[macro_export]
macro_rules! request_info_from_args {
    ($($ty:ty),+ $(,)?) => {$(
        impl $crate::rpc::RequestInfo for $ty {
            fn datacenter(&self) -> &str {
                $crate::rpc::AreaArgs::args(self).map_or("", |a| a.datacenter())
            }

            fn token(&self) -> &$crate::rpc::Token {
                $crate::rpc::AreaArgs::args(self)
                    .map_or($crate::rpc::Token::none(), |a| a.token())
            }

            fn query_options(&self) -> Option<&$crate::rpc::WireQueryOptions> {
                $crate::rpc::AreaArgs::args(self).and_then(|a| a.query_options())
            }

            fn needs_leader(&self) -> bool {
                $crate::rpc::AreaArgs::args(self).is_some_and(|a| a.needs_leader())
            }
        }
    )+};
}
