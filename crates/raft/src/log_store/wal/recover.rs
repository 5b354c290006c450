//! Opening a log directory: replaying its segments, oldest first, into the index and the
//! vote/committed/purged pointers, and cutting a torn append off the newest segment.

use std::path::Path;
use std::sync::Arc;

use super::record::{self, Record, ENTRY_PREFIX_LEN, HEADER_LEN};
use super::segment::{
    create_segment, index_append, index_purge, index_truncate, list_segments, open_segment, Index,
    Loc, SegmentInfo,
};
use super::DiskError;

/// The pointers kept beside the entries, encoded.
#[derive(Debug, Clone, Default)]
pub(crate) struct Meta {
    pub(crate) vote: Option<Vec<u8>>,
    pub(crate) committed: Option<Vec<u8>>,
    /// Index and encoded log id of the last purged entry.
    pub(crate) purged: Option<(u64, Vec<u8>)>,
}

impl Meta {
    /// Index of the last purged entry.
    pub(crate) fn purged_index(&self) -> Option<u64> {
        self.purged.as_ref().map(|(i, _)| *i)
    }
}

/// What is on disk.
#[derive(Debug)]
pub(crate) struct Recovered {
    pub(crate) meta: Meta,
    pub(crate) index: Index,
    /// Oldest first; the last one is where appends go. Never empty.
    pub(crate) segments: Vec<SegmentInfo>,
}

/// Replays every segment of `dir` (creating the directory and a first segment if need be).
pub(crate) fn recover(dir: &Path) -> Result<Recovered, DiskError> {
    std::fs::create_dir_all(dir).map_err(|e| DiskError::io(dir, e))?;
    let seqs = list_segments(dir)?;
    let mut out = Recovered {
        meta: Meta::default(),
        index: Index::new(),
        segments: Vec::new(),
    };
    if seqs.is_empty() {
        let segment = create_segment(dir, 1)?;
        out.segments.push(SegmentInfo {
            segment: Arc::new(segment),
            max_index: None,
            len: 0,
        });
        return Ok(out);
    }
    for (i, &seq) in seqs.iter().enumerate() {
        let is_last = i + 1 == seqs.len();
        let segment = Arc::new(open_segment(dir, seq)?);
        let data = std::fs::read(&segment.path).map_err(|e| DiskError::io(&segment.path, e))?;
        let (valid, max_index) = replay(&data, &segment, &mut out)?;
        if valid < data.len() {
            if !is_last {
                return Err(DiskError(format!(
                    "{}: damaged record at byte {valid} of {} (only the newest segment may end \
                     in a torn write)",
                    segment.path.display(),
                    data.len()
                )));
            }
            tracing::warn!(
                segment = %segment.path.display(),
                kept = valid,
                dropped = data.len() - valid,
                "raft log ended in a torn write; cut it off"
            );
            segment
                .file
                .set_len(valid as u64)
                .and_then(|_| segment.file.sync_all())
                .map_err(|e| DiskError::io(&segment.path, e))?;
        }
        if is_last {
            // What the previous run wrote without a sync is durable from here on, before
            // anything (such as deleting purged segments) relies on it.
            segment
                .file
                .sync_data()
                .map_err(|e| DiskError::io(&segment.path, e))?;
        }
        out.segments.push(SegmentInfo {
            segment,
            max_index,
            len: valid as u64,
        });
    }
    Ok(out)
}

/// Applies the records of one segment; returns the length of its intact prefix and the highest
/// entry index in it.
fn replay(
    data: &[u8],
    segment: &Arc<super::segment::Segment>,
    out: &mut Recovered,
) -> Result<(usize, Option<u64>), DiskError> {
    let mut at = 0;
    let mut max_index = None;
    while at < data.len() {
        let Some((rec, len)) = record::decode(&data[at..]) else {
            break;
        };
        match rec {
            Record::Entry { index, bytes } => {
                let loc = Loc {
                    segment: segment.clone(),
                    offset: (at + HEADER_LEN + ENTRY_PREFIX_LEN) as u64,
                    len: bytes.len() as u32,
                };
                index_append(&mut out.index, index, loc);
                max_index = max_index.max(Some(index));
            }
            Record::Truncate { since } => index_truncate(&mut out.index, since),
            Record::Vote(v) => out.meta.vote = Some(v.to_vec()),
            Record::Committed(c) => out.meta.committed = c.map(<[u8]>::to_vec),
            Record::Purged { index, bytes } => {
                if out.meta.purged_index() < Some(index) {
                    out.meta.purged = Some((index, bytes.to_vec()));
                }
                index_purge(&mut out.index, index);
            }
        }
        at += len;
    }
    Ok((at, max_index))
}
