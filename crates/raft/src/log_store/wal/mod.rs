//! Durable log in append-only segment files, written by a group-committing thread.
//!
//! Each group of queued operations costs one positioned write and one `fdatasync` of the active
//! segment ([`writer`]); the record format ([`record`]) carries a checksum per record so that
//! opening the log ([`recover`]) cuts off a torn final append. Entries are read back with a
//! positioned read from the location the index ([`segment`]) keeps for each of them.
//!
//! After each sync the writer publishes the highest append sequence number it covers
//! ([`DiskLog::durable_seq`]); the cache evicts only entries at or below it, so every entry
//! missing from the cache has a location in the index.

mod record;
mod recover;
mod segment;
mod writer;

use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::{mpsc, Arc, Mutex};

use openraft::storage::LogFlushed;
use tokio::sync::oneshot;

use super::{CacheLimits, LogMemory};
use crate::types::{Entry, LogId, TypeConfig, Vote};
use crate::RaftError;
use segment::{Index, Loc};
use writer::{Op, Progress, Writer};

/// Start a new segment once the active one holds this many bytes.
pub(crate) const SEGMENT_BYTES: u64 = 64 << 20;

/// An I/O failure of the log, shared with every waiter.
#[derive(Debug, Clone, thiserror::Error)]
#[error("raft log: {0}")]
pub(crate) struct DiskError(String);

impl DiskError {
    fn io(path: &Path, e: std::io::Error) -> Self {
        DiskError(format!("{}: {e}", path.display()))
    }
}

/// Who is told when an append is durable.
pub(crate) enum Done {
    /// openraft's flush callback.
    Raft(LogFlushed<TypeConfig>),
    /// A channel (tests, which cannot build a [`LogFlushed`]).
    #[cfg(test)]
    Test(oneshot::Sender<Result<(), DiskError>>),
}

impl Done {
    /// Reports the outcome of the append.
    pub(crate) fn complete(self, r: Result<(), DiskError>) {
        match self {
            Done::Raft(cb) => cb.log_io_completed(r.map_err(|e| std::io::Error::other(e.0))),
            #[cfg(test)]
            Done::Test(tx) => {
                let _ = tx.send(r);
            }
        }
    }
}

/// Handle to the log directory and its writer thread.
pub(crate) struct DiskLog {
    tx: Mutex<Option<mpsc::Sender<Op>>>,
    index: Arc<Mutex<Index>>,
    progress: Arc<Progress>,
    thread: Mutex<Option<std::thread::JoinHandle<()>>>,
}

/// Encodes entries for the log.
pub(crate) fn encode_entries(entries: &[Entry]) -> Result<Vec<(u64, Vec<u8>)>, DiskError> {
    entries
        .iter()
        .map(|e| Ok((e.log_id.index, encode(e)?)))
        .collect()
}

fn encode<T: serde::Serialize>(v: &T) -> Result<Vec<u8>, DiskError> {
    rmp_serde::to_vec(v).map_err(|e| DiskError(format!("encode: {e}")))
}

fn decode<T: serde::de::DeserializeOwned>(b: &[u8]) -> Result<T, DiskError> {
    rmp_serde::from_slice(b).map_err(|e| DiskError(format!("decode: {e}")))
}

impl DiskLog {
    /// Opens (or creates) the log directory `dir`, loads its pointers and newest entries and
    /// starts the writer thread. Segments are started every [`SEGMENT_BYTES`].
    pub(crate) fn open(
        dir: &Path,
        limits: CacheLimits,
        segment_bytes: u64,
    ) -> Result<(DiskLog, LogMemory), RaftError> {
        let storage = |e: DiskError| RaftError::Storage(e.0);
        let found = recover::recover(dir).map_err(storage)?;
        let mem = load(&found.meta, &found.index, limits).map_err(storage)?;
        let index = Arc::new(Mutex::new(found.index));
        let progress = Arc::new(Progress::default());
        let mut writer = Writer {
            dir: dir.to_path_buf(),
            segments: found.segments,
            durable_purge: found.meta.purged_index(),
            meta: found.meta,
            index: index.clone(),
            progress: progress.clone(),
            segment_bytes: segment_bytes.max(1),
        };
        writer.delete_purged_segments().map_err(storage)?;
        let (tx, rx) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("raft-log-writer".into())
            .spawn(move || writer.run(rx))
            .map_err(|e| RaftError::Storage(format!("spawn writer: {e}")))?;
        Ok((
            DiskLog {
                tx: Mutex::new(Some(tx)),
                index,
                progress,
                thread: Mutex::new(Some(thread)),
            },
            mem,
        ))
    }

