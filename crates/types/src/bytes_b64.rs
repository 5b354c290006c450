//! Serde for binary values: base64 text in JSON (as Consul writes KV values),
//! raw bytes in msgpack (Raft log and snapshots).

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use bytes::Bytes;
use serde::{Deserialize, Deserializer, Serializer};

/// Serialize `Option<Bytes>`: `null` when absent or empty, base64 when human-readable.
pub fn serialize<S: Serializer>(v: &Option<Bytes>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        None => s.serialize_none(),
        Some(b) if b.is_empty() && s.is_human_readable() => s.serialize_none(),
        Some(b) if s.is_human_readable() => s.serialize_str(&STANDARD.encode(b)),
        Some(b) => s.serialize_bytes(b),
    }
}

/// Deserialize `Option<Bytes>` from base64 text, raw bytes, or null.
pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Bytes>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Repr {
        Text(String),
        #[serde(with = "serde_bytes_compat")]
        Raw(Vec<u8>),
    }
    mod serde_bytes_compat {
        use serde::{de::Visitor, Deserializer};
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = Vec<u8>;
                fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                    f.write_str("bytes")
                }
                fn visit_bytes<E>(self, v: &[u8]) -> Result<Vec<u8>, E> {
                    Ok(v.to_vec())
                }
                fn visit_byte_buf<E>(self, v: Vec<u8>) -> Result<Vec<u8>, E> {
                    Ok(v)
                }
                fn visit_seq<A: serde::de::SeqAccess<'de>>(
                    self,
                    mut a: A,
                ) -> Result<Vec<u8>, A::Error> {
                    let mut out = Vec::new();
                    while let Some(b) = a.next_element::<u8>()? {
                        out.push(b);
                    }
                    Ok(out)
                }
            }
            d.deserialize_byte_buf(V)
        }
    }
    let human = d.is_human_readable();
    match Option::<Repr>::deserialize(d)? {
        None => Ok(None),
        Some(Repr::Text(t)) if human => STANDARD
            .decode(t.as_bytes())
            .map(|v| Some(Bytes::from(v)))
            .map_err(serde::de::Error::custom),
        Some(Repr::Text(t)) => Ok(Some(Bytes::from(t.into_bytes()))),
        Some(Repr::Raw(v)) => Ok(Some(Bytes::from(v))),
    }
}
