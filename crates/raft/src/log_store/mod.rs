//! The Raft log: durable in append-only segment files, with a small in-memory cache of the
//! newest entries.
//!
//! openraft requires appended entries to be readable at once, before they are flushed, so every
//! append goes into the cache ([`memory`]) and, in order, to a writer thread ([`wal`]) that
//! group-commits queued operations with one write and one `fdatasync` and only then fires the
//! append callbacks. Once an entry is durable it may be evicted from the cache: the cache keeps
//! at most [`CACHE_MAX_ENTRIES`] / [`CACHE_MAX_BYTES`] of durable entries (whichever is
//! smaller), enough for replication to up-to-date followers; reads of older entries (lagging
//! followers, replay after restart) come from the segment files.
//!
//! Without a data dir (`-dev`, tests) there is no disk and the "cache" keeps every entry until a
//! snapshot purges it.

mod memory;
#[cfg(test)]
mod tests;
pub(crate) mod wal;

use std::fmt::Debug;
use std::ops::{Bound, RangeBounds};
use std::path::Path;
use std::sync::Arc;

use openraft::storage::{LogFlushed, RaftLogStorage};
use openraft::{LogState, RaftLogReader, StorageIOError};

#[cfg(test)]
pub(crate) use memory::CacheUsage;
pub(crate) use memory::{CacheLimits, LogMemory};
use wal::{DiskLog, Done};

use crate::types::{Entry, LogId, StorageError, TypeConfig, Vote};

/// Most durable entries kept in memory in front of the segment files.
pub(crate) const CACHE_MAX_ENTRIES: usize = 2048;
/// Most (approximate) bytes of durable entries kept in memory in front of the segment files.
pub(crate) const CACHE_MAX_BYTES: usize = 8 << 20;

/// Our [`RaftLogStorage`]: cheap to clone (the reader is a clone).
#[derive(Clone)]
pub struct LogStore {
    mem: Arc<std::sync::Mutex<LogMemory>>,
    disk: Option<Arc<DiskLog>>,
}

impl LogStore {
    /// A log kept only in memory (`-dev`, tests).
    pub fn in_memory() -> Self {
        LogStore {
            mem: Arc::new(std::sync::Mutex::new(LogMemory::default())),
            disk: None,
        }
    }

    /// Opens (or creates) the log in directory `dir`; the newest entries are loaded into the
    /// cache.
    pub fn open(dir: &Path) -> Result<Self, crate::RaftError> {
        Self::open_with_limits(
            dir,
            CacheLimits {
                max_entries: CACHE_MAX_ENTRIES,
                max_bytes: CACHE_MAX_BYTES,
            },
            wal::SEGMENT_BYTES,
        )
    }

    /// [`LogStore::open`] with other cache bounds and segment size.
    pub(crate) fn open_with_limits(
        dir: &Path,
        limits: CacheLimits,
        segment_bytes: u64,
    ) -> Result<Self, crate::RaftError> {
        let (disk, mem) = DiskLog::open(dir, limits, segment_bytes)?;
        Ok(LogStore {
            mem: Arc::new(std::sync::Mutex::new(mem)),
            disk: Some(Arc::new(disk)),
        })
    }

    /// Number of log syncs so far (0 in memory).
    pub fn fsyncs(&self) -> u64 {
        self.disk.as_ref().map(|d| d.fsyncs()).unwrap_or(0)
    }

