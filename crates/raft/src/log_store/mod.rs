//! The Raft log: an in-memory index of entries, optionally made durable by a redb file.
//!
//! Reads always come from memory (openraft requires appended entries to be readable at once,
//! before they are flushed). With a data dir every mutation is also queued, in order, to a
//! writer thread ([`redb_writer`]) that group-commits queued operations into one fsynced redb
//! transaction and only then fires the append callbacks.

mod memory;
pub(crate) mod redb_writer;

use std::fmt::Debug;
use std::ops::RangeBounds;
use std::path::Path;
use std::sync::Arc;

use openraft::storage::{LogFlushed, RaftLogStorage};
use openraft::{LogState, RaftLogReader, StorageIOError};

pub(crate) use memory::LogMemory;
use redb_writer::DiskLog;

use crate::types::{Entry, LogId, StorageError, TypeConfig, Vote};

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

    /// Opens (or creates) the redb log at `path` and loads it into memory.
    pub fn open(path: &Path) -> Result<Self, crate::RaftError> {
        let (disk, mem) = DiskLog::open(path)?;
        Ok(LogStore {
            mem: Arc::new(std::sync::Mutex::new(mem)),
            disk: Some(Arc::new(disk)),
        })
    }

    /// Number of fsynced redb commits so far (0 in memory).
    pub fn fsyncs(&self) -> u64 {
        self.disk.as_ref().map(|d| d.fsyncs()).unwrap_or(0)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, LogMemory> {
        // A poisoned lock only means another thread panicked mid-update of plain maps;
        // the data is still structurally valid.
        self.mem.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn write_err(e: impl std::error::Error + 'static) -> StorageError {
    StorageIOError::write_logs(&e).into()
}

impl RaftLogReader<TypeConfig> for LogStore {
    async fn try_get_log_entries<RB: RangeBounds<u64> + Clone + Debug + Send>(
        &mut self,
        range: RB,
    ) -> Result<Vec<Entry>, StorageError> {
        Ok(self.lock().range(range))
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
        let entries: Vec<Entry> = entries.into_iter().collect();
        match &self.disk {
            None => {
                self.lock().append(entries);
                callback.log_io_completed(Ok(()));
            }
            Some(disk) => {
                // Queue to disk first (serialization may fail), then make readable.
                let encoded = redb_writer::encode_entries(&entries).map_err(write_err)?;
                self.lock().append(entries);
                disk.append(encoded, callback).map_err(write_err)?;
            }
        }
        Ok(())
    }

    async fn truncate(&mut self, log_id: LogId) -> Result<(), StorageError> {
        self.lock().truncate(log_id.index);
        if let Some(disk) = &self.disk {
            disk.truncate(log_id.index).await.map_err(write_err)?;
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
    /// Finishes queued disk writes and closes the database file (blocking). Later writes fail.
    pub fn close(&self) {
        if let Some(d) = &self.disk {
            d.close();
        }
    }
}
