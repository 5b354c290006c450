//! Length-prefixed msgpack frames: a 4-byte big-endian body length, then the body
//! (msgpack with named fields, so Consul's Go field names travel on the wire).
//!
//! Readers announce their own limit: a frame longer than it is rejected before anything
//! is allocated, and a malformed body is an error, never a panic.

use serde::de::DeserializeOwned;
use serde::Serialize;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::error::FrameError;

/// Default largest frame for ordinary RPCs (a KV value is at most 512 KiB; a txn a few MiB).
pub const DEFAULT_MAX_FRAME: usize = 8 << 20;
/// Largest frame on Raft connections: an AppendEntries of up to 64 entries of up to 4 MiB
/// each (consul-raft's `max_payload_entries` × `max_batch_bytes`), or a whole snapshot.
pub const MAX_RAFT_FRAME: usize = 256 << 20;
/// A reader allocates at most this much up front, however long the announced frame.
const INITIAL_ALLOC: usize = 64 << 10;
/// Bytes of the length prefix.
pub const HEADER_LEN: usize = 4;

/// Encodes `value` as one frame (header + msgpack body).
pub fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, FrameError> {
    let mut out = vec![0u8; HEADER_LEN];
    rmp_serde::encode::write_named(&mut out, value)
        .map_err(|e| FrameError::Encode(e.to_string()))?;
    let len = out.len() - HEADER_LEN;
    let len32 = u32::try_from(len).map_err(|_| FrameError::TooLarge {
        len,
        max: u32::MAX as usize,
    })?;
    out[..HEADER_LEN].copy_from_slice(&len32.to_be_bytes());
    Ok(out)
}

/// Decodes one frame's body.
pub fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, FrameError> {
    rmp_serde::from_slice(body).map_err(|e| FrameError::Decode(e.to_string()))
}

/// Writes `value` as one frame and flushes.
pub async fn write_frame<W, T>(w: &mut W, value: &T) -> Result<(), FrameError>
where
    W: AsyncWrite + Unpin,
    T: Serialize,
{
    let buf = encode(value)?;
    w.write_all(&buf).await?;
    w.flush().await?;
    Ok(())
}

/// Reads one frame's body, refusing bodies longer than `max`. A clean end of stream before
/// the header is [`FrameError::Closed`]; one inside a frame is an I/O error.
pub async fn read_body<R: AsyncRead + Unpin>(r: &mut R, max: usize) -> Result<Vec<u8>, FrameError> {
    let mut header = [0u8; HEADER_LEN];
    let mut got = 0;
    while got < HEADER_LEN {
        let n = r.read(&mut header[got..]).await?;
        if n == 0 {
            return Err(if got == 0 {
                FrameError::Closed
            } else {
                FrameError::Io(std::io::ErrorKind::UnexpectedEof.into())
            });
        }
        got += n;
    }
    let len = u32::from_be_bytes(header) as usize;
    if len > max {
        return Err(FrameError::TooLarge { len, max });
    }
    // Grow with the bytes that actually arrive: announcing a huge length costs the peer as
    // much as it costs us.
    let mut body = Vec::with_capacity(len.min(INITIAL_ALLOC));
    (&mut *r).take(len as u64).read_to_end(&mut body).await?;
    if body.len() != len {
        return Err(FrameError::Io(std::io::ErrorKind::UnexpectedEof.into()));
    }
    Ok(body)
}

/// Reads and decodes one frame (see [`read_body`]).
pub async fn read_frame<R, T>(r: &mut R, max: usize) -> Result<T, FrameError>
where
    R: AsyncRead + Unpin,
    T: DeserializeOwned,
{
    let body = read_body(r, max).await?;
    decode(&body)
}
