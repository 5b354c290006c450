//! Durable log on redb with a group-committing writer thread.
//!
//! All mutations go, in order, through one std channel to one thread. The thread takes the
//! first queued operation, drains whatever else is queued, applies all of it in a single write
//! transaction committed with `Durability::Immediate` (one fsync), and only then fires the
//! append callbacks and vote/truncate replies. Operations that need no durability on their own
//! (committed pointer, purge) ride along with the next fsync, or are committed lazily.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex};

use openraft::storage::LogFlushed;
use redb::{Database, Durability, ReadableDatabase, ReadableTable, TableDefinition};
use tokio::sync::oneshot;

use super::LogMemory;
use crate::types::{Entry, LogId, TypeConfig, Vote};
use crate::RaftError;

const LOGS: TableDefinition<u64, &[u8]> = TableDefinition::new("logs");
const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
const KEY_VOTE: &str = "vote";
const KEY_COMMITTED: &str = "committed";
const KEY_PURGED: &str = "last_purged";

/// Most operations folded into one transaction.
const MAX_OPS_PER_TXN: usize = 4096;

/// An I/O failure of the writer, shared with every waiter.
#[derive(Debug, Clone, thiserror::Error)]
#[error("raft log: {0}")]
pub(crate) struct DiskError(String);

type Reply = oneshot::Sender<Result<(), DiskError>>;

enum Op {
    Append(Vec<(u64, Vec<u8>)>, LogFlushed<TypeConfig>),
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
    fsyncs: Arc<AtomicU64>,
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
    /// Opens the database, loads its contents and starts the writer thread.
    pub(crate) fn open(path: &Path) -> Result<(DiskLog, LogMemory), RaftError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| RaftError::Storage(format!("{}: {e}", dir.display())))?;
        }
        let db = Database::create(path)
            .map_err(|e| RaftError::Storage(format!("{}: {e}", path.display())))?;
        let mem = load(&db).map_err(|e| RaftError::Storage(e.0))?;
        let (tx, rx) = mpsc::channel();
        let fsyncs = Arc::new(AtomicU64::new(0));
        let f = fsyncs.clone();
        let thread = std::thread::Builder::new()
            .name("raft-log-writer".into())
            .spawn(move || writer_loop(db, rx, f))
            .map_err(|e| RaftError::Storage(format!("spawn writer: {e}")))?;
        Ok((
            DiskLog {
                tx: Mutex::new(Some(tx)),
                fsyncs,
                thread: Mutex::new(Some(thread)),
            },
            mem,
        ))
    }

    pub(crate) fn fsyncs(&self) -> u64 {
        self.fsyncs.load(Ordering::Relaxed)
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
        cb: LogFlushed<TypeConfig>,
    ) -> Result<(), DiskError> {
        self.send(Op::Append(entries, cb))
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
    }
}

impl Drop for DiskLog {
    fn drop(&mut self) {
        self.close();
    }
}

fn load(db: &Database) -> Result<LogMemory, DiskError> {
    // Make sure both tables exist so that a fresh database can be read.
    let w = db.begin_write().map_err(de)?;
    w.open_table(LOGS).map_err(de)?;
    w.open_table(META).map_err(de)?;
    w.commit().map_err(de)?;

    let r = db.begin_read().map_err(de)?;
    let meta = r.open_table(META).map_err(de)?;
    let mut mem = LogMemory::default();
    if let Some(v) = meta.get(KEY_VOTE).map_err(de)? {
        mem.vote = Some(decode(v.value())?);
    }
    if let Some(v) = meta.get(KEY_COMMITTED).map_err(de)? {
        mem.committed = Some(decode(v.value())?);
    }
    if let Some(v) = meta.get(KEY_PURGED).map_err(de)? {
        mem.last_purged = Some(decode(v.value())?);
    }
    let logs = r.open_table(LOGS).map_err(de)?;
    for item in logs.iter().map_err(de)? {
        let (k, v) = item.map_err(de)?;
        let entry: Entry = decode(v.value())?;
        mem.entries.insert(k.value(), entry);
    }
    Ok(mem)
}

fn writer_loop(db: Database, rx: mpsc::Receiver<Op>, fsyncs: Arc<AtomicU64>) {
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
            Ok(true) => {
                fsyncs.fetch_add(1, Ordering::Relaxed);
            }
            Ok(false) => {}
            Err(e) => {
                tracing::error!(error = %e, "raft log write failed; log is now read-only");
                failed = Some(e.clone());
            }
        }
        for op in ops {
            let r = result.as_ref().map(|_| ()).map_err(|e| e.clone());
            match op {
                Op::Append(_, cb) => {
                    cb.log_io_completed(r.map_err(|e| std::io::Error::other(e.0)));
                }
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
                Op::Append(entries, _) => {
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
