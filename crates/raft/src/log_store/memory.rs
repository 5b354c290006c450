//! The in-memory part of the log: vote/committed/purged/last pointers plus entries.
//!
//! Without a disk every entry is kept here. With a disk this is a bounded cache of the most
//! recent entries: it always holds every entry not yet durable on disk (openraft reads
//! appended entries before they are flushed), and of the rest only as many of the newest as
//! [`CacheLimits`] allow; older ones are read back from disk.

use std::collections::BTreeMap;
use std::ops::Range;

use openraft::LogState;

use crate::types::{Entry, LogId, TypeConfig, Vote};

/// Bounds of the entry cache kept in front of the disk log (whichever is reached first).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct CacheLimits {
    /// Most entries kept once they are durable.
    pub(crate) max_entries: usize,
    /// Most (approximate) bytes of entries kept once they are durable.
    pub(crate) max_bytes: usize,
}

/// One cached entry with its approximate heap size and the append sequence number whose
/// disk sync makes it durable (0: loaded from disk, durable already).
struct Cached {
    entry: Entry,
    bytes: usize,
    seq: u64,
}

/// How much of the log the cache holds.
#[cfg(test)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct CacheUsage {
    /// Entries held in memory.
    pub(crate) entries: usize,
    /// Their approximate bytes.
    pub(crate) bytes: usize,
}

/// Log state held in memory.
#[derive(Default)]
pub(crate) struct LogMemory {
    /// A suffix of the log by index: entries below the first key live only on disk.
    entries: BTreeMap<u64, Cached>,
    bytes: usize,
    /// `None`: nothing behind this, keep every entry.
    limits: Option<CacheLimits>,
    last_log_id: Option<LogId>,
    next_seq: u64,
    pub(crate) vote: Option<Vote>,
    pub(crate) committed: Option<LogId>,
    pub(crate) last_purged: Option<LogId>,
}

/// Which part of a read comes from disk and which from the cache.
pub(crate) struct ReadPlan {
    /// Indexes to read from disk (all of them durable and below the cache).
    pub(crate) disk: Option<Range<u64>>,
    /// The cached part, following the disk part.
    pub(crate) cached: Vec<Entry>,
}

impl LogMemory {
    /// An empty log whose durable entries are evicted beyond `limits`.
    pub(crate) fn bounded(limits: CacheLimits) -> Self {
        LogMemory {
            limits: Some(limits),
            ..Default::default()
        }
    }

    /// Sets the last log id, found on disk (at open, or after a truncation into evicted
    /// entries).
    pub(crate) fn set_last_log_id(&mut self, last: Option<LogId>) {
        self.last_log_id = last;
    }

    /// Puts an entry loaded from disk in front of the cache, if the limits leave room.
    /// Returns false once they do not (the caller loads newest first).
    pub(crate) fn preload(&mut self, entry: Entry, encoded_len: usize) -> bool {
        let bytes = approx_size(&entry, encoded_len);
        if let Some(l) = self.limits {
            if self.entries.len() >= l.max_entries || self.bytes + bytes > l.max_bytes {
                return false;
            }
        }
        self.bytes += bytes;
        self.entries.insert(
            entry.log_id.index,
            Cached {
                entry,
                bytes,
                seq: 0,
            },
        );
        true
    }

    /// Splits the half-open index range `start..end` into a disk part and a cached part.
    /// Indexes that are purged or beyond the last entry are left out.
    pub(crate) fn plan_read(&self, start: u64, end: u64) -> ReadPlan {
        let first_valid = self.last_purged.map_or(0, |p| p.index + 1);
        let log_end = self.last_log_id.map_or(0, |l| l.index.saturating_add(1));
        let (start, end) = (start.max(first_valid), end.min(log_end));
        if start >= end {
            return ReadPlan {
                disk: None,
                cached: Vec::new(),
            };
        }
        let first_cached = self.first_cached();
        let disk =
            (self.limits.is_some() && start < first_cached).then(|| start..end.min(first_cached));
        let from = start.max(first_cached);
        let cached = if from < end {
            self.entries
                .range(from..end)
                .map(|(_, c)| c.entry.clone())
                .collect()
        } else {
            Vec::new()
        };
        ReadPlan { disk, cached }
    }

