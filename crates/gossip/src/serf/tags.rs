//! Serf tags in memberlist node meta: `0xFF` then a msgpack map of
//! strings. Meta without the magic byte is the old form: the role.

use crate::codec::msgpack::{DecodeError, Reader, Writer};
use std::collections::BTreeMap;

/// First byte of tag-encoded meta.
pub const TAG_MAGIC: u8 = 0xff;

/// Encode tags (keys sorted, for stable bytes).
pub fn encode_tags(tags: &BTreeMap<String, String>) -> Vec<u8> {
    let mut w = Writer::with(vec![TAG_MAGIC]);
    w.map(tags.len() as u32);
    for (k, v) in tags {
        w.str(k).str(v);
    }
    w.into_inner()
}

/// Decode tags from node meta.
pub fn decode_tags(meta: &[u8]) -> Result<BTreeMap<String, String>, DecodeError> {
    let mut out = BTreeMap::new();
    match meta.split_first() {
        Some((&TAG_MAGIC, body)) => {
            let mut r = Reader::new(body);
            let n = r.read_map_len()?;
            for _ in 0..n {
                let k = r.read_string()?;
                let v = r.read_string()?;
                out.insert(k, v);
            }
        }
        Some(_) => {
            out.insert("role".into(), String::from_utf8_lossy(meta).into_owned());
        }
        None => {}
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip_and_legacy() {
        let mut t = BTreeMap::new();
        t.insert("role".to_string(), "consul".to_string());
        t.insert("dc".to_string(), "dc1".to_string());
        let b = encode_tags(&t);
        let mut want = vec![0xff, 0x82, 0xa2, b'd', b'c', 0xa3, b'd', b'c', b'1', 0xa4];
        want.extend_from_slice(b"role");
        want.push(0xa6);
        want.extend_from_slice(b"consul");
        assert_eq!(b, want);
        assert_eq!(decode_tags(&b).unwrap(), t);
        assert_eq!(decode_tags(&[0xff, 0x80]).unwrap(), BTreeMap::new());
        assert_eq!(decode_tags(b"web").unwrap()["role"], "web");
        assert!(decode_tags(&[0xff, 0x81]).is_err());
    }
}
