//! TCP stream framing (push-pull, stream pings, stream user messages).
//!
//! A stream carries one message: an optional label header, then either an
//! encrypted frame `[10][u32 BE length][payload]` (additional data: those
//! five bytes plus the label), or the plain message, which may itself be a
//! `compress` wrapper. Plain messages are not length-prefixed, so
//! [`parse_stream`] tells the driver whether a complete message has arrived.

use super::crypto;
use super::lzw;
use super::messages::{Message, MessageType};
use super::msgpack::{DecodeError, Reader, Writer};
use super::packet::{add_label, strip_label, PacketError, WireConfig};
use rand::RngCore;

/// Largest stream message we buffer.
pub const MAX_STREAM_MESSAGE: usize = 16 * 1024 * 1024;

/// Result of looking at the bytes received so far on a stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamParse {
    /// Not enough bytes yet.
    NeedMore,
    /// A complete message and the number of bytes it used.
    Done(Message, usize),
}

/// Encode a message for sending over a stream.
pub fn encode_stream(msg: &Message, cfg: &WireConfig, rng: &mut impl RngCore) -> Vec<u8> {
    let mut body = match msg {
        Message::User(b) => {
            let mut w = Writer::with(vec![MessageType::User as u8]);
            w.map(1);
            w.str("UserMsgLen").uint(b.len() as u64);
            w.buf.extend_from_slice(b);
            w.into_inner()
        }
        m => m.encode(),
    };
    if cfg.compress {
        body = lzw::compress_message(&body);
    }
    if let (Some(kr), true) = (&cfg.keyring, cfg.verify_outgoing) {
        let len = crypto::encrypted_len(cfg.encryption_version, body.len()) as u32;
        let mut head = vec![MessageType::Encrypt as u8];
        head.extend_from_slice(&len.to_be_bytes());
        let mut aad = head.clone();
        aad.extend_from_slice(cfg.label.as_bytes());
        let ct = crypto::encrypt(cfg.encryption_version, kr.primary(), &body, &aad, rng);
        head.extend_from_slice(&ct);
        body = head;
    }
    add_label(&cfg.label, body)
}

fn need_more<T>(r: Result<T, DecodeError>) -> Result<Option<T>, PacketError> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(DecodeError::Truncated) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Try to parse one complete message from the start of a stream buffer.
pub fn parse_stream(buf: &[u8], cfg: &WireConfig) -> Result<StreamParse, PacketError> {
    let Some((label, rest)) = strip_label(buf)? else {
        return Ok(StreamParse::NeedMore);
    };
    if label != cfg.label.as_bytes() {
        return Err(PacketError::LabelMismatch {
            got: String::from_utf8_lossy(label).into_owned(),
            want: cfg.label.clone(),
        });
    }
    let head = buf.len() - rest.len();
    let Some(&t) = rest.first() else {
        return Ok(StreamParse::NeedMore);
    };
    if t == MessageType::Encrypt as u8 {
        let Some(kr) = &cfg.keyring else {
            return Err(PacketError::Unexpected(MessageType::Encrypt));
        };
        if rest.len() < 5 {
            return Ok(StreamParse::NeedMore);
        }
        let len = u32::from_be_bytes([rest[1], rest[2], rest[3], rest[4]]) as usize;
        if len > MAX_STREAM_MESSAGE {
            return Err(DecodeError::Invalid("stream message too large").into());
        }
        if rest.len() < 5 + len {
            return Ok(StreamParse::NeedMore);
        }
        let mut aad = rest[..5].to_vec();
        aad.extend_from_slice(label);
        let plain = crypto::decrypt(kr, &rest[5..5 + len], &aad)?;
        let msg = match parse_plain(&plain, 0)? {
            Some((m, _)) => m,
            None => return Err(DecodeError::Truncated.into()),
        };
        return Ok(StreamParse::Done(msg, head + 5 + len));
    }
    if cfg.keyring.is_some() && cfg.verify_incoming {
        return Err(PacketError::Crypto(crypto::CryptoError::NoKey));
    }
    if rest.len() > MAX_STREAM_MESSAGE {
        return Err(DecodeError::Invalid("stream message too large").into());
    }
    Ok(match parse_plain(rest, 0)? {
        Some((m, used)) => StreamParse::Done(m, head + used),
        None => StreamParse::NeedMore,
    })
}

