//! The writer thread: every mutation of the log, in order, group-committed.
//!
//! The thread takes the first queued operation, drains whatever else is queued, encodes all of
//! it into one buffer, writes that to the active segment with one positioned write and, if any
//! of it must be durable (entries, a vote, a truncation), makes it so with one `fdatasync`.
//! Only then does it publish the entries' locations, fire the append callbacks and answer the
//! vote/truncate waiters. The committed and purged pointers need no durability of their own and
//! ride along with the next sync.
//!
//! A full active segment is synced and a new one started with a checkpoint of the pointers, so
//! that whole old segments can be deleted once a durable purge covers every entry in them
//! (oldest first, so a truncation recorded in a deleted segment never un-happens).

use std::os::unix::fs::FileExt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex};

use tokio::sync::oneshot;

use super::record::{self, Record};
use super::recover::Meta;
use super::segment::{
    create_segment, index_append, index_purge, index_truncate, sync_dir, Index, Loc, SegmentInfo,
};
use super::{DiskError, Done};

/// Most operations folded into one write.
const MAX_OPS_PER_WRITE: usize = 4096;

pub(crate) type Reply = oneshot::Sender<Result<(), DiskError>>;

/// One queued mutation.
pub(crate) enum Op {
    /// Encoded entries (index, bytes), the append's sequence number, its completion.
    Append(Vec<(u64, Vec<u8>)>, u64, Done),
    Vote(Vec<u8>, Reply),
    Committed(Option<Vec<u8>>),
    Truncate(u64, Reply),
    /// Index and encoded log id of the last purged entry.
    Purge(u64, Vec<u8>),
}

impl Op {
    fn needs_sync(&self) -> bool {
        matches!(self, Op::Append(..) | Op::Vote(..) | Op::Truncate(..))
    }
}

/// Counters the writer publishes.
#[derive(Default)]
pub(crate) struct Progress {
    /// Syncs done.
    pub(crate) syncs: AtomicU64,
    /// Every append with a sequence number up to this one is durable and indexed.
    pub(crate) durable_seq: AtomicU64,
}

/// The writer's state.
pub(crate) struct Writer {
    pub(crate) dir: PathBuf,
    pub(crate) segments: Vec<SegmentInfo>,
    pub(crate) meta: Meta,
    pub(crate) index: Arc<Mutex<Index>>,
    pub(crate) progress: Arc<Progress>,
    /// Start a new segment once the active one holds this many bytes.
    pub(crate) segment_bytes: u64,
    /// The purge pointer as of the last sync.
    pub(crate) durable_purge: Option<u64>,
}

/// An index change to publish after the write, in operation order.
enum Change {
    Append { at: u64, offset: u64, len: u32 },
    Truncate(u64),
    Purge(u64),
}

