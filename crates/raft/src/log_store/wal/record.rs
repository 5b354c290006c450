//! The record format of a log segment.
//!
//! A segment is a sequence of records, each `[body length: u32 LE][CRC-32 of body: u32 LE]
//! [body]`, the body being a kind byte and its fields. A record whose header or body is cut
//! short or whose checksum does not match ends the readable part of a segment: that is what a
//! crash in the middle of an append leaves behind.

/// Bytes before a record's body.
pub(crate) const HEADER_LEN: usize = 8;
/// Bytes of an entry record's body before the encoded entry (kind + index).
pub(crate) const ENTRY_PREFIX_LEN: usize = 1 + 8;

const KIND_ENTRY: u8 = 1;
const KIND_TRUNCATE: u8 = 2;
const KIND_VOTE: u8 = 3;
const KIND_COMMITTED: u8 = 4;
const KIND_PURGED: u8 = 5;

/// One decoded record, borrowing from the segment's bytes.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Record<'a> {
    /// Log entry `index` (msgpack-encoded `Entry`); it replaces any entry at or after `index`.
    Entry { index: u64, bytes: &'a [u8] },
    /// Entries from `since` on are gone.
    Truncate { since: u64 },
    /// The encoded vote.
    Vote(&'a [u8]),
    /// The encoded committed log id, or none.
    Committed(Option<&'a [u8]>),
    /// The encoded last purged log id; entries up to it are gone.
    Purged { index: u64, bytes: &'a [u8] },
}

/// Appends `record` to `buf`; returns the offset in `buf` of an entry's encoded bytes.
pub(crate) fn encode(buf: &mut Vec<u8>, record: &Record<'_>) -> usize {
    let start = buf.len();
    buf.extend_from_slice(&[0; HEADER_LEN]);
    let (kind, index, payload): (u8, Option<u64>, &[u8]) = match *record {
        Record::Entry { index, bytes } => (KIND_ENTRY, Some(index), bytes),
        Record::Truncate { since } => (KIND_TRUNCATE, Some(since), &[]),
        Record::Vote(bytes) => (KIND_VOTE, None, bytes),
        Record::Committed(bytes) => (KIND_COMMITTED, None, bytes.unwrap_or(&[])),
        Record::Purged { index, bytes } => (KIND_PURGED, Some(index), bytes),
    };
    buf.push(kind);
    if let Some(i) = index {
        buf.extend_from_slice(&i.to_le_bytes());
    }
    let payload_at = buf.len();
    buf.extend_from_slice(payload);
    let body = &buf[start + HEADER_LEN..];
    let len = body.len() as u32;
    let crc = crc32fast::hash(body);
    buf[start..start + 4].copy_from_slice(&len.to_le_bytes());
    buf[start + 4..start + 8].copy_from_slice(&crc.to_le_bytes());
    payload_at - start
}

/// Decodes the record at the start of `data`: the record and its total length, or `None` when
/// what is there is not a whole, intact record.
pub(crate) fn decode(data: &[u8]) -> Option<(Record<'_>, usize)> {
    let header = data.get(..HEADER_LEN)?;
    let len = u32::from_le_bytes(header[..4].try_into().ok()?) as usize;
    let crc = u32::from_le_bytes(header[4..].try_into().ok()?);
    let body = data.get(HEADER_LEN..HEADER_LEN.checked_add(len)?)?;
    if len == 0 || crc32fast::hash(body) != crc {
        return None;
    }
    let (kind, rest) = body.split_first()?;
    let index = || {
        rest.get(..8)
            .map(|b| u64::from_le_bytes(b.try_into().unwrap_or_default()))
    };
    let record = match *kind {
        KIND_ENTRY => Record::Entry {
            index: index()?,
            bytes: &rest[8..],
        },
        KIND_TRUNCATE => Record::Truncate { since: index()? },
        KIND_VOTE => Record::Vote(rest),
        KIND_COMMITTED => Record::Committed((!rest.is_empty()).then_some(rest)),
        KIND_PURGED => Record::Purged {
            index: index()?,
            bytes: &rest[8..],
        },
        _ => return None,
    };
    Some((record, HEADER_LEN + len))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roundtrip(r: Record<'_>) {
        let mut buf = vec![7, 7];
        let at = encode(&mut buf, &r);
        let (back, len) = decode(&buf[2..]).expect("decodes");
        assert_eq!(back, r);
        assert_eq!(len, buf.len() - 2);
        if let Record::Entry { bytes, .. } = r {
            assert_eq!(&buf[2 + at..], bytes);
        }
    }

    #[test]
    fn every_kind_round_trips() {
        roundtrip(Record::Entry {
            index: 42,
            bytes: b"entry",
        });
        roundtrip(Record::Truncate { since: 9 });
        roundtrip(Record::Vote(b"vote"));
        roundtrip(Record::Committed(Some(b"c")));
        roundtrip(Record::Committed(None));
        roundtrip(Record::Purged {
            index: 3,
            bytes: b"p",
        });
    }

    #[test]
    fn torn_or_damaged_records_are_not_read() {
        let mut buf = Vec::new();
        encode(
            &mut buf,
            &Record::Entry {
                index: 1,
                bytes: b"hello",
            },
        );
        for cut in 0..buf.len() {
            assert_eq!(decode(&buf[..cut]), None, "cut at {cut}");
        }
        let last = buf.len() - 1;
        buf[last] ^= 1;
        assert_eq!(decode(&buf), None, "a flipped bit fails the checksum");
        assert_eq!(decode(&[0; 64]), None, "zeroes are not a record");
    }
}
