//! KV endpoint: writes through Raft, reads with blocking semantics.

mod acl;
mod request;

pub use request::{KeyListRequest, KeyRequest, KvRpc, KvsRequest};

use consul_acl::Authorize;
use consul_types::command::{Command, CommandResult};
use consul_types::kv::{DirEntry, KvRequest};

use crate::dispatch::RequestCtx;
use crate::rpc::{IndexedDirEntries, IndexedKeyList, RpcResponse};
use crate::{QueryMeta, QueryOptions, RpcError, Server};

/// Serve one `KVS.*` call (routed here by the dispatcher).
pub(crate) async fn serve(
    server: &Server,
    ctx: &RequestCtx,
    req: KvRpc,
) -> Result<RpcResponse, RpcError> {
    let opts = &ctx.read;
    match req {
        KvRpc::Apply(r) => Ok(RpcResponse::Bool(apply(server, r.to_kv_request()).await?)),
        KvRpc::Get(r) => {
            let (meta, entry) = get(server, opts, &r.key).await?;
            Ok(RpcResponse::DirEntries(IndexedDirEntries {
                entries: entry.into_iter().collect(),
                query_meta: meta.into(),
            }))
        }
        KvRpc::List(r) => {
            let (meta, mut entries) = list(server, opts, &r.key).await?;
            entries.retain(|e| ctx.may(|a| a.key_read(&e.key)));
            Ok(RpcResponse::DirEntries(IndexedDirEntries {
                entries,
                query_meta: meta.into(),
            }))
        }
        KvRpc::ListKeys(r) => {
            let (meta, mut keys) = keys(server, opts, &r.prefix, &r.seperator).await?;
            keys.retain(|k| ctx.may(|a| a.key_read(k)));
            Ok(RpcResponse::KeyList(IndexedKeyList {
                keys,
                query_meta: meta.into(),
            }))
        }
    }
}

/// Apply a KV write; answers whether it took effect (CAS may answer false).
pub async fn apply(server: &Server, req: KvRequest) -> Result<bool, RpcError> {
    let _t = consul_telemetry::timer(&["kvs", "apply"]);
    use consul_types::kv::KvOp;
    if req.dir_ent.key.is_empty() && req.op != KvOp::DeleteTree {
        return Err(RpcError::BadRequest("Missing key name".into()));
    }
    // Lock-delay is wall-clock time: checked here, on the leader, before the
    // write enters Raft (as Consul's kvsPreApply), never by the FSM.
    if req.op == KvOp::Lock && server.lock_delays().blocked(&req.dir_ent.key) {
        tracing::warn!(key = %req.dir_ent.key, "kv: rejecting lock of key due to lock-delay");
        return Ok(false);
    }
    let locking = matches!(req.op, KvOp::Lock | KvOp::Unlock);
    let applied = server.apply(Command::Kv(req)).await.map_err(|e| match e {
        RpcError::Internal(m) if locking => RpcError::Internal(format!("raft apply failed: {m}")),
        other => other,
    });
    match applied?.1 {
        CommandResult::Bool(b) => Ok(b),
        _ => Ok(true),
    }
}

/// Read one key. The index is the entry's `ModifyIndex`, or the KV table's
/// index when the key is missing (as Consul's `KVS.Get`).
pub async fn get(
    server: &Server,
    opts: &QueryOptions,
    key: &str,
) -> Result<(QueryMeta, Option<DirEntry>), RpcError> {
    server
        .read(opts, |snap, ws| {
            let (table_index, entry) = snap.kv_get(ws, key);
            match entry {
                Some(e) => (e.modify_index, Some(e)),
                None => (table_index, None),
            }
        })
        .await
}

/// Read every entry under a prefix.
pub async fn list(
    server: &Server,
    opts: &QueryOptions,
    prefix: &str,
) -> Result<(QueryMeta, Vec<DirEntry>), RpcError> {
    server.read(opts, |snap, ws| snap.kv_list(ws, prefix)).await
}

/// List keys under a prefix, rolled up at `separator` when it is non-empty.
pub async fn keys(
    server: &Server,
    opts: &QueryOptions,
    prefix: &str,
    separator: &str,
) -> Result<(QueryMeta, Vec<String>), RpcError> {
    server
        .read(opts, |snap, ws| snap.kv_keys(ws, prefix, separator))
        .await
}
