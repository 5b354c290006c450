//! openraft's state machine: wraps the application's [`StateMachine`], numbers commands with
//! application indexes, tracks last-applied and membership, and builds/installs snapshots.

use std::io::Cursor;
use std::sync::Arc;

use openraft::storage::{RaftStateMachine, Snapshot};
use openraft::{EntryPayload, RaftSnapshotBuilder, StorageIOError};
use serde_bytes::ByteBuf;
use tokio::sync::Mutex;

use crate::snapshot_format::{self, SnapshotHeader};
use crate::snapshot_store::SnapshotStore;
use crate::types::{
    BatchResponse, Entry, LogId, SnapshotMeta, StorageError, StoredMembership, TypeConfig,
};

/// What the application (the FSM) implements.
pub trait StateMachine: Send + Sync + 'static {
    /// Apply one committed command at its application index; returns an opaque response.
    ///
    /// Application indexes start at 1 and grow by one per command, identically on every
    /// server and across restarts (several commands may share one Raft log entry when
    /// group-committed, but each gets its own index).
    ///
    /// An error means the command cannot be applied here at all (e.g. it was written by a
    /// newer version): Raft stops on this server rather than skip it and diverge from the
    /// others (see [`crate::RaftNode::fatal_error`]).
    fn apply(&self, index: u64, command: &[u8]) -> Result<Vec<u8>, ApplyError>;
    /// The highest index the application's state carries. The next command is numbered
    /// above both it and the last command's index; it only matters after a command that
    /// replaced the state with one from outside the log (a restored snapshot archive), whose
    /// indexes may run ahead of the commands applied so far. Asked after every command; it
    /// must depend only on the commands applied, so that every server numbers alike.
    fn index_floor(&self) -> u64 {
        0
    }
    /// Serialize the whole state (called from a blocking context; may take a while).
    fn snapshot(&self) -> Vec<u8>;
    /// Replace the whole state with a snapshot's contents (`index` is the application index
    /// of the last command the snapshot includes).
    fn restore(&self, index: u64, data: &[u8]) -> Result<(), String>;
}

/// Why the application cannot apply a committed command; stops Raft on this server.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ApplyError(pub String);

/// Applied-state bookkeeping, guarded together with calls into the application so that a
/// snapshot's data always matches its metadata.
#[derive(Default)]
struct Applied {
    last_applied: Option<LogId>,
    last_membership: StoredMembership,
    app_index: u64,
}

/// Our [`RaftStateMachine`] (clone = same state).
#[derive(Clone)]
pub struct StateMachineStore {
    app: Arc<dyn StateMachine>,
    applied: Arc<Mutex<Applied>>,
    snapshots: Arc<SnapshotStore>,
}

fn sm_err(e: impl std::fmt::Display) -> StorageError {
    StorageIOError::read_state_machine(openraft::AnyError::error(e.to_string())).into()
}

fn snap_err(meta: Option<&SnapshotMeta>, e: impl std::fmt::Display) -> StorageError {
    let sig = meta.map(|m| m.signature());
    StorageIOError::write_snapshot(sig, openraft::AnyError::error(e.to_string())).into()
}

impl StateMachineStore {
    /// Wraps `app`; snapshots go to `snapshot_dir`, or memory when `None`. The newest stored
    /// snapshot, if any, is restored into `app` before this returns.
    pub async fn open(
        app: Arc<dyn StateMachine>,
        snapshot_dir: Option<&std::path::Path>,
    ) -> Result<Self, crate::RaftError> {
        let snapshots = match snapshot_dir {
            Some(d) => SnapshotStore::open_dir(d).map_err(|e| crate::RaftError::Storage(e.0))?,
            None => SnapshotStore::Memory(Default::default()),
        };
        let s = StateMachineStore {
            app,
            applied: Arc::new(Mutex::new(Applied::default())),
            snapshots: Arc::new(snapshots),
        };
        let newest = s
            .snapshots
            .newest()
            .map_err(|e| crate::RaftError::Storage(e.0))?;
        if let Some(bytes) = newest {
            s.restore_bytes(bytes)
                .await
                .map_err(|e| crate::RaftError::Storage(e.to_string()))?;
        }
        Ok(s)
    }

    /// Restores snapshot bytes into the application and our bookkeeping.
    async fn restore_bytes(&self, bytes: Vec<u8>) -> Result<SnapshotHeader, StorageError> {
        let header = snapshot_format::decode(&bytes)
            .map_err(|e| snap_err(None, e))?
            .0;
        let mut applied = self.applied.clone().lock_owned().await;
        let app = self.app.clone();
        let idx = header.app_index;
        let meta = header.meta.clone();
        let res = tokio::task::spawn_blocking(move || {
            let data = match snapshot_format::decode(&bytes) {
                Ok((_, d)) => d,
                Err(e) => return Err(e.to_string()),
            };
            app.restore(idx, data)
        })
        .await
        .map_err(|e| snap_err(Some(&meta), e))?;
        res.map_err(|e| snap_err(Some(&meta), e))?;
        applied.last_applied = header.meta.last_log_id;
        applied.last_membership = header.meta.last_membership.clone();
        applied.app_index = header.app_index;
        Ok(header)
    }
}

