//! What the txn area accepts (`Txn.*`), with the names of Consul's
//! `structs.TxnRequest` and `structs.TxnReadRequest`, and what it answers.

use consul_types::command::TxnResult;
use consul_types::txn::TxnOp;
use serde::{Deserialize, Serialize};

use crate::rpc::args::read_request_info;
use crate::rpc::{AreaArgs, RequestInfo, Token, WireQueryMeta, WireQueryOptions};

/// `Txn.*` calls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TxnRpc {
    /// `Txn.Apply`: a transaction with writes, through Raft; answers `Txn`.
    Apply(TxnApplyRequest),
    /// `Txn.Read`: a transaction of reads and checks only, served without
    /// Raft with the caller's consistency mode; answers `TxnRead`.
    Read(TxnReadRequest),
}

impl AreaArgs for TxnRpc {
    fn args(&self) -> Option<&dyn RequestInfo> {
        Some(match self {
            TxnRpc::Apply(r) => r,
            TxnRpc::Read(r) => r,
        })
    }
}

crate::request_info_from_args!(TxnRpc);

/// A transaction with at least one write (`structs.TxnRequest`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct TxnApplyRequest {
    /// Target datacenter ("" = the server's own).
    pub datacenter: String,
    /// The operations, in order.
    pub ops: Vec<TxnOp>,
    /// ACL token (`WriteRequest.Token`).
    pub token: Token,
}

impl RequestInfo for TxnApplyRequest {
    fn datacenter(&self) -> &str {
        &self.datacenter
    }

    fn token(&self) -> &Token {
        &self.token
    }
}

/// A transaction of reads only (`structs.TxnReadRequest`). It never blocks:
/// a `MinQueryIndex` is ignored, as in Consul.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct TxnReadRequest {
    /// Target datacenter.
    pub datacenter: String,
    /// The operations, in order.
    pub ops: Vec<TxnOp>,
    /// Read options (consistency mode, token).
    #[serde(flatten)]
    pub query_options: WireQueryOptions,
}

read_request_info!(TxnReadRequest);

/// The answer to a read-only transaction (`structs.TxnReadResponse`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct TxnReadResponse {
    /// Results, or the failed operations' errors.
    pub result: TxnResult,
    /// Query meta.
    #[serde(flatten)]
    pub query_meta: WireQueryMeta,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_go_to_the_leader_and_stale_reads_do_not() {
        let apply = TxnRpc::Apply(TxnApplyRequest {
            datacenter: "east".into(),
            token: "tok".into(),
            ..Default::default()
        });
        assert!(apply.needs_leader());
        assert_eq!(
            (apply.datacenter(), apply.token().secret()),
            ("east", "tok")
        );
        let read = |allow_stale| {
            TxnRpc::Read(TxnReadRequest {
                query_options: WireQueryOptions {
                    allow_stale,
                    ..Default::default()
                },
                ..Default::default()
            })
        };
        assert!(read(false).needs_leader());
        assert!(!read(true).needs_leader());
        assert!(read(true).query_options().is_some());
    }
}
