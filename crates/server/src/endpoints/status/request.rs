//! What the status area accepts (`Status.*`).

use serde::{Deserialize, Serialize};

use crate::rpc::args::DcSpecificRequest;
use crate::rpc::{RequestInfo, Token};

/// `Status.*` calls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum StatusRpc {
    /// `Status.Ping`: answers [`crate::rpc::RpcResponse::Empty`].
    Ping,
    /// `Status.Leader`: the leader's RPC address, "" if none.
    Leader(DcSpecificRequest),
    /// `Status.Peers`: RPC addresses of the Raft voters.
    Peers(DcSpecificRequest),
    /// `Status.RaftStats`: this server's Raft progress (answers `RaftStats`; never forwarded).
    RaftStats,
}

/// Status calls are answered by whichever server receives them: never forwarded to the
/// leader, and not blocking reads.
impl RequestInfo for StatusRpc {
    fn datacenter(&self) -> &str {
        match self {
            StatusRpc::Leader(r) | StatusRpc::Peers(r) => &r.datacenter,
            StatusRpc::Ping | StatusRpc::RaftStats => "",
        }
    }

    fn token(&self) -> &Token {
        match self {
            StatusRpc::Leader(r) | StatusRpc::Peers(r) => &r.query_options.token,
            StatusRpc::Ping | StatusRpc::RaftStats => Token::none(),
        }
    }

    fn needs_leader(&self) -> bool {
        false
    }
}