impl RaftSnapshotBuilder<TypeConfig> for StateMachineStore {
    async fn build_snapshot(&mut self) -> Result<Snapshot<TypeConfig>, StorageError> {
        // Hold the applied lock while the application serializes, so data == metadata.
        let applied = self.applied.clone().lock_owned().await;
        let app = self.app.clone();
        let (header, data) = tokio::task::spawn_blocking(move || {
            let data = app.snapshot();
            let last = applied.last_applied;
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0);
            let snapshot_id = match last {
                Some(l) => format!(
                    "{}-{}-{}-{nanos}",
                    l.leader_id.term, l.index, applied.app_index
                ),
                None => format!("none-{nanos}"),
            };
            let header = SnapshotHeader {
                meta: SnapshotMeta {
                    last_log_id: last,
                    last_membership: applied.last_membership.clone(),
                    snapshot_id,
                },
                app_index: applied.app_index,
            };
            drop(applied);
            (header, data)
        })
        .await
        .map_err(|e| snap_err(None, e))?;
        let bytes =
            snapshot_format::encode(&header, &data).map_err(|e| snap_err(Some(&header.meta), e))?;
        drop(data);
        let (index, term) = header
            .meta
            .last_log_id
            .map(|l| (l.index, l.leader_id.term))
            .unwrap_or((0, 0));
        let store = self.snapshots.clone();
        let bytes =
            tokio::task::spawn_blocking(move || store.save(index, term, &bytes).map(|_| bytes))
                .await
                .map_err(|e| snap_err(Some(&header.meta), e))?
                .map_err(|e| snap_err(Some(&header.meta), e))?;
        tracing::info!(
            index,
            app_index = header.app_index,
            size = bytes.len(),
            "raft snapshot built"
        );
        Ok(Snapshot {
            meta: header.meta,
            snapshot: Box::new(Cursor::new(bytes)),
        })
    }
}

impl RaftStateMachine<TypeConfig> for StateMachineStore {
    type SnapshotBuilder = Self;

    async fn applied_state(&mut self) -> Result<(Option<LogId>, StoredMembership), StorageError> {
        let a = self.applied.lock().await;
        Ok((a.last_applied, a.last_membership.clone()))
    }

    async fn apply<I>(&mut self, entries: I) -> Result<Vec<BatchResponse>, StorageError>
    where
        I: IntoIterator<Item = Entry> + Send,
        I::IntoIter: Send,
    {
        let mut a = self.applied.lock().await;
        let mut out = Vec::new();
        for entry in entries {
            a.last_applied = Some(entry.log_id);
            let mut resp = BatchResponse::default();
            match entry.payload {
                EntryPayload::Blank => {}
                EntryPayload::Normal(batch) => {
                    for cmd in batch.commands {
                        let index = a.app_index + 1;
                        let r = self.app.apply(index, &cmd).map_err(|e| {
                            tracing::error!(
                                index,
                                error = %e,
                                "raft: the state machine cannot apply a committed command; \
                                 stopping Raft on this server"
                            );
                            StorageError::from(StorageIOError::apply(
                                entry.log_id,
                                openraft::AnyError::error(format!(
                                    "state machine cannot apply command {index}: {e}"
                                )),
                            ))
                        })?;
                        a.app_index = index.max(self.app.index_floor());
                        resp.results.push((index, ByteBuf::from(r)));
                    }
                }
                EntryPayload::Membership(m) => {
                    a.last_membership = StoredMembership::new(Some(entry.log_id), m);
                }
            }
            out.push(resp);
        }
        Ok(out)
    }

    async fn get_snapshot_builder(&mut self) -> Self::SnapshotBuilder {
        self.clone()
    }

    async fn begin_receiving_snapshot(&mut self) -> Result<Box<Cursor<Vec<u8>>>, StorageError> {
        Ok(Box::new(Cursor::new(Vec::new())))
    }

    async fn install_snapshot(
        &mut self,
        meta: &SnapshotMeta,
        snapshot: Box<Cursor<Vec<u8>>>,
    ) -> Result<(), StorageError> {
        let bytes = snapshot.into_inner();
        let (mut header, _) =
            snapshot_format::decode(&bytes).map_err(|e| snap_err(Some(meta), e))?;
        // openraft's meta is authoritative; keep our application index from the header.
        header.meta = meta.clone();
        let app_index = header.app_index;
        let data = snapshot_format::decode(&bytes)
            .map_err(|e| snap_err(Some(meta), e))?
            .1;
        let bytes = snapshot_format::encode(&header, data).map_err(|e| snap_err(Some(meta), e))?;
        let (index, term) = meta
            .last_log_id
            .map(|l| (l.index, l.leader_id.term))
            .unwrap_or((0, 0));
        self.restore_bytes(bytes.clone()).await?;
        let store = self.snapshots.clone();
        tokio::task::spawn_blocking(move || store.save(index, term, &bytes))
            .await
            .map_err(|e| snap_err(Some(meta), e))?
            .map_err(|e| snap_err(Some(meta), e))?;
        tracing::info!(index, app_index, "raft snapshot installed");
        Ok(())
    }

    async fn get_current_snapshot(&mut self) -> Result<Option<Snapshot<TypeConfig>>, StorageError> {
        let store = self.snapshots.clone();
        let newest = tokio::task::spawn_blocking(move || store.newest())
            .await
            .map_err(sm_err)?
            .map_err(sm_err)?;
        let Some(bytes) = newest else { return Ok(None) };
        let (header, _) = snapshot_format::decode(&bytes).map_err(sm_err)?;
        Ok(Some(Snapshot {
            meta: header.meta,
            snapshot: Box::new(Cursor::new(bytes)),
        }))
    }
}