impl Writer {
    /// Runs until every sender is gone.
    pub(crate) fn run(mut self, rx: mpsc::Receiver<Op>) {
        let mut failed: Option<DiskError> = None;
        while let Ok(first) = rx.recv() {
            let mut ops = vec![first];
            while ops.len() < MAX_OPS_PER_WRITE {
                match rx.try_recv() {
                    Ok(op) => ops.push(op),
                    Err(_) => break,
                }
            }
            let result = match &failed {
                Some(e) => Err(e.clone()),
                None => self.write(&ops),
            };
            if let Err(e) = &result {
                if failed.is_none() {
                    tracing::error!(error = %e, "raft log write failed; log is now read-only");
                    failed = Some(e.clone());
                }
            }
            for op in ops {
                let r = result.clone();
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

    /// Writes `ops` (syncing if needed), then publishes what they changed.
    fn write(&mut self, ops: &[Op]) -> Result<(), DiskError> {
        let mut sync = ops.iter().any(Op::needs_sync);
        let mut buf = Vec::new();
        if self.active().len >= self.segment_bytes {
            self.roll(&mut buf)?;
            sync = true;
        }
        let base = self.active().len;
        let mut changes = Vec::new();
        let mut max_seq = 0;
        for op in ops {
            match op {
                Op::Append(entries, seq, _) => {
                    max_seq = max_seq.max(*seq);
                    for (index, bytes) in entries {
                        let start = buf.len();
                        let payload_at = record::encode(
                            &mut buf,
                            &Record::Entry {
                                index: *index,
                                bytes,
                            },
                        );
                        changes.push(Change::Append {
                            at: *index,
                            offset: base + (start + payload_at) as u64,
                            len: bytes.len() as u32,
                        });
                    }
                }
                Op::Vote(v, _) => {
                    record::encode(&mut buf, &Record::Vote(v));
                    self.meta.vote = Some(v.clone());
                }
                Op::Committed(c) => {
                    record::encode(&mut buf, &Record::Committed(c.as_deref()));
                    self.meta.committed = c.clone();
                }
                Op::Truncate(since, _) => {
                    record::encode(&mut buf, &Record::Truncate { since: *since });
                    changes.push(Change::Truncate(*since));
                }
                Op::Purge(index, bytes) => {
                    record::encode(
                        &mut buf,
                        &Record::Purged {
                            index: *index,
                            bytes,
                        },
                    );
                    if self.meta.purged_index() < Some(*index) {
                        self.meta.purged = Some((*index, bytes.clone()));
                    }
                    changes.push(Change::Purge(*index));
                }
            }
        }
        let active = self
            .segments
            .last_mut()
            .expect("a segment is always active");
        let seg = &active.segment;
        seg.file
            .write_all_at(&buf, base)
            .map_err(|e| DiskError::io(&seg.path, e))?;
        active.len += buf.len() as u64;
        if sync {
            seg.file
                .sync_data()
                .map_err(|e| DiskError::io(&seg.path, e))?;
            self.progress.syncs.fetch_add(1, Ordering::Relaxed);
            self.durable_purge = self.meta.purged_index();
        }
        self.publish(changes);
        self.progress
            .durable_seq
            .fetch_max(max_seq, Ordering::Release);
        if sync {
            self.delete_purged_segments()?;
        }
        Ok(())
    }

    fn active(&self) -> &SegmentInfo {
        self.segments.last().expect("a segment is always active")
    }

    /// Syncs the full active segment and starts the next one, whose first records (put in
    /// `buf`) are a checkpoint of the pointers.
    fn roll(&mut self, buf: &mut Vec<u8>) -> Result<(), DiskError> {
        let old = &self.active().segment;
        old.file
            .sync_data()
            .map_err(|e| DiskError::io(&old.path, e))?;
        let next = create_segment(&self.dir, old.seq + 1)?;
        self.segments.push(SegmentInfo {
            segment: Arc::new(next),
            max_index: None,
            len: 0,
        });
        if let Some(v) = &self.meta.vote {
            record::encode(buf, &Record::Vote(v));
        }
        record::encode(buf, &Record::Committed(self.meta.committed.as_deref()));
        if let Some((index, bytes)) = &self.meta.purged {
            record::encode(
                buf,
                &Record::Purged {
                    index: *index,
                    bytes,
                },
            );
        }
        Ok(())
    }

    /// Applies the index changes of one write and notes each segment's highest index.
    fn publish(&mut self, changes: Vec<Change>) {
        let active = self
            .segments
            .last_mut()
            .expect("a segment is always active");
        let mut index = self.index.lock().unwrap_or_else(|e| e.into_inner());
        for c in changes {
            match c {
                Change::Append { at, offset, len } => {
                    active.max_index = active.max_index.max(Some(at));
                    let loc = Loc {
                        segment: active.segment.clone(),
                        offset,
                        len,
                    };
                    index_append(&mut index, at, loc);
                }
                Change::Truncate(since) => index_truncate(&mut index, since),
                Change::Purge(upto) => index_purge(&mut index, upto),
            }
        }
    }

    /// Deletes the oldest segments while every entry in them is covered by a durable purge.
    /// The active segment always stays.
    pub(crate) fn delete_purged_segments(&mut self) -> Result<(), DiskError> {
        let Some(purged) = self.durable_purge else {
            return Ok(());
        };
        let mut deleted = 0;
        while self.segments.len() > 1 && self.segments[0].max_index.is_none_or(|m| m <= purged) {
            let info = self.segments.remove(0);
            std::fs::remove_file(&info.segment.path)
                .map_err(|e| DiskError::io(&info.segment.path, e))?;
            deleted += 1;
        }
        if deleted > 0 {
            sync_dir(&self.dir)?;
        }
        Ok(())
    }
}
