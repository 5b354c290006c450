//! Where finished snapshots live: files under `<data_dir>/raft/snapshots/` or, without a data
//! dir, the newest one in memory.
//!
//! Files are named `snap-<index:020>-<term:020>-<seq>.snap`, written to a temporary name,
//! fsynced, renamed and the directory fsynced; the two newest are kept.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

const KEEP: usize = 2;
const SUFFIX: &str = ".snap";
const TMP_PREFIX: &str = ".tmp-";

/// A snapshot-store I/O failure.
#[derive(Debug, thiserror::Error)]
#[error("snapshot store: {0}")]
pub(crate) struct StoreError(pub(crate) String);

/// Snapshot storage.
pub(crate) enum SnapshotStore {
    /// Files in a directory.
    Dir(PathBuf),
    /// Only the newest snapshot, in memory.
    Memory(Mutex<Option<Vec<u8>>>),
}

impl SnapshotStore {
    /// Opens a directory store, creating the directory and removing stale temporary files.
    pub(crate) fn open_dir(dir: &Path) -> Result<Self, StoreError> {
        fs::create_dir_all(dir).map_err(|e| StoreError(format!("{}: {e}", dir.display())))?;
        for ent in fs::read_dir(dir)
            .map_err(|e| StoreError(e.to_string()))?
            .flatten()
        {
            if ent.file_name().to_string_lossy().starts_with(TMP_PREFIX) {
                let _ = fs::remove_file(ent.path());
            }
        }
        Ok(SnapshotStore::Dir(dir.to_path_buf()))
    }

    /// Stores `bytes` as the newest snapshot (last log `index`, `term`).
    pub(crate) fn save(&self, index: u64, term: u64, bytes: &[u8]) -> Result<(), StoreError> {
        match self {
            SnapshotStore::Memory(m) => {
                *m.lock().unwrap_or_else(|e| e.into_inner()) = Some(bytes.to_vec());
                Ok(())
            }
            SnapshotStore::Dir(dir) => {
                let seq = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_nanos())
                    .unwrap_or(0);
                let name = format!("snap-{index:020}-{term:020}-{seq}{SUFFIX}");
                let tmp = dir.join(format!("{TMP_PREFIX}{name}"));
                let err = |e: std::io::Error| StoreError(format!("{}: {e}", tmp.display()));
                let mut f = fs::File::create(&tmp).map_err(err)?;
                f.write_all(bytes).map_err(err)?;
                f.sync_all().map_err(err)?;
                drop(f);
                fs::rename(&tmp, dir.join(&name)).map_err(err)?;
                if let Ok(d) = fs::File::open(dir) {
                    let _ = d.sync_all();
                }
                self.prune();
                Ok(())
            }
        }
    }

    /// The newest snapshot's bytes, if any.
    pub(crate) fn newest(&self) -> Result<Option<Vec<u8>>, StoreError> {
        match self {
            SnapshotStore::Memory(m) => Ok(m.lock().unwrap_or_else(|e| e.into_inner()).clone()),
            SnapshotStore::Dir(_) => match self.list()?.pop() {
                None => Ok(None),
                Some(p) => fs::read(&p)
                    .map(Some)
                    .map_err(|e| StoreError(format!("{}: {e}", p.display()))),
            },
        }
    }

    /// Snapshot files, oldest first.
    fn list(&self) -> Result<Vec<PathBuf>, StoreError> {
        let SnapshotStore::Dir(dir) = self else {
            return Ok(Vec::new());
        };
        let mut names: Vec<String> = fs::read_dir(dir)
            .map_err(|e| StoreError(format!("{}: {e}", dir.display())))?
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("snap-") && n.ends_with(SUFFIX))
            .collect();
        // Zero-padded index and term sort lexicographically; the sequence breaks ties.
        names.sort_by_key(|n| sort_key(n));
        Ok(names.into_iter().map(|n| dir.join(n)).collect())
    }

    fn prune(&self) {
        if let Ok(list) = self.list() {
            let excess = list.len().saturating_sub(KEEP);
            for p in &list[..excess] {
                let _ = fs::remove_file(p);
            }
        }
    }
}

fn sort_key(name: &str) -> (String, u128) {
    let stem = name.trim_end_matches(SUFFIX);
    match stem.rsplit_once('-') {
        Some((head, seq)) => (head.to_string(), seq.parse().unwrap_or(0)),
        None => (stem.to_string(), 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_two_newest_and_returns_highest_index() {
        let dir = tempfile::tempdir().unwrap();
        let s = SnapshotStore::open_dir(dir.path()).unwrap();
        assert!(s.newest().unwrap().is_none());
        s.save(10, 1, b"ten").unwrap();
        s.save(30, 2, b"thirty").unwrap();
        s.save(20, 2, b"twenty").unwrap();
        assert_eq!(s.newest().unwrap().as_deref(), Some(&b"thirty"[..]));
        assert_eq!(s.list().unwrap().len(), 2);
        fs::write(dir.path().join(".tmp-x"), b"junk").unwrap();
        let s = SnapshotStore::open_dir(dir.path()).unwrap();
        assert!(!dir.path().join(".tmp-x").exists());
        assert_eq!(s.newest().unwrap().as_deref(), Some(&b"thirty"[..]));
    }
}
