//! The in-memory part of the log: entries by index plus vote/committed/purged pointers.

use std::collections::BTreeMap;
use std::ops::RangeBounds;

use openraft::LogState;

use crate::types::{Entry, LogId, TypeConfig, Vote};

/// Log contents held in memory.
#[derive(Default)]
pub(crate) struct LogMemory {
    pub(crate) entries: BTreeMap<u64, Entry>,
    pub(crate) vote: Option<Vote>,
    pub(crate) committed: Option<LogId>,
    pub(crate) last_purged: Option<LogId>,
}

impl LogMemory {
    pub(crate) fn range(&self, range: impl RangeBounds<u64>) -> Vec<Entry> {
        self.entries.range(range).map(|(_, e)| e.clone()).collect()
    }

    pub(crate) fn log_state(&self) -> LogState<TypeConfig> {
        let last = self.entries.values().next_back().map(|e| e.log_id);
        LogState {
            last_purged_log_id: self.last_purged,
            last_log_id: last.or(self.last_purged),
        }
    }

    pub(crate) fn append(&mut self, entries: Vec<Entry>) {
        for e in entries {
            self.entries.insert(e.log_id.index, e);
        }
    }

    pub(crate) fn truncate(&mut self, since: u64) {
        let _ = self.entries.split_off(&since);
    }

    pub(crate) fn purge(&mut self, upto: LogId) {
        if self.last_purged.is_none_or(|p| p.index < upto.index) {
            self.last_purged = Some(upto);
        }
        let keep = self.entries.split_off(&(upto.index + 1));
        self.entries = keep;
    }
}
