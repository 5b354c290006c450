//! Segment files and the index from log index to where each entry's bytes are.
//!
//! The log directory holds `<seq>.wal` files, numbered in the order they were started; only
//! the newest (the active segment) is written to. Readers go straight to an entry's bytes with
//! a positioned read through a shared handle, so a segment deleted by a purge stays readable by
//! whoever still holds its [`Loc`]s.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::DiskError;

/// One open segment file.
#[derive(Debug)]
pub(crate) struct Segment {
    /// Its number: segments are replayed in this order.
    pub(crate) seq: u64,
    pub(crate) path: PathBuf,
    pub(crate) file: File,
}

/// Where one entry's encoded bytes are.
#[derive(Debug, Clone)]
pub(crate) struct Loc {
    pub(crate) segment: Arc<Segment>,
    pub(crate) offset: u64,
    pub(crate) len: u32,
}

impl Loc {
    /// Reads the entry's encoded bytes.
    pub(crate) fn read(&self) -> Result<Vec<u8>, DiskError> {
        let mut buf = vec![0; self.len as usize];
        self.segment
            .file
            .read_exact_at(&mut buf, self.offset)
            .map_err(|e| DiskError::io(&self.segment.path, e))?;
        Ok(buf)
    }
}

/// Log index → location of every entry on disk that is neither truncated nor purged.
pub(crate) type Index = BTreeMap<u64, Loc>;

/// Records an appended entry: it replaces the entry at its index and drops every later one.
pub(crate) fn index_append(index: &mut Index, at: u64, loc: Loc) {
    index.split_off(&at);
    index.insert(at, loc);
}

/// Drops entries from `since` on.
pub(crate) fn index_truncate(index: &mut Index, since: u64) {
    index.split_off(&since);
}

/// Drops entries up to `upto`.
pub(crate) fn index_purge(index: &mut Index, upto: u64) {
    let keep = index.split_off(&upto.saturating_add(1));
    *index = keep;
}

/// A segment as the writer tracks it.
#[derive(Debug)]
pub(crate) struct SegmentInfo {
    pub(crate) segment: Arc<Segment>,
    /// Highest entry index ever written to it (an entry truncated later still counts).
    pub(crate) max_index: Option<u64>,
    /// Bytes written to it.
    pub(crate) len: u64,
}

fn file_name(seq: u64) -> String {
    format!("{seq:020}.wal")
}

/// Opens an existing segment for reading and writing.
pub(crate) fn open_segment(dir: &Path, seq: u64) -> Result<Segment, DiskError> {
    let path = dir.join(file_name(seq));
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .open(&path)
        .map_err(|e| DiskError::io(&path, e))?;
    Ok(Segment { seq, path, file })
}

/// Creates segment `seq` and makes its directory entry durable.
pub(crate) fn create_segment(dir: &Path, seq: u64) -> Result<Segment, DiskError> {
    let path = dir.join(file_name(seq));
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| DiskError::io(&path, e))?;
    sync_dir(dir)?;
    Ok(Segment { seq, path, file })
}

/// fsyncs a directory, so that files created or removed in it stay so after a crash.
pub(crate) fn sync_dir(dir: &Path) -> Result<(), DiskError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| DiskError::io(dir, e))
}

/// The numbers of the segment files in `dir`, ascending.
pub(crate) fn list_segments(dir: &Path) -> Result<Vec<u64>, DiskError> {
    let mut seqs = Vec::new();
    for item in std::fs::read_dir(dir).map_err(|e| DiskError::io(dir, e))? {
        let item = item.map_err(|e| DiskError::io(dir, e))?;
        let name = item.file_name();
        let Some(stem) = name.to_str().and_then(|n| n.strip_suffix(".wal")) else {
            continue;
        };
        if let Ok(seq) = stem.parse::<u64>() {
            seqs.push(seq);
        }
    }
    seqs.sort_unstable();
    Ok(seqs)
}
