//! Snapshot endpoint (Consul's `Snapshot` RPC, `agent/consul/snapshot_endpoint.go`):
//! save the whole state as an archive, restore one.
//!
//! **Save** reads with the caller's consistency mode (on the leader, under
//! its lease, unless `?stale`), then packs one version of the state store
//! (`Store::persist_indexed`) into an archive whose `Index` is that
//! version's highest table index and whose `Term` is the current Raft term.
//!
//! **Restore** runs on the leader: the archive is unpacked and verified
//! (`consul_types::snapshot::read`), its image decoded in full
//! (`consul_state::image_stats`: a damaged image or one of a newer format is
//! refused here, before anything is written), then replicated as one
//! `Command::SnapshotRestore` entry. Every server applies it at the same
//! index, so the switch is atomic cluster-wide; the FSM raises every table
//! index to at least that entry's and numbers later writes above the
//! image's highest index, so no index a client saw goes backwards. Then,
//! as Consul re-asserts leadership, the leader duties that keep state true
//! re-run at once (self-registration in the catalog, the builtin ACL
//! objects), since the restored state may come from another cluster.
//!
//! Archives travel in one RPC frame, so through a client agent they are
//! limited to the server port's frame size (8 MiB); a server agent serves
//! its own HTTP requests without that hop.

mod acl;
mod request;

pub use request::{SnapshotRestoreRequest, SnapshotRpc};

use bytes::Bytes;
use consul_types::command::Command;
use consul_types::snapshot::{self, SnapshotMeta};
use serde::{Deserialize, Serialize};

use crate::dispatch::RequestCtx;
use crate::query::QueryOptions;
use crate::rpc::{RpcResponse, WireQueryMeta};
use crate::{RpcError, Server};

/// A saved snapshot (Consul streams `SnapshotResponse` then the archive).
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct SnapshotReply {
    /// The archive.
    pub archive: Bytes,
    /// Query meta (`Index` is the snapshot's index).
    #[serde(flatten)]
    pub query_meta: WireQueryMeta,
}

impl std::fmt::Debug for SnapshotReply {
    /// Without the archive's bytes.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SnapshotReply")
            .field("archive_len", &self.archive.len())
            .field("query_meta", &self.query_meta)
            .finish()
    }
}

/// Serve one `Snapshot.*` call (routed here by the dispatcher).
pub(crate) async fn serve(
    server: &Server,
    ctx: &RequestCtx,
    req: SnapshotRpc,
) -> Result<RpcResponse, RpcError> {
    match req {
        SnapshotRpc::Save(_) => Ok(RpcResponse::Snapshot(save(server, ctx).await?)),
        SnapshotRpc::Restore(r) => {
            restore(server, &r.archive).await?;
            Ok(RpcResponse::Empty)
        }
    }
}

/// Pack the current state into an archive.
async fn save(server: &Server, ctx: &RequestCtx) -> Result<SnapshotReply, RpcError> {
    // The consistency check only: a non-blocking read of nothing.
    let opts = QueryOptions {
        min_index: 0,
        ..ctx.read.clone()
    };
    server.read(&opts, |_, _| (0, ())).await?;
    let (index, image) = server.store().persist_indexed();
    let term = server.raft().stats().term;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let meta = SnapshotMeta::new(index, term, image.len() as u64, now.as_millis());
    let archive =
        tokio::task::spawn_blocking(move || snapshot::write(&meta, &image, now.as_secs()))
            .await
            .map_err(|e| RpcError::Internal(format!("failed to write snapshot: {e}")))?;
    Ok(SnapshotReply {
        archive: Bytes::from(archive),
        query_meta: server.query_meta(index).into(),
    })
}

/// Verify an archive and replicate its image (see the module docs).
async fn restore(server: &Server, archive: &Bytes) -> Result<(), RpcError> {
    let archive = archive.clone();
    let image = tokio::task::spawn_blocking(move || -> Result<Vec<u8>, String> {
        let a = snapshot::read(&archive).map_err(|e| e.to_string())?;
        consul_state::image_stats(&a.state).map_err(|e| e.to_string())?;
        Ok(a.state)
    })
    .await
    .map_err(|e| RpcError::Internal(format!("failed to read snapshot: {e}")))?
    .map_err(RpcError::Internal)?;
    let (index, _) = server
        .apply(Command::SnapshotRestore {
            image: Bytes::from(image),
        })
        .await?;
    tracing::info!(index, "snapshot: restored an archive");
    server.count_restore();
    Ok(())
}
