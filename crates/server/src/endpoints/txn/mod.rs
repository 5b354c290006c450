//! Txn endpoint (Consul's `txn_endpoint.go`): the checks every operation
//! gets before anything is applied ([`precheck`]), then a transaction with
//! writes goes through Raft as one `Command::Txn` entry, and a transaction
//! of reads only is answered from a snapshot with the caller's consistency
//! mode.

mod acl;
mod precheck;
mod request;

pub use request::{TxnApplyRequest, TxnReadRequest, TxnReadResponse, TxnRpc};

use consul_types::command::{Command, CommandResult, TxnOpError, TxnResult};
use consul_types::txn::{TxnOp, TxnRequest};

use crate::dispatch::RequestCtx;
use crate::rpc::RpcResponse;
use crate::{QueryMeta, QueryOptions, RpcError, Server};

/// Serve one `Txn.*` call (routed here by the dispatcher).
pub(crate) async fn serve(
    server: &Server,
    ctx: &RequestCtx,
    req: TxnRpc,
) -> Result<RpcResponse, RpcError> {
    match req {
        TxnRpc::Apply(r) => {
            let authz = &ctx.identity.authz;
            let denied = acl::denied(authz, &r.ops);
            let result = apply(server, r.ops, denied).await?;
            Ok(RpcResponse::Txn(acl::filter_results(authz, result)))
        }
        TxnRpc::Read(r) => {
            let authz = &ctx.identity.authz;
            let denied = acl::denied(authz, &r.ops);
            let (meta, result) = read(server, &ctx.read, r.ops, denied).await?;
            Ok(RpcResponse::TxnRead(TxnReadResponse {
                result: acl::filter_results(authz, result),
                query_meta: meta.into(),
            }))
        }
    }
}

/// Apply a transaction with writes: every operation, or none. Operations
/// refused by the pre-checks (or `denied` by ACLs) never reach Raft.
pub async fn apply(
    server: &Server,
    mut ops: Vec<TxnOp>,
    denied: Vec<TxnOpError>,
) -> Result<TxnResult, RpcError> {
    let _t = consul_telemetry::timer(&["txn", "apply"]);
    let errors = merge_errors(denied, precheck::run(server, &mut ops));
    if !errors.is_empty() {
        return Ok(TxnResult {
            results: Vec::new(),
            errors,
        });
    }
    match server.apply(Command::Txn(TxnRequest { ops })).await?.1 {
        CommandResult::Txn(result) => Ok(result),
        other => Err(RpcError::Internal(format!(
            "unexpected result of a transaction: {other:?}"
        ))),
    }
}

/// Answer a transaction of reads and checks from one snapshot, without
/// Raft; the index is the highest of the tables it read. It never blocks.
pub async fn read(
    server: &Server,
    opts: &QueryOptions,
    mut ops: Vec<TxnOp>,
    denied: Vec<TxnOpError>,
) -> Result<(QueryMeta, TxnResult), RpcError> {
    let errors = merge_errors(denied, precheck::run(server, &mut ops));
    let now = QueryOptions {
        min_index: 0,
        ..opts.clone()
    };
    server
        .read(&now, |snap, _ws| {
            let result = if errors.is_empty() {
                snap.txn_read(&ops)
            } else {
                TxnResult {
                    results: Vec::new(),
                    errors: errors.clone(),
                }
            };
            (snap.txn_read_index(&ops), result)
        })
        .await
}

/// ACL refusals and pre-check failures, one per operation (the ACL one
/// first, as Consul checks it first), in operation order.
fn merge_errors(denied: Vec<TxnOpError>, prechecked: Vec<TxnOpError>) -> Vec<TxnOpError> {
    let mut out = denied;
    for e in prechecked {
        if !out.iter().any(|d| d.op_index == e.op_index) {
            out.push(e);
        }
    }
    out.sort_by_key(|e| e.op_index);
    out
}
