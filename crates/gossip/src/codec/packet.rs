//! UDP packet framing: labels, encryption, CRC, compression and compound
//! messages, in the order memberlist applies them.
//!
//! Sending: `msgs → compound (if several) → compress → CRC → encrypt → label`.
//! Receiving undoes it from the outside in; CRC, compression and compound
//! layers may nest in any order (up to a small depth).

use super::crypto::{self, CryptoError, EncryptionVersion, Keyring};
use super::lzw::{self, CompressError};
use super::messages::{Message, MessageType};
use super::msgpack::DecodeError;
use rand::RngCore;

/// Most parts a compound message can carry (the count is one byte).
pub const MAX_COMPOUND_PARTS: usize = 255;
/// Bytes a compound message adds: type byte and count.
pub const COMPOUND_HEADER_OVERHEAD: usize = 2;
/// Bytes each part adds to a compound message (its u16 length).
pub const COMPOUND_OVERHEAD: usize = 2;
/// Bytes the CRC layer adds.
pub const CRC_OVERHEAD: usize = 5;
/// Nesting depth of wrapper layers accepted on receive.
const MAX_NESTING: usize = 4;

/// Errors from decoding an untrusted packet.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PacketError {
    /// Empty packet or part.
    #[error("empty message")]
    Empty,
    /// The label header was malformed.
    #[error("malformed label header")]
    BadLabel,
    /// The packet's label is not ours.
    #[error("label mismatch: got {got:?}, want {want:?}")]
    LabelMismatch {
        /// Label on the packet.
        got: String,
        /// Our label.
        want: String,
    },
    /// Decryption failed.
    #[error("decrypt: {0}")]
    Crypto(#[from] CryptoError),
    /// CRC did not match.
    #[error("crc mismatch")]
    Crc,
    /// Decompression failed.
    #[error("decompress: {0}")]
    Compress(#[from] CompressError),
    /// A msgpack body failed to decode.
    #[error("decode: {0}")]
    Decode(#[from] DecodeError),
    /// Unknown message type byte.
    #[error("unknown message type {0}")]
    UnknownType(u8),
    /// A message that may not appear in a packet.
    #[error("unexpected message type {0:?} in packet")]
    Unexpected(MessageType),
    /// Wrappers nested too deeply.
    #[error("message nesting too deep")]
    TooDeep,
}

/// How packets are framed on this pool.
#[derive(Debug, Clone, Default)]
pub struct WireConfig {
    /// Label prepended to every packet and stream (empty = none).
    pub label: String,
    /// Encryption keys (None = plaintext).
    pub keyring: Option<Keyring>,
    /// Encryption format for sending.
    pub encryption_version: EncryptionVersion,
    /// Whether incoming traffic must be encrypted.
    pub verify_incoming: bool,
    /// Whether outgoing traffic is encrypted (when a keyring is set).
    pub verify_outgoing: bool,
    /// LZW-compress outgoing messages.
    pub compress: bool,
    /// Add a CRC to outgoing packets (peers speaking protocol ≥ 5).
    pub crc: bool,
}

impl WireConfig {
    /// Plain defaults as memberlist uses them: compression and CRC on.
    pub fn plain() -> Self {
        WireConfig {
            compress: true,
            crc: true,
            verify_incoming: true,
            verify_outgoing: true,
            ..Default::default()
        }
    }

    /// Whether outgoing traffic gets encrypted.
    pub fn encrypts(&self) -> bool {
        self.keyring.is_some() && self.verify_outgoing
    }
}

/// Put `msgs` into one compound message (at most 255 parts; each part must be
/// shorter than 64 KiB).
pub fn compound(msgs: &[Vec<u8>]) -> Vec<u8> {
    let msgs = &msgs[..msgs.len().min(MAX_COMPOUND_PARTS)];
    let total: usize = msgs.iter().map(|m| m.len() + COMPOUND_OVERHEAD).sum();
    let mut out = Vec::with_capacity(COMPOUND_HEADER_OVERHEAD + total);
    out.push(MessageType::Compound as u8);
    out.push(msgs.len() as u8);
    for m in msgs {
        out.extend_from_slice(&(m.len().min(u16::MAX as usize) as u16).to_be_bytes());
    }
    for m in msgs {
        out.extend_from_slice(m);
    }
    out
}

/// Split a compound body (after the type byte) into its parts; also
/// returns how many parts were truncated.
pub fn split_compound(body: &[u8]) -> Result<(Vec<&[u8]>, usize), PacketError> {
    let (&n, rest) = body.split_first().ok_or(PacketError::Empty)?;
    let n = n as usize;
    if rest.len() < n * 2 {
        return Err(DecodeError::Truncated.into());
    }
    let (lens, mut data) = rest.split_at(n * 2);
    let mut parts = Vec::with_capacity(n);
    for (i, l) in lens.chunks_exact(2).enumerate() {
        let l = u16::from_be_bytes([l[0], l[1]]) as usize;
        if data.len() < l {
            return Ok((parts, n - i));
        }
        let (p, r) = data.split_at(l);
        parts.push(p);
        data = r;
    }
    Ok((parts, 0))
}

/// Prepend a label header (`[244][len][label]`) when the label is set.
pub fn add_label(label: &str, msg: Vec<u8>) -> Vec<u8> {
    if label.is_empty() {
        return msg;
    }
    let l = &label.as_bytes()[..label.len().min(255)];
    let mut out = Vec::with_capacity(2 + l.len() + msg.len());
    out.push(MessageType::HasLabel as u8);
    out.push(l.len() as u8);
    out.extend_from_slice(l);
    out.extend_from_slice(&msg);
    out
}

/// A label and the bytes after the label header.
pub type Labelled<'a> = (&'a [u8], &'a [u8]);

/// Strip a label header; returns the label (empty if none) and the rest.
/// `Ok(None)` means more bytes are needed to read the header.
pub fn strip_label(buf: &[u8]) -> Result<Option<Labelled<'_>>, PacketError> {
    match buf.first() {
        None => Ok(None),
        Some(&b) if b != MessageType::HasLabel as u8 => Ok(Some((&[], buf))),
        Some(_) => {
            let Some(&len) = buf.get(1) else {
                return Ok(None);
            };
            if len == 0 {
                return Err(PacketError::BadLabel);
            }
            let end = 2 + len as usize;
            if buf.len() < end {
                return Ok(None);
            }
            Ok(Some((&buf[2..end], &buf[end..])))
        }
    }
}

/// Frame already-encoded messages as one UDP packet.
pub fn encode_packet(msgs: &[Vec<u8>], cfg: &WireConfig, rng: &mut impl RngCore) -> Vec<u8> {
    let mut msg = if msgs.len() == 1 {
        msgs[0].clone()
    } else {
        compound(msgs)
    };
    if cfg.compress {
        // Like memberlist, keep the compressed form only if it is smaller.
        let c = lzw::compress_message(&msg);
        if c.len() < msg.len() {
            msg = c;
        }
    }
    if cfg.crc {
        let crc = crc32fast::hash(&msg);
        let mut m = Vec::with_capacity(CRC_OVERHEAD + msg.len());
        m.push(MessageType::HasCrc as u8);
        m.extend_from_slice(&crc.to_be_bytes());
        m.extend_from_slice(&msg);
        msg = m;
    }
    if let (Some(kr), true) = (&cfg.keyring, cfg.verify_outgoing) {
        msg = crypto::encrypt(
            cfg.encryption_version,
            kr.primary(),
            &msg,
            cfg.label.as_bytes(),
            rng,
        );
    }
    add_label(&cfg.label, msg)
}

/// Decode one received UDP packet into its plain messages.
///
/// Parts of a compound message that fail to decode are dropped; their
/// count is returned alongside the good messages.
pub fn decode_packet(buf: &[u8], cfg: &WireConfig) -> Result<(Vec<Message>, usize), PacketError> {
    let (label, rest) = strip_label(buf)?.ok_or(PacketError::BadLabel)?;
    if label != cfg.label.as_bytes() {
        return Err(PacketError::LabelMismatch {
            got: String::from_utf8_lossy(label).into_owned(),
            want: cfg.label.clone(),
        });
    }
    let plain;
    let mut body = rest;
    if let Some(kr) = &cfg.keyring {
        match crypto::decrypt(kr, rest, label) {
            Ok(p) => {
                plain = p;
                body = &plain;
            }
            Err(e) if cfg.verify_incoming => return Err(e.into()),
            Err(_) => {}
        }
    }
    let mut out = Vec::new();
    let mut bad = 0;
    unwrap_into(body, 0, &mut out, &mut bad)?;
    Ok((out, bad))
}

fn unwrap_into(
    buf: &[u8],
    depth: usize,
    out: &mut Vec<Message>,
    bad: &mut usize,
) -> Result<(), PacketError> {
    if depth > MAX_NESTING {
        return Err(PacketError::TooDeep);
    }
    let (&t, body) = buf.split_first().ok_or(PacketError::Empty)?;
    match MessageType::from_u8(t) {
        None => Err(PacketError::UnknownType(t)),
        Some(MessageType::HasCrc) => {
            if body.len() < 4 {
                return Err(DecodeError::Truncated.into());
            }
            let want = u32::from_be_bytes([body[0], body[1], body[2], body[3]]);
            if crc32fast::hash(&body[4..]) != want {
                return Err(PacketError::Crc);
            }
            unwrap_into(&body[4..], depth + 1, out, bad)
        }
        Some(MessageType::Compress) => {
            let (inner, _) = lzw::decompress_body(body)?;
            unwrap_into(&inner, depth + 1, out, bad)
        }
        Some(MessageType::Compound) => {
            let (parts, truncated) = split_compound(body)?;
            *bad += truncated;
            for p in parts {
                if unwrap_into(p, depth + 1, out, bad).is_err() {
                    *bad += 1;
                }
            }
            Ok(())
        }
        Some(t @ (MessageType::Encrypt | MessageType::HasLabel | MessageType::PushPull)) => {
            Err(PacketError::Unexpected(t))
        }
        Some(_) => {
            out.push(Message::decode(buf)?);
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::crypto::Key;
    use super::super::messages::*;
    use super::*;
    use rand::SeedableRng;

    fn msgs() -> Vec<Message> {
        vec![
            Message::Ping(Ping {
                seq_no: 1,
                node: "a".into(),
                ..Default::default()
            }),
            Message::Suspect(Suspect {
                incarnation: 2,
                node: "b".into(),
                from: "a".into(),
            }),
            Message::User(b"\x03payload".to_vec()),
        ]
    }

    fn check(cfg: &WireConfig) {
        let mut rng = rand::rngs::StdRng::seed_from_u64(3);
        let m = msgs();
        let enc: Vec<Vec<u8>> = m.iter().map(|m| m.encode()).collect();
        let pkt = encode_packet(&enc, cfg, &mut rng);
        assert_eq!(decode_packet(&pkt, cfg).unwrap(), (m.clone(), 0));
        let one = encode_packet(&enc[..1], cfg, &mut rng);
        assert_eq!(decode_packet(&one, cfg).unwrap(), (m[..1].to_vec(), 0));
        for i in 0..pkt.len() {
            let _ = decode_packet(&pkt[..i], cfg);
            let mut b = pkt.clone();
            b[i] ^= 0x55;
            let _ = decode_packet(&b, cfg);
        }
    }

    #[test]
    fn all_layer_combinations_roundtrip() {
        let key = Key::new(&[9u8; 32]).unwrap();
        for compress in [false, true] {
            for crc in [false, true] {
                for label in ["", "dc1"] {
                    for keyring in [None, Some(Keyring::new(key.clone(), []))] {
                        for v in [EncryptionVersion::V0, EncryptionVersion::V1] {
                            check(&WireConfig {
                                label: label.into(),
                                keyring: keyring.clone(),
                                encryption_version: v,
                                verify_incoming: true,
                                verify_outgoing: true,
                                compress,
                                crc,
                            });
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn hand_checked_compound_and_crc() {
        let c = compound(&[vec![1, 2], vec![3]]);
        assert_eq!(c, vec![7, 2, 0, 2, 0, 1, 1, 2, 3]);
        let (parts, trunc) = split_compound(&c[1..]).unwrap();
        assert_eq!(parts, vec![&[1u8, 2][..], &[3u8][..]]);
        assert_eq!(trunc, 0);
        let (parts, trunc) = split_compound(&c[1..c.len() - 1]).unwrap();
        assert_eq!((parts.len(), trunc), (1, 1));

        let ping = msgs()[0].encode();
        let cfg = WireConfig {
            crc: true,
            ..Default::default()
        };
        let pkt = encode_packet(std::slice::from_ref(&ping), &cfg, &mut rand::thread_rng());
        assert_eq!(pkt[0], 12);
        assert_eq!(&pkt[1..5], &crc32fast::hash(&ping).to_be_bytes());
        // crc32("123456789") = cbf43926 (IEEE)
        assert_eq!(crc32fast::hash(b"123456789"), 0xcbf4_3926);
        let mut bad = pkt.clone();
        *bad.last_mut().unwrap() ^= 1;
        assert_eq!(decode_packet(&bad, &cfg), Err(PacketError::Crc));
    }

    #[test]
    fn labels() {
        assert_eq!(add_label("ab", vec![1]), vec![244, 2, b'a', b'b', 1]);
        let cfg = WireConfig {
            label: "x".into(),
            ..Default::default()
        };
        let other = WireConfig::default();
        let pkt = encode_packet(&[msgs()[0].encode()], &cfg, &mut rand::thread_rng());
        assert!(matches!(
            decode_packet(&pkt, &other),
            Err(PacketError::LabelMismatch { .. })
        ));
        assert_eq!(
            decode_packet(&[244, 0, 1], &cfg),
            Err(PacketError::BadLabel)
        );
    }

    #[test]
    fn unencrypted_accepted_only_without_verify_incoming() {
        let key = Key::new(&[1u8; 16]).unwrap();
        let plain = encode_packet(
            &[msgs()[0].encode()],
            &WireConfig::default(),
            &mut rand::thread_rng(),
        );
        let mut cfg = WireConfig {
            keyring: Some(Keyring::new(key, [])),
            verify_incoming: true,
            ..Default::default()
        };
        assert!(decode_packet(&plain, &cfg).is_err());
        cfg.verify_incoming = false;
        assert_eq!(decode_packet(&plain, &cfg).unwrap().0.len(), 1);
    }
}