    /// What the entry cache holds now, after evicting what it may.
    #[cfg(test)]
    pub(crate) fn cache_usage(&self) -> CacheUsage {
        let mut mem = self.lock();
        if let Some(d) = &self.disk {
            mem.evict(d.durable_seq());
        }
        mem.usage()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, LogMemory> {
        // A poisoned lock only means another thread panicked mid-update of plain maps;
        // the data is still structurally valid.
        self.mem.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Appends `entries`; `done` fires once they are durable (at once without a disk).
    fn append_entries(&self, entries: Vec<Entry>, done: Done) -> Result<(), StorageError> {
        match &self.disk {
            None => {
                self.lock().append(entries, &[], 0);
                done.complete(Ok(()));
            }
            Some(disk) => {
                // Serialize before taking the lock (it may fail, and takes a while).
                let encoded = wal::encode_entries(&entries).map_err(write_err)?;
                let lens: Vec<usize> = encoded.iter().map(|(_, b)| b.len()).collect();
                let mut mem = self.lock();
                // Queue under the lock so that the channel order is the sequence order, which
                // eviction relies on ("durable up to seq" covers every earlier append).
                let seq = mem.next_seq();
                mem.append(entries, &lens, seq);
                let queued = disk.append(encoded, seq, done);
                mem.evict(disk.durable_seq());
                drop(mem);
                queued.map_err(write_err)?;
            }
        }
        Ok(())
    }
}

fn write_err(e: impl std::error::Error + 'static) -> StorageError {
    StorageIOError::write_logs(&e).into()
}

fn read_err(e: impl std::error::Error + 'static) -> StorageError {
    StorageIOError::read_logs(&e).into()
}

/// `range` as a half-open `start..end` of indexes.
fn half_open(range: &impl RangeBounds<u64>) -> (u64, u64) {
    let start = match range.start_bound() {
        Bound::Included(&s) => s,
        Bound::Excluded(&s) => s.saturating_add(1),
        Bound::Unbounded => 0,
    };
    let end = match range.end_bound() {
        Bound::Included(&e) => e.saturating_add(1),
        Bound::Excluded(&e) => e,
        Bound::Unbounded => u64::MAX,
    };
    (start, end)
}

impl RaftLogReader<TypeConfig> for LogStore {
    async fn try_get_log_entries<RB: RangeBounds<u64> + Clone + Debug + Send>(
        &mut self,
        range: RB,
    ) -> Result<Vec<Entry>, StorageError> {
        let (start, end) = half_open(&range);
        let (plan, locs) = {
            let mem = self.lock();
            let plan = mem.plan_read(start, end);
            // Locate the disk part while the cache cannot change: every entry below the cache
            // was durable (and indexed) before it was evicted, and a location stays readable
            // whatever later purges and truncations do.
            let locs = match (&plan.disk, &self.disk) {
                (Some(range), Some(d)) => Some(d.locate(range.clone())),
                _ => None,
            };
            (plan, locs)
        };
        let Some(locs) = locs else {
            return Ok(plan.cached);
        };
        let mut out = wal::read_entries(&locs).map_err(read_err)?;
        out.extend(plan.cached);
        Ok(out)
    }
}

impl RaftLogStorage<TypeConfig> for LogStore {
    type LogReader = LogStore;

    async fn get_log_state(&mut self) -> Result<LogState<TypeConfig>, StorageError> {
        Ok(self.lock().log_state())
    }

    async fn get_log_reader(&mut self) -> Self::LogReader {
        self.clone()
    }

    async fn save_vote(&mut self, vote: &Vote) -> Result<(), StorageError> {
        self.lock().vote = Some(*vote);
        if let Some(disk) = &self.disk {
            disk.save_vote(vote)
                .await
                .map_err(|e| StorageError::from(StorageIOError::write_vote(&e)))?;
        }
        Ok(())
    }

    async fn read_vote(&mut self) -> Result<Option<Vote>, StorageError> {
        Ok(self.lock().vote)
    }

    async fn save_committed(&mut self, committed: Option<LogId>) -> Result<(), StorageError> {
        self.lock().committed = committed;
        if let Some(disk) = &self.disk {
            disk.save_committed(committed).map_err(write_err)?;
        }
        Ok(())
    }

    async fn read_committed(&mut self) -> Result<Option<LogId>, StorageError> {
        Ok(self.lock().committed)
    }

    async fn append<I>(
        &mut self,
        entries: I,
        callback: LogFlushed<TypeConfig>,
    ) -> Result<(), StorageError>
    where
        I: IntoIterator<Item = Entry> + Send,
        I::IntoIter: Send,
    {
        self.append_entries(entries.into_iter().collect(), Done::Raft(callback))
    }

    async fn truncate(&mut self, log_id: LogId) -> Result<(), StorageError> {
        let since = log_id.index;
        {
            let mut mem = self.lock();
            if mem.truncate(since) {
                if let Some(d) = &self.disk {
                    // The new last entry was evicted: it is durable on disk, below `since`.
                    // Looked up under the lock (rare, one entry) so nobody sees a wrong last id.
                    let first_valid = mem.last_purged.map_or(0, |p| p.index + 1);
                    let last = d.last_log_id_in(first_valid..since).map_err(read_err)?;
                    mem.set_last_log_id(last);
                }
            }
        }
        if let Some(disk) = &self.disk {
            disk.truncate(since).await.map_err(write_err)?;
        }
        Ok(())
    }

    async fn purge(&mut self, log_id: LogId) -> Result<(), StorageError> {
        self.lock().purge(log_id);
        if let Some(disk) = &self.disk {
            disk.purge(log_id).map_err(write_err)?;
        }
        Ok(())
    }
}

impl LogStore {
    /// Finishes queued disk writes and stops the writer (blocking). Later writes fail.
    pub fn close(&self) {
        if let Some(d) = &self.disk {
            d.close();
        }
    }
}
