//! Byte layout of a snapshot, identical on disk and on the wire:
//! `MAGIC | u32 BE header length | JSON header | application data`.

use serde::{Deserialize, Serialize};

use crate::types::SnapshotMeta;

const MAGIC: &[u8; 8] = b"CRSNAP01";

/// What we store next to the application's bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct SnapshotHeader {
    /// openraft's metadata: last log id, last membership, snapshot id.
    pub(crate) meta: SnapshotMeta,
    /// The application index of the last command included.
    pub(crate) app_index: u64,
}

/// A malformed snapshot.
#[derive(Debug, thiserror::Error)]
#[error("bad snapshot: {0}")]
pub(crate) struct FormatError(pub(crate) String);

/// Builds the snapshot bytes.
pub(crate) fn encode(header: &SnapshotHeader, data: &[u8]) -> Result<Vec<u8>, FormatError> {
    let h = serde_json::to_vec(header).map_err(|e| FormatError(e.to_string()))?;
    let len = u32::try_from(h.len()).map_err(|_| FormatError("header too large".into()))?;
    let mut out = Vec::with_capacity(12 + h.len() + data.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&h);
    out.extend_from_slice(data);
    Ok(out)
}

/// Splits snapshot bytes into header and application data.
pub(crate) fn decode(bytes: &[u8]) -> Result<(SnapshotHeader, &[u8]), FormatError> {
    if bytes.len() < 12 || &bytes[..8] != MAGIC {
        return Err(FormatError("missing magic".into()));
    }
    let mut len = [0u8; 4];
    len.copy_from_slice(&bytes[8..12]);
    let len = u32::from_be_bytes(len) as usize;
    let end = 12usize
        .checked_add(len)
        .filter(|e| *e <= bytes.len())
        .ok_or_else(|| FormatError("truncated header".into()))?;
    let header = serde_json::from_slice(&bytes[12..end]).map_err(|e| FormatError(e.to_string()))?;
    Ok((header, &bytes[end..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_garbage() {
        let h = SnapshotHeader {
            meta: SnapshotMeta::default(),
            app_index: 7,
        };
        let b = encode(&h, b"state").unwrap();
        let (h2, d) = decode(&b).unwrap();
        assert_eq!(h2, h);
        assert_eq!(d, b"state");
        assert!(decode(b"nope").is_err());
        assert!(decode(&b[..14]).is_err());
    }
}
