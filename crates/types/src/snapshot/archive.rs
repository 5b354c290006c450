//! The snapshot archive `GET /v1/snapshot` answers and `PUT /v1/snapshot`
//! takes: a gzip'd tar of `meta.json`, `state.bin` (the state store's
//! versioned image) and `SHA256SUMS` (`<hex sha256>  <name>` per file), laid
//! out as Consul's `snapshot` package lays it out.
//!
//! [`read`] never trusts its input: it refuses anything that is not gzip, a
//! truncated stream, a tar it cannot read, an unexpected or repeated file, a
//! missing file or checksum, a checksum that does not match, or a `Size`
//! that is not `state.bin`'s length, each with a one-line reason.

use std::io::{Read, Write};

use sha2::{Digest, Sha256};

use super::meta::SnapshotMeta;
use super::tar::{self, TarError};

/// The most bytes [`read`] unpacks (a larger archive is refused rather than
/// filling memory).
pub const MAX_UNPACKED: u64 = 1 << 30;

const META: &str = "meta.json";
const STATE: &str = "state.bin";
const SUMS: &str = "SHA256SUMS";

/// A snapshot archive, unpacked and verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Archive {
    /// `meta.json`.
    pub meta: SnapshotMeta,
    /// `state.bin`: the state store's image.
    pub state: Vec<u8>,
}

/// Why an archive was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArchiveError {
    /// The bytes are not gzip at all.
    #[error("failed reading snapshot: not a gzip stream")]
    NotGzip,
    /// The gzip stream is damaged or cut short.
    #[error("failed reading snapshot: {0}")]
    Gzip(String),
    /// It unpacks to more than [`MAX_UNPACKED`] bytes.
    #[error("failed reading snapshot: larger than {MAX_UNPACKED} bytes unpacked")]
    TooLarge,
    /// The tar inside is damaged.
    #[error("failed reading snapshot: {0}")]
    Tar(#[from] TarError),
    /// A file other than `meta.json`, `state.bin` and `SHA256SUMS`, or one of
    /// them twice.
    #[error("unexpected file {0:?} in snapshot")]
    UnexpectedFile(String),
    /// `meta.json` is not the metadata's JSON.
    #[error("failed to decode snapshot metadata: {0}")]
    Meta(String),
    /// A file or checksum is missing, a checksum differs, or the sizes disagree.
    #[error("failed checking integrity of snapshot: {0}")]
    Integrity(String),
}

/// Pack `state` with `meta` (whose `size` is set to the state's length) into
/// an archive; `mtime` (seconds since the epoch) stamps its files.
pub fn write(meta: &SnapshotMeta, state: &[u8], mtime: u64) -> Vec<u8> {
    let mut meta = meta.clone();
    meta.size = state.len() as u64;
    let mut meta_json = serde_json::to_vec(&meta).unwrap_or_default();
    meta_json.push(b'\n');
    let sums = format!(
        "{}  {META}\n{}  {STATE}\n",
        hex(&Sha256::digest(&meta_json)),
        hex(&Sha256::digest(state)),
    );
    let mut t = Vec::with_capacity(state.len() + 4096);
    // Names are fixed and short: appending cannot fail.
    for (name, data) in [
        (META, &meta_json[..]),
        (STATE, state),
        (SUMS, sums.as_bytes()),
    ] {
        let _ = tar::append(&mut t, name, data, mtime);
    }
    tar::finish(&mut t);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    // Writing into a Vec cannot fail.
    let _ = gz.write_all(&t);
    gz.finish().unwrap_or_default()
}

