//! Go-compatible LZW compression (`compress/lzw`, LSB order, 8-bit literals)
//! and memberlist's `compress` wrapper message.

use super::messages::MessageType;
use super::msgpack::{DecodeError, Reader, Writer};
use weezl::{BitOrder, LzwStatus};

/// The only algorithm memberlist defines (`lzwAlgo`).
pub const LZW_ALGO: u8 = 0;

/// Largest output we accept from decompressing an untrusted payload.
pub const MAX_DECOMPRESSED: usize = 16 * 1024 * 1024;

/// Errors from decompressing untrusted input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CompressError {
    /// The `compress` struct did not decode.
    #[error("bad compress message: {0}")]
    Decode(#[from] DecodeError),
    /// Unknown `Algo` value.
    #[error("unknown compression algorithm {0}")]
    Algo(u8),
    /// The LZW stream was corrupt.
    #[error("lzw: {0}")]
    Lzw(String),
    /// Output exceeded [`MAX_DECOMPRESSED`].
    #[error("decompressed payload too large")]
    TooLarge,
}

/// LZW-compress raw bytes the way Go's `lzw.NewWriter(w, lzw.LSB, 8)` does.
pub fn lzw_compress(data: &[u8]) -> Vec<u8> {
    weezl::encode::Encoder::new(BitOrder::Lsb, 8)
        .encode(data)
        .unwrap_or_default()
}

/// Decompress a Go LZW stream, bounded by [`MAX_DECOMPRESSED`].
pub fn lzw_decompress(data: &[u8]) -> Result<Vec<u8>, CompressError> {
    let mut dec = weezl::decode::Decoder::new(BitOrder::Lsb, 8);
    let mut out = Vec::new();
    let mut chunk = vec![0u8; 4096];
    let mut input = data;
    loop {
        let r = dec.decode_bytes(input, &mut chunk);
        input = &input[r.consumed_in..];
        out.extend_from_slice(&chunk[..r.consumed_out]);
        if out.len() > MAX_DECOMPRESSED {
            return Err(CompressError::TooLarge);
        }
        match r.status {
            Ok(LzwStatus::Done) => return Ok(out),
            Ok(_) if r.consumed_in == 0 && r.consumed_out == 0 => return Ok(out),
            Ok(_) => {}
            Err(e) => return Err(CompressError::Lzw(e.to_string())),
        }
    }
}

/// Wrap a message as `[compressMsg]{Algo: 0, Buf: lzw(msg)}`.
pub fn compress_message(msg: &[u8]) -> Vec<u8> {
    let mut w = Writer::with(vec![MessageType::Compress as u8]);
    w.map(2);
    w.str("Algo").uint(LZW_ALGO.into());
    w.str("Buf").bytes(&lzw_compress(msg));
    w.into_inner()
}

/// Decode the body of a compress message (after the type byte) and return
/// the decompressed inner message plus the bytes consumed.
pub fn decompress_body(body: &[u8]) -> Result<(Vec<u8>, usize), CompressError> {
    let mut r = Reader::new(body);
    let (mut algo, mut buf) = (LZW_ALGO, Vec::new());
    r.read_struct(|k, r| {
        match k {
            _ if k.eq_ignore_ascii_case("Algo") => algo = r.read_u8()?,
            _ if k.eq_ignore_ascii_case("Buf") => buf = r.read_bytes()?,
            _ => r.skip()?,
        }
        Ok(())
    })?;
    if algo != LZW_ALGO {
        return Err(CompressError::Algo(algo));
    }
    Ok((lzw_decompress(&buf)?, r.position()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip() {
        for data in [
            Vec::new(),
            b"a".to_vec(),
            b"TOBEORNOTTOBEORTOBEORNOT".to_vec(),
            (0..20000u32).map(|i| (i * 7 % 251) as u8).collect(),
        ] {
            assert_eq!(lzw_decompress(&lzw_compress(&data)).unwrap(), data);
            let m = compress_message(&data);
            assert_eq!(m[0], 9);
            let (d, used) = decompress_body(&m[1..]).unwrap();
            assert_eq!(d, data);
            assert_eq!(used, m.len() - 1);
        }
    }

    /// Go: `lzw.NewWriter(&b, lzw.LSB, 8); w.Write([]byte("ab")); w.Close()`
    /// yields 00 c3 88 09 08 (clear 256, 'a', 'b', eof 257 in 9-bit LSB codes).
    #[test]
    fn go_vector() {
        assert_eq!(
            lzw_decompress(&[0x00, 0xc3, 0x88, 0x09, 0x08]).unwrap(),
            b"ab"
        );
        assert_eq!(lzw_compress(b"ab"), vec![0x00, 0xc3, 0x88, 0x09, 0x08]);
    }

    #[test]
    fn garbage_does_not_panic() {
        for seed in 0..200u32 {
            let data: Vec<u8> = (0..64u32)
                .map(|i| (i.wrapping_mul(2654435761).wrapping_add(seed * 97) >> 7) as u8)
                .collect();
            let _ = lzw_decompress(&data);
            let _ = decompress_body(&data);
        }
    }
}