    /// Number of syncs so far.
    pub(crate) fn fsyncs(&self) -> u64 {
        self.progress.syncs.load(Ordering::Relaxed)
    }

    /// Every append with a sequence number up to this one is durable and readable from disk.
    pub(crate) fn durable_seq(&self) -> u64 {
        self.progress.durable_seq.load(Ordering::Acquire)
    }

    fn index(&self) -> std::sync::MutexGuard<'_, Index> {
        self.index.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Where those entries of `range` that are on disk are, in index order.
    pub(crate) fn locate(&self, range: std::ops::Range<u64>) -> Vec<Loc> {
        self.index().range(range).map(|(_, l)| l.clone()).collect()
    }

    /// The log id of the last entry on disk in `range`.
    pub(crate) fn last_log_id_in(
        &self,
        range: std::ops::Range<u64>,
    ) -> Result<Option<LogId>, DiskError> {
        let loc = self
            .index()
            .range(range)
            .next_back()
            .map(|(_, l)| l.clone());
        match loc {
            None => Ok(None),
            Some(l) => Ok(Some(decode::<Entry>(&l.read()?)?.log_id)),
        }
    }

    fn send(&self, op: Op) -> Result<(), DiskError> {
        let guard = self.tx.lock().unwrap_or_else(|e| e.into_inner());
        match guard.as_ref() {
            Some(tx) => tx
                .send(op)
                .map_err(|_| DiskError("log writer stopped".into())),
            None => Err(DiskError("log closed".into())),
        }
    }

    pub(crate) fn append(
        &self,
        entries: Vec<(u64, Vec<u8>)>,
        seq: u64,
        done: Done,
    ) -> Result<(), DiskError> {
        self.send(Op::Append(entries, seq, done))
    }

    pub(crate) async fn save_vote(&self, vote: &Vote) -> Result<(), DiskError> {
        let (tx, rx) = oneshot::channel();
        self.send(Op::Vote(encode(vote)?, tx))?;
        rx.await
            .map_err(|_| DiskError("log writer stopped".into()))?
    }

    pub(crate) fn save_committed(&self, committed: Option<LogId>) -> Result<(), DiskError> {
        let enc = committed.as_ref().map(encode).transpose()?;
        self.send(Op::Committed(enc))
    }

    pub(crate) async fn truncate(&self, since: u64) -> Result<(), DiskError> {
        let (tx, rx) = oneshot::channel();
        self.send(Op::Truncate(since, tx))?;
        rx.await
            .map_err(|_| DiskError("log writer stopped".into()))?
    }

    pub(crate) fn purge(&self, upto: LogId) -> Result<(), DiskError> {
        self.send(Op::Purge(upto.index, encode(&upto)?))
    }

    /// Closes the channel, letting the writer finish what is queued and exit.
    pub(crate) fn close(&self) {
        self.tx.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(t) = self.thread.lock().unwrap_or_else(|e| e.into_inner()).take() {
            let _ = t.join();
        }
    }
}

impl Drop for DiskLog {
    fn drop(&mut self) {
        self.close();
    }
}

/// Decodes the entries at `locs` (from [`DiskLog::locate`]), in order.
pub(crate) fn read_entries(locs: &[Loc]) -> Result<Vec<Entry>, DiskError> {
    locs.iter().map(|l| decode(&l.read()?)).collect()
}

/// The in-memory state after opening: pointers, last log id and the newest entries.
fn load(meta: &recover::Meta, index: &Index, limits: CacheLimits) -> Result<LogMemory, DiskError> {
    let mut mem = LogMemory::bounded(limits);
    mem.vote = meta.vote.as_deref().map(decode).transpose()?;
    mem.committed = meta.committed.as_deref().map(decode).transpose()?;
    mem.last_purged = meta.purged.as_ref().map(|(_, b)| decode(b)).transpose()?;
    let mut newest = true;
    for loc in index.values().rev() {
        let bytes = loc.read()?;
        let entry: Entry = decode(&bytes)?;
        if newest {
            mem.set_last_log_id(Some(entry.log_id));
            newest = false;
        }
        if !mem.preload(entry, bytes.len()) {
            break;
        }
    }
    Ok(mem)
}