/// Unpack and verify an archive (see the module docs for what is refused).
pub fn read(bytes: &[u8]) -> Result<Archive, ArchiveError> {
    if bytes.len() < 2 || bytes[..2] != [0x1f, 0x8b] {
        return Err(ArchiveError::NotGzip);
    }
    let mut t = Vec::new();
    flate2::read::MultiGzDecoder::new(bytes)
        .take(MAX_UNPACKED + 1)
        .read_to_end(&mut t)
        .map_err(|e| ArchiveError::Gzip(e.to_string()))?;
    if t.len() as u64 > MAX_UNPACKED {
        return Err(ArchiveError::TooLarge);
    }
    let (mut meta, mut state, mut sums) = (None, None, None);
    for e in tar::entries(&t)? {
        let slot = match e.name.as_str() {
            META => &mut meta,
            STATE => &mut state,
            SUMS => &mut sums,
            _ => return Err(ArchiveError::UnexpectedFile(e.name)),
        };
        if slot.replace(e.data).is_some() {
            return Err(ArchiveError::UnexpectedFile(e.name));
        }
    }
    let missing = |f: &str| ArchiveError::Integrity(format!("file missing for {f:?}"));
    let meta_bytes = meta.ok_or_else(|| missing(META))?;
    let state = state.ok_or_else(|| missing(STATE))?;
    let sums = sums.ok_or_else(|| missing(SUMS))?;
    verify_sums(sums, &[(META, meta_bytes), (STATE, state)])?;
    let meta: SnapshotMeta =
        crate::json::from_slice_ci(meta_bytes).map_err(|e| ArchiveError::Meta(e.to_string()))?;
    if meta.size != state.len() as u64 {
        return Err(ArchiveError::Integrity(format!(
            "metadata says {} bytes of state, {STATE} has {}",
            meta.size,
            state.len()
        )));
    }
    Ok(Archive {
        meta,
        state: state.to_vec(),
    })
}

/// Check `SHA256SUMS` against the files: every line names a file we have
/// with its hash, and every file has a line (Consul's `DecodeAndVerify`).
fn verify_sums(sums: &[u8], files: &[(&str, &[u8])]) -> Result<(), ArchiveError> {
    let bad = |m: String| ArchiveError::Integrity(m);
    let text = std::str::from_utf8(sums).map_err(|_| bad(format!("{SUMS} is not text")))?;
    let mut seen = vec![false; files.len()];
    for line in text.lines().filter(|l| !l.is_empty()) {
        let (sum, name) = line
            .split_once("  ")
            .ok_or_else(|| bad(format!("malformed {SUMS} line {line:?}")))?;
        let i = files
            .iter()
            .position(|(n, _)| *n == name)
            .ok_or_else(|| bad(format!("list missing hash for {name:?}")))?;
        if !sum.eq_ignore_ascii_case(&hex(&Sha256::digest(files[i].1))) {
            return Err(bad(format!("hash check failed for {name:?}")));
        }
        seen[i] = true;
    }
    match seen.iter().position(|s| !s) {
        Some(i) => Err(bad(format!("file missing for {:?}", files[i].0))),
        None => Ok(()),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<u8> {
        write(
            &SnapshotMeta::new(42, 3, 0, 1_700_000_000_000),
            b"image bytes",
            1_700_000_000,
        )
    }

    #[test]
    fn an_archive_round_trips() {
        let a = read(&sample()).unwrap();
        assert_eq!(a.state, b"image bytes");
        assert_eq!(a.meta.index, 42);
        assert_eq!(a.meta.term, 3);
        assert_eq!(a.meta.size, 11);
        assert_eq!(a.meta.version, 1);
        assert_eq!(a.meta.id, "3-42-1700000000000");
    }

    #[test]
    fn damage_is_refused_with_a_reason() {
        assert_eq!(read(b"plain text"), Err(ArchiveError::NotGzip));
        let good = sample();
        assert!(matches!(
            read(&good[..good.len() - 9]),
            Err(ArchiveError::Gzip(_))
        ));
        // A tampered state with a matching gzip stream: unpack, flip, repack.
        let mut t = Vec::new();
        flate2::read::GzDecoder::new(&good[..])
            .read_to_end(&mut t)
            .unwrap();
        let at = t.windows(11).position(|w| w == b"image bytes").unwrap();
        t[at] = b'I';
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&t).unwrap();
        let e = read(&gz.finish().unwrap()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "failed checking integrity of snapshot: hash check failed for \"state.bin\""
        );
    }
}