    /// The lowest index served from memory; everything below (and not purged) is on disk.
    fn first_cached(&self) -> u64 {
        match self.entries.keys().next() {
            Some(&k) => k,
            None => self.last_log_id.map_or(0, |l| l.index.saturating_add(1)),
        }
    }

    pub(crate) fn log_state(&self) -> LogState<TypeConfig> {
        LogState {
            last_purged_log_id: self.last_purged,
            last_log_id: self.last_log_id.or(self.last_purged),
        }
    }

    /// The sequence number the next append will carry.
    pub(crate) fn next_seq(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq
    }

    /// Adds appended entries (`encoded_lens[i]` is the encoded size of `entries[i]`, used for the
    /// byte budget), made durable by the disk commit of append `seq`.
    pub(crate) fn append(&mut self, entries: Vec<Entry>, encoded_lens: &[usize], seq: u64) {
        for (i, e) in entries.into_iter().enumerate() {
            if self.last_log_id.is_none_or(|l| l.index <= e.log_id.index) {
                self.last_log_id = Some(e.log_id);
            }
            let bytes = approx_size(&e, encoded_lens.get(i).copied().unwrap_or(0));
            self.bytes += bytes;
            let old = self.entries.insert(
                e.log_id.index,
                Cached {
                    entry: e,
                    bytes,
                    seq,
                },
            );
            if let Some(old) = old {
                self.bytes -= old.bytes;
            }
        }
    }

    /// Drops the oldest cached entries that are durable (appended by a sequence number up to
    /// `durable_seq`) while the cache exceeds its limits.
    pub(crate) fn evict(&mut self, durable_seq: u64) {
        let Some(l) = self.limits else { return };
        while self.entries.len() > l.max_entries || self.bytes > l.max_bytes {
            let Some(first) = self.entries.first_entry() else {
                break;
            };
            if first.get().seq > durable_seq {
                break;
            }
            self.bytes -= first.remove().bytes;
        }
    }

    /// Removes entries from index `since` on. Returns true when the new last entry is not in
    /// the cache: the caller must then look it up on disk (below `since`, above the purged
    /// ones) and pass it to [`LogMemory::set_last_log_id`].
    pub(crate) fn truncate(&mut self, since: u64) -> bool {
        for (_, c) in self.entries.split_off(&since) {
            self.bytes -= c.bytes;
        }
        if self.last_log_id.is_none_or(|l| l.index < since) {
            return false;
        }
        if let Some((_, c)) = self.entries.last_key_value() {
            self.last_log_id = Some(c.entry.log_id);
            return false;
        }
        let first_valid = self.last_purged.map_or(0, |p| p.index + 1);
        self.last_log_id = None;
        self.limits.is_some() && since > first_valid
    }

    pub(crate) fn purge(&mut self, upto: LogId) {
        if self.last_purged.is_none_or(|p| p.index < upto.index) {
            self.last_purged = Some(upto);
        }
        let keep = self.entries.split_off(&(upto.index + 1));
        for (_, c) in std::mem::replace(&mut self.entries, keep) {
            self.bytes -= c.bytes;
        }
        if self.last_log_id.is_some_and(|l| l.index <= upto.index) {
            self.last_log_id = None;
        }
    }

    /// Entries and bytes currently held.
    #[cfg(test)]
    pub(crate) fn usage(&self) -> CacheUsage {
        CacheUsage {
            entries: self.entries.len(),
            bytes: self.bytes,
        }
    }
}

/// Approximate heap bytes of a decoded entry: its encoding plus the struct and, per command,
/// a `ByteBuf` header and allocator overhead.
fn approx_size(e: &Entry, encoded_len: usize) -> usize {
    let commands = match &e.payload {
        openraft::EntryPayload::Normal(b) => b.commands.len(),
        _ => 0,
    };
    std::mem::size_of::<Entry>() + encoded_len + commands * 40
}
