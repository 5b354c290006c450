//! What the session area accepts (`Session.*`), with the names of Consul's
//! `structs.SessionRequest` and `structs.SessionSpecificRequest`.

use consul_types::session::{Session, SessionOp};
use serde::{Deserialize, Serialize};

use crate::rpc::args::{read_request_info, DcSpecificRequest, NodeSpecificRequest};
use crate::rpc::{RequestInfo, Token, WireQueryOptions};

/// `Session.*` calls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SessionRpc {
    /// `Session.Apply`: create (answers the new ID as `String`) or destroy
    /// (answers `Empty`).
    Apply(SessionApplyRequest),
    /// `Session.Get`: answers `Sessions` with zero or one session.
    Get(SessionSpecificRequest),
    /// `Session.List`: answers `Sessions`.
    List(DcSpecificRequest),
    /// `Session.NodeSessions`: answers `Sessions`.
    NodeSessions(NodeSpecificRequest),
    /// `Session.Renew`: resets the session's TTL timer on the leader; answers
    /// `Sessions`, empty when the session does not exist.
    Renew(SessionSpecificRequest),
}

impl SessionRpc {
    fn args(&self) -> &dyn RequestInfo {
        match self {
            SessionRpc::Apply(r) => r,
            SessionRpc::Get(r) | SessionRpc::Renew(r) => r,
            SessionRpc::List(r) => r,
            SessionRpc::NodeSessions(r) => r,
        }
    }
}

impl RequestInfo for SessionRpc {
    fn datacenter(&self) -> &str {
        self.args().datacenter()
    }

    fn token(&self) -> &Token {
        self.args().token()
    }

    fn query_options(&self) -> Option<&WireQueryOptions> {
        self.args().query_options()
    }

    /// Renew resets a timer only the leader keeps, even with `?stale`.
    fn needs_leader(&self) -> bool {
        match self {
            SessionRpc::Renew(_) => true,
            other => other.args().needs_leader(),
        }
    }
}

/// A session write (`structs.SessionRequest`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SessionApplyRequest {
    /// Target datacenter.
    #[serde(default)]
    pub datacenter: String,
    /// Create or destroy.
    pub op: SessionOp,
    /// The session (for destroy only `ID`).
    pub session: Session,
    /// ACL token (`WriteRequest.Token`).
    #[serde(default)]
    pub token: Token,
}

impl RequestInfo for SessionApplyRequest {
    fn datacenter(&self) -> &str {
        &self.datacenter
    }

    fn token(&self) -> &Token {
        &self.token
    }
}

/// A read of one session (`structs.SessionSpecificRequest`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct SessionSpecificRequest {
    /// Target datacenter.
    pub datacenter: String,
    /// The session's ID.
    #[serde(rename = "SessionID")]
    pub session_id: String,
    /// Read options.
    #[serde(flatten)]
    pub query_options: WireQueryOptions,
}

read_request_info!(SessionSpecificRequest);
