//! Durable log on redb with a group-committing writer thread.
//!
//! All mutations go, in order, through one std channel to one thread. The thread takes the
//! first queued operation, drains whatever else is queued, applies all of it in a single write
//! transaction committed with `Durability::Immediate` (one fsync), and only then fires the
//! append callbacks and vote/truncate replies. Operations that need no durability on their own
//! (committed pointer, purge) ride along with the next fsync, or are committed lazily.
//!
//! After each commit the writer publishes the highest append sequence number it covers
//! ([`DiskLog::durable_seq`]); the cache evicts only entries at or below it, so every entry
//! missing from the cache is readable from a redb read transaction ([`DiskLog::begin_read`]).

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex};

use openraft::storage::LogFlushed;
use redb::{Database, Durability, ReadTransaction, ReadableDatabase, TableDefinition};
use tokio::sync::oneshot;

use super::{CacheLimits, LogMemory};
use crate::types::{Entry, LogId, TypeConfig, Vote};
use crate::RaftError;

const LOGS: TableDefinition<u64, &[u8]> = TableDefinition::new("logs");
const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
const KEY_VOTE: &str = "vote";
const KEY_COMMITTED: &str = "committed";
const KEY_PURGED: &str = "last_purged";

/// Most operations folded into one transaction.
const MAX_OPS_PER_TXN: usize = 4096;

/// redb's page cache (its default is 1 GiB, which ends up holding every page of the log). The
/// hot B-tree path stays cached; older pages are read through the OS page cache.
const REDB_CACHE_BYTES: usize = 4 << 20;

/// An I/O failure of the writer, shared with every waiter.
#[derive(Debug, Clone, thiserror::Error)]
#[error("raft log: {0}")]
pub(crate) struct DiskError(String);

type Reply = oneshot::Sender<Result<(), DiskError>>;

/// Who is told when an append is durable.
pub(crate) enum Done {
    /// openraft's flush callback.
    Raft(LogFlushed<TypeConfig>),
    /// A channel (tests, which cannot build a [`LogFlushed`]).
    #[cfg(test)]
    Test(Reply),
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

enum Op {
    /// Encoded entries, the append's sequence number, its completion.
    Append(Vec<(u64, Vec<u8>)>, u64, Done),
    Vote(Vec<u8>, Reply),
    Committed(Option<Vec<u8>>),
    Truncate(u64, Reply),
    Purge(u64, Vec<u8>),
}

impl Op {
    fn needs_fsync(&self) -> bool {
        matches!(self, Op::Append(..) | Op::Vote(..) | Op::Truncate(..))
    }
}

/// Handle to the writer thread.
pub(crate) struct DiskLog {
    tx: Mutex<Option<mpsc::Sender<Op>>>,
    /// For reads of entries evicted from the cache; taken by [`DiskLog::close`].
    db: Mutex<Option<Arc<Database>>>,
    fsyncs: Arc<AtomicU64>,
    durable_seq: Arc<AtomicU64>,
    thread: Mutex<Option<std::thread::JoinHandle<()>>>,
}

/// Encodes entries for the `logs` table.
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

fn de<E: std::fmt::Display>(e: E) -> DiskError {
    DiskError(e.to_string())
}

impl DiskLog {
    /// Opens the database, loads its pointers and newest entries and starts the writer thread.
    pub(crate) fn open(
        path: &Path,
        limits: CacheLimits,
    ) -> Result<(DiskLog, LogMemory), RaftError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| RaftError::Storage(format!("{}: {e}", dir.display())))?;
        }
        let db = Database::builder()
            .set_cache_size(REDB_CACHE_BYTES)
            .create(path)
            .map_err(|e| RaftError::Storage(format!("{}: {e}", path.display())))?;
        let mem = load(&db, limits).map_err(|e| RaftError::Storage(e.0))?;
        let db = Arc::new(db);
        let (tx, rx) = mpsc::channel();
        let fsyncs = Arc::new(AtomicU64::new(0));
        let durable_seq = Arc::new(AtomicU64::new(0));
        let (f, d, w) = (fsyncs.clone(), durable_seq.clone(), db.clone());
        let thread = std::thread::Builder::new()
            .name("raft-log-writer".into())
            .spawn(move || writer_loop(w, rx, f, d))
            .map_err(|e| RaftError::Storage(format!("spawn writer: {e}")))?;
        Ok((
            DiskLog {
                tx: Mutex::new(Some(tx)),
                db: Mutex::new(Some(db)),
                fsyncs,
                durable_seq,
                thread: Mutex::new(Some(thread)),
            },
            mem,
        ))
    }

    pub(crate) fn fsyncs(&self) -> u64 {
        self.fsyncs.load(Ordering::Relaxed)
    }

    /// Every append with a sequence number up to this one is committed to redb.
    pub(crate) fn durable_seq(&self) -> u64 {
        self.durable_seq.load(Ordering::Acquire)
    }

    /// A read transaction on the newest committed state.
    pub(crate) fn begin_read(&self) -> Result<ReadTransaction, DiskError> {
        let db = self
            .db
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
            .ok_or_else(|| DiskError("log closed".into()))?;
        db.begin_read().map_err(de)
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
}

impl DiskLog {
    /// Closes the channel, letting the writer finish what is queued, drop the database and exit.
    pub(crate) fn close(&self) {
        self.tx.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(t) = self.thread.lock().unwrap_or_else(|e| e.into_inner()).take() {
            let _ = t.join();
        }
        self.db.lock().unwrap_or_else(|e| e.into_inner()).take();
    }
}

impl Drop for DiskLog {
    fn drop(&mut self) {
        self.close();
    }
}