/// Parse a plain (maybe compressed) stream message; `None` = incomplete.
fn parse_plain(buf: &[u8], depth: usize) -> Result<Option<(Message, usize)>, PacketError> {
    if depth > 2 {
        return Err(PacketError::TooDeep);
    }
    let Some((&t, body)) = buf.split_first() else {
        return Ok(None);
    };
    let mut r = Reader::new(body);
    match MessageType::from_u8(t) {
        Some(MessageType::Compress) => {
            // Find the end of the compress struct before decompressing.
            if need_more(r.skip())?.is_none() {
                return Ok(None);
            }
            let used = 1 + r.position();
            let (inner, _) = lzw::decompress_body(&buf[1..used])?;
            match parse_plain(&inner, depth + 1)? {
                Some((m, _)) => Ok(Some((m, used))),
                None => Err(DecodeError::Truncated.into()),
            }
        }
        Some(MessageType::User) => {
            let mut len = None;
            let hdr = r.read_struct(|k, r| {
                if k.eq_ignore_ascii_case("UserMsgLen") {
                    len = Some(r.read_i64()?);
                } else {
                    r.skip()?;
                }
                Ok(())
            });
            if need_more(hdr)?.is_none() {
                return Ok(None);
            }
            let len = len.unwrap_or(0);
            if !(0..=MAX_STREAM_MESSAGE as i64).contains(&len) {
                return Err(DecodeError::Invalid("bad user message length").into());
            }
            let start = 1 + r.position();
            let end = start + len as usize;
            if buf.len() < end {
                return Ok(None);
            }
            Ok(Some((Message::User(buf[start..end].to_vec()), end)))
        }
        Some(
            MessageType::PushPull
            | MessageType::Ping
            | MessageType::Ack
            | MessageType::Err
            | MessageType::Alive,
        ) => {
            if need_more(r.skip())?.is_none() {
                return Ok(None);
            }
            if t == MessageType::PushPull as u8 {
                // Header, then the node states and the raw user state.
                let mut rr = Reader::new(body);
                return match need_more(super::messages::PushPull::read(&mut rr))? {
                    Some(pp) => Ok(Some((Message::PushPull(pp), 1 + rr.position()))),
                    None => Ok(None),
                };
            }
            let used = 1 + r.position();
            Ok(Some((Message::decode(&buf[..used])?, used)))
        }
        Some(other) => Err(PacketError::Unexpected(other)),
        None => Err(PacketError::UnknownType(t)),
    }
}

#[cfg(test)]
mod tests {
    use super::super::crypto::{EncryptionVersion, Key, Keyring};
    use super::super::messages::*;
    use super::*;
    use rand::SeedableRng;

    fn pp() -> Message {
        Message::PushPull(PushPull {
            join: true,
            nodes: vec![
                PushNodeState {
                    name: "a".into(),
                    addr: vec![127, 0, 0, 1],
                    port: 8301,
                    meta: vec![0xff, 0x80],
                    incarnation: 1,
                    state: 0,
                    vsn: vec![1, 5, 2, 2, 5, 4],
                };
                3
            ],
            user_state: vec![2, 0x80],
        })
    }

    #[test]
    fn stream_roundtrip_incremental() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(5);
        let key = Key::new(&[3u8; 24]).unwrap();
        for compress in [false, true] {
            for keyring in [None, Some(Keyring::new(key.clone(), []))] {
                for label in ["", "lbl"] {
                    let cfg = WireConfig {
                        label: label.into(),
                        keyring: keyring.clone(),
                        encryption_version: EncryptionVersion::V1,
                        verify_incoming: true,
                        verify_outgoing: true,
                        compress,
                        crc: false,
                    };
                    for m in [
                        pp(),
                        Message::User(b"hello".to_vec()),
                        Message::Ping(Ping {
                            seq_no: 4,
                            node: "x".into(),
                            ..Default::default()
                        }),
                    ] {
                        let mut b = encode_stream(&m, &cfg, &mut rng);
                        let full = b.len();
                        for i in 0..full {
                            assert_eq!(
                                parse_stream(&b[..i], &cfg).unwrap(),
                                StreamParse::NeedMore,
                                "prefix {i} of {m:?}"
                            );
                        }
                        b.extend_from_slice(b"trailing");
                        assert_eq!(
                            parse_stream(&b, &cfg).unwrap(),
                            StreamParse::Done(m.clone(), full)
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn plaintext_stream_layout() {
        let cfg = WireConfig::default();
        let b = encode_stream(
            &Message::User(b"ab".to_vec()),
            &cfg,
            &mut rand::thread_rng(),
        );
        let mut want = vec![8, 0x81, 0xaa];
        want.extend_from_slice(b"UserMsgLen");
        want.extend_from_slice(&[2, b'a', b'b']);
        assert_eq!(b, want);
    }
}