fn load(db: &Database, limits: CacheLimits) -> Result<LogMemory, DiskError> {
    // Make sure both tables exist so that a fresh database can be read.
    let w = db.begin_write().map_err(de)?;
    w.open_table(LOGS).map_err(de)?;
    w.open_table(META).map_err(de)?;
    w.commit().map_err(de)?;

    let r = db.begin_read().map_err(de)?;
    let meta = r.open_table(META).map_err(de)?;
    let mut mem = LogMemory::bounded(limits);
    if let Some(v) = meta.get(KEY_VOTE).map_err(de)? {
        mem.vote = Some(decode(v.value())?);
    }
    if let Some(v) = meta.get(KEY_COMMITTED).map_err(de)? {
        mem.committed = Some(decode(v.value())?);
    }
    if let Some(v) = meta.get(KEY_PURGED).map_err(de)? {
        mem.last_purged = Some(decode(v.value())?);
    }
    // A purge is committed lazily and a crash may undo it: entries at or below the purge
    // pointer are ignored (and deleted by the next purge).
    let first_valid = mem.last_purged.map_or(0, |p| p.index + 1);
    let logs = r.open_table(LOGS).map_err(de)?;
    let mut newest = true;
    for item in logs.range(first_valid..).map_err(de)?.rev() {
        let (_, v) = item.map_err(de)?;
        let entry: Entry = decode(v.value())?;
        if newest {
            mem.set_last_log_id(Some(entry.log_id));
            newest = false;
        }
        if !mem.preload(entry, v.value().len()) {
            break;
        }
    }
    Ok(mem)
}

/// The entries of `range` that redb holds, in index order.
pub(crate) fn read_entries(
    txn: &ReadTransaction,
    range: std::ops::Range<u64>,
) -> Result<Vec<Entry>, DiskError> {
    let logs = txn.open_table(LOGS).map_err(de)?;
    let mut out = Vec::with_capacity(range.end.saturating_sub(range.start).min(1024) as usize);
    for item in logs.range(range).map_err(de)? {
        let (_, v) = item.map_err(de)?;
        out.push(decode(v.value())?);
    }
    Ok(out)
}

/// The log id of the last entry redb holds in `range`.
pub(crate) fn last_log_id_in(
    txn: &ReadTransaction,
    range: std::ops::Range<u64>,
) -> Result<Option<LogId>, DiskError> {
    let logs = txn.open_table(LOGS).map_err(de)?;
    let last = logs.range(range).map_err(de)?.next_back();
    match last {
        None => Ok(None),
        Some(item) => {
            let (_, v) = item.map_err(de)?;
            Ok(Some(decode::<Entry>(v.value())?.log_id))
        }
    }
}

fn writer_loop(
    db: Arc<Database>,
    rx: mpsc::Receiver<Op>,
    fsyncs: Arc<AtomicU64>,
    durable_seq: Arc<AtomicU64>,
) {
    let mut failed: Option<DiskError> = None;
    while let Ok(first) = rx.recv() {
        let mut ops = vec![first];
        while ops.len() < MAX_OPS_PER_TXN {
            match rx.try_recv() {
                Ok(op) => ops.push(op),
                Err(_) => break,
            }
        }
        let result = match &failed {
            Some(e) => Err(e.clone()),
            None => write_batch(&db, &ops),
        };
        match &result {
            Ok(fsynced) => {
                if *fsynced {
                    fsyncs.fetch_add(1, Ordering::Relaxed);
                }
                let seq = ops.iter().fold(0, |m, op| match op {
                    Op::Append(_, seq, _) => m.max(*seq),
                    _ => m,
                });
                durable_seq.fetch_max(seq, Ordering::Release);
            }
            Err(e) => {
                tracing::error!(error = %e, "raft log write failed; log is now read-only");
                failed = Some(e.clone());
            }
        }
        for op in ops {
            let r = result.as_ref().map(|_| ()).map_err(|e| e.clone());
            match op {
                Op::Append(_, _, done) => done.complete(r),
                Op::Vote(_, reply) | Op::Truncate(_, reply) => {
                    let _ = reply.send(r);
                }
                Op::Committed(_) | Op::Purge(..) => {}
            }
        }
    }
}

/// Applies `ops` in one transaction; returns whether it was fsynced.
fn write_batch(db: &Database, ops: &[Op]) -> Result<bool, DiskError> {
    let durable = ops.iter().any(Op::needs_fsync);
    let mut txn = db.begin_write().map_err(de)?;
    txn.set_durability(if durable {
        Durability::Immediate
    } else {
        Durability::None
    })
    .map_err(de)?;
    {
        let mut logs = txn.open_table(LOGS).map_err(de)?;
        let mut meta = txn.open_table(META).map_err(de)?;
        for op in ops {
            match op {
                Op::Append(entries, _, _) => {
                    for (idx, bytes) in entries {
                        logs.insert(*idx, bytes.as_slice()).map_err(de)?;
                    }
                }
                Op::Vote(v, _) => {
                    meta.insert(KEY_VOTE, v.as_slice()).map_err(de)?;
                }
                Op::Committed(Some(c)) => {
                    meta.insert(KEY_COMMITTED, c.as_slice()).map_err(de)?;
                }
                Op::Committed(None) => {
                    meta.remove(KEY_COMMITTED).map_err(de)?;
                }
                Op::Truncate(since, _) => {
                    logs.retain_in(*since.., |_, _| false).map_err(de)?;
                }
                Op::Purge(upto, enc) => {
                    meta.insert(KEY_PURGED, enc.as_slice()).map_err(de)?;
                    logs.retain_in(..=*upto, |_, _| false).map_err(de)?;
                }
            }
        }
    }
    txn.commit().map_err(de)?;
    Ok(durable)
}
