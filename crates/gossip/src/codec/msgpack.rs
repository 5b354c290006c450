//! Minimal msgpack reader and writer matching HashiCorp's go-msgpack.
//!
//! Writing follows what Go's `codec.MsgpackHandle{}` emits (no `WriteExt`):
//! strings and `[]byte` both as msgpack *str* using fixstr/str16/str32 only
//! (never str8 or bin, which old decoders reject), integers in their
//! smallest form, nil slices as `nil`.
//!
//! Reading is lenient: str or bin for byte fields, any integer width,
//! any map key order, unknown keys skipped. Every length is checked
//! against the remaining input, so malformed packets yield errors, never
//! panics or huge allocations.

use rmp::Marker;

/// Maximum nesting depth accepted when skipping unknown values.
const MAX_DEPTH: usize = 32;

/// Errors from decoding untrusted msgpack.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The input ended before the value was complete.
    #[error("truncated input")]
    Truncated,
    /// A value of another type was found.
    #[error("unexpected msgpack byte {found:#04x}, expected {expected}")]
    Unexpected {
        /// What the decoder wanted.
        expected: &'static str,
        /// The marker byte it found.
        found: u8,
    },
    /// An integer did not fit the target type.
    #[error("integer out of range for {0}")]
    OutOfRange(&'static str),
    /// Nested too deeply.
    #[error("msgpack nesting too deep")]
    TooDeep,
    /// The message is structurally invalid.
    #[error("invalid message: {0}")]
    Invalid(&'static str),
}

/// A cursor over an untrusted msgpack byte slice.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// Start reading at the beginning of `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }

    /// Bytes consumed so far.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// The bytes not yet consumed.
    pub fn remaining(&self) -> &'a [u8] {
        &self.buf[self.pos..]
    }

    /// Skip `n` raw bytes.
    pub fn advance(&mut self, n: usize) -> Result<(), DecodeError> {
        self.take(n).map(|_| ())
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        if self.buf.len() - self.pos < n {
            return Err(DecodeError::Truncated);
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn be(&mut self, n: usize) -> Result<u64, DecodeError> {
        Ok(self
            .take(n)?
            .iter()
            .fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
    }

    fn marker(&mut self) -> Result<Marker, DecodeError> {
        Ok(Marker::from_u8(self.take(1)?[0]))
    }

    fn peek_marker(&self) -> Result<Marker, DecodeError> {
        self.buf
            .get(self.pos)
            .map(|b| Marker::from_u8(*b))
            .ok_or(DecodeError::Truncated)
    }

    /// Read any integer as i128 (covers u64 and i64).
    fn read_integer(&mut self, expected: &'static str) -> Result<i128, DecodeError> {
        let m = self.marker()?;
        Ok(match m {
            Marker::FixPos(v) => i128::from(v),
            Marker::FixNeg(v) => i128::from(v),
            Marker::U8 => i128::from(self.be(1)?),
            Marker::U16 => i128::from(self.be(2)?),
            Marker::U32 => i128::from(self.be(4)?),
            Marker::U64 => i128::from(self.be(8)?),
            Marker::I8 => i128::from(self.be(1)? as u8 as i8),
            Marker::I16 => i128::from(self.be(2)? as u16 as i16),
            Marker::I32 => i128::from(self.be(4)? as u32 as i32),
            Marker::I64 => i128::from(self.be(8)? as i64),
            Marker::Null => 0,
            found => {
                return Err(DecodeError::Unexpected {
                    expected,
                    found: found.to_u8(),
                })
            }
        })
    }

    /// Read an unsigned integer of any encoding that fits in `u64`.
    pub fn read_u64(&mut self) -> Result<u64, DecodeError> {
        u64::try_from(self.read_integer("integer")?).map_err(|_| DecodeError::OutOfRange("u64"))
    }

    /// Read an unsigned integer that fits in `u32`.
    pub fn read_u32(&mut self) -> Result<u32, DecodeError> {
        u32::try_from(self.read_u64()?).map_err(|_| DecodeError::OutOfRange("u32"))
    }

    /// Read an unsigned integer that fits in `u16`.
    pub fn read_u16(&mut self) -> Result<u16, DecodeError> {
        u16::try_from(self.read_u64()?).map_err(|_| DecodeError::OutOfRange("u16"))
    }

    /// Read an unsigned integer that fits in `u8`.
    pub fn read_u8(&mut self) -> Result<u8, DecodeError> {
        u8::try_from(self.read_u64()?).map_err(|_| DecodeError::OutOfRange("u8"))
    }

    /// Read a signed integer that fits in `i64`.
    pub fn read_i64(&mut self) -> Result<i64, DecodeError> {
        i64::try_from(self.read_integer("integer")?).map_err(|_| DecodeError::OutOfRange("i64"))
    }

    /// Read a boolean (nil reads as false, integers as non-zero).
    pub fn read_bool(&mut self) -> Result<bool, DecodeError> {
        match self.peek_marker()? {
            Marker::True => {
                self.pos += 1;
                Ok(true)
            }
            Marker::False | Marker::Null => {
                self.pos += 1;
                Ok(false)
            }
            _ => Ok(self.read_integer("bool")? != 0),
        }
    }

    /// Read raw bytes from a str, bin, nil or array-of-small-ints value.
    pub fn read_bytes(&mut self) -> Result<Vec<u8>, DecodeError> {
        let m = self.marker()?;
        let len = match m {
            Marker::Null => return Ok(Vec::new()),
            Marker::FixStr(n) => n as usize,
            Marker::Str8 | Marker::Bin8 => self.be(1)? as usize,
            Marker::Str16 | Marker::Bin16 => self.be(2)? as usize,
            Marker::Str32 | Marker::Bin32 => self.be(4)? as usize,
            Marker::FixArray(_) | Marker::Array16 | Marker::Array32 => {
                self.pos -= 1;
                let n = self.read_array_len()?;
                let mut out = Vec::with_capacity(n.min(self.buf.len()));
                for _ in 0..n {
                    out.push(self.read_u8()?);
                }
                return Ok(out);
            }
            found => {
                return Err(DecodeError::Unexpected {
                    expected: "bytes",
                    found: found.to_u8(),
                })
            }
        };
        Ok(self.take(len)?.to_vec())
    }

    /// Read a string (str or bin); invalid UTF-8 is replaced lossily.
    pub fn read_string(&mut self) -> Result<String, DecodeError> {
        let b = self.read_bytes()?;
        Ok(match String::from_utf8(b) {
            Ok(s) => s,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        })
    }

    /// Read a map header; nil reads as an empty map.
    pub fn read_map_len(&mut self) -> Result<usize, DecodeError> {
        let m = self.marker()?;
        let n = match m {
            Marker::Null => 0,
            Marker::FixMap(n) => n as usize,
            Marker::Map16 => self.be(2)? as usize,
            Marker::Map32 => self.be(4)? as usize,
            found => {
                return Err(DecodeError::Unexpected {
                    expected: "map",
                    found: found.to_u8(),
                })
            }
        };
        // Each entry needs at least two bytes.
        if n > self.buf.len() - self.pos {
            return Err(DecodeError::Truncated);
        }
        Ok(n)
    }

    /// Read an array header; nil reads as an empty array.
    pub fn read_array_len(&mut self) -> Result<usize, DecodeError> {
        let m = self.marker()?;
        let n = match m {
            Marker::Null => 0,
            Marker::FixArray(n) => n as usize,
            Marker::Array16 => self.be(2)? as usize,
            Marker::Array32 => self.be(4)? as usize,
            found => {
                return Err(DecodeError::Unexpected {
                    expected: "array",
                    found: found.to_u8(),
                })
            }
        };
        if n > self.buf.len() - self.pos {
            return Err(DecodeError::Truncated);
        }
        Ok(n)
    }

    /// Skip one value of any type.
    pub fn skip(&mut self) -> Result<(), DecodeError> {
        self.skip_depth(0)
    }

    fn skip_depth(&mut self, depth: usize) -> Result<(), DecodeError> {
        if depth > MAX_DEPTH {
            return Err(DecodeError::TooDeep);
        }
        let m = self.marker()?;
        let skip = match m {
            Marker::Null | Marker::True | Marker::False | Marker::FixPos(_) | Marker::FixNeg(_) => {
                0
            }
            Marker::U8 | Marker::I8 => 1,
            Marker::U16 | Marker::I16 => 2,
            Marker::U32 | Marker::I32 | Marker::F32 => 4,
            Marker::U64 | Marker::I64 | Marker::F64 => 8,
            Marker::FixStr(n) => n as usize,
            Marker::Str8 | Marker::Bin8 => self.be(1)? as usize,
            Marker::Str16 | Marker::Bin16 => self.be(2)? as usize,
            Marker::Str32 | Marker::Bin32 => self.be(4)? as usize,
            Marker::FixExt1 => 2,
            Marker::FixExt2 => 3,
            Marker::FixExt4 => 5,
            Marker::FixExt8 => 9,
            Marker::FixExt16 => 17,
            Marker::Ext8 => self.be(1)? as usize + 1,
            Marker::Ext16 => self.be(2)? as usize + 1,
            Marker::Ext32 => self.be(4)? as usize + 1,
            Marker::FixArray(_) | Marker::Array16 | Marker::Array32 => {
                self.pos -= 1;
                for _ in 0..self.read_array_len()? {
                    self.skip_depth(depth + 1)?;
                }
                0
            }
            Marker::FixMap(_) | Marker::Map16 | Marker::Map32 => {
                self.pos -= 1;
                for _ in 0..self.read_map_len()? {
                    self.skip_depth(depth + 1)?;
                    self.skip_depth(depth + 1)?;
                }
                0
            }
            Marker::Reserved => return Err(DecodeError::Invalid("reserved marker")),
        };
        self.take(skip)?;
        Ok(())
    }

    /// Iterate the fields of a struct-like map, calling `f` with each key.
    ///
    /// `f` must consume the value (or call [`Reader::skip`]). Keys may be
    /// str or bin; non-string keys are skipped with their values.
    pub fn read_struct(
        &mut self,
        mut f: impl FnMut(&str, &mut Reader<'a>) -> Result<(), DecodeError>,
    ) -> Result<(), DecodeError> {
        let n = self.read_map_len()?;
        for _ in 0..n {
            match self.peek_marker()? {
                Marker::FixStr(_)
                | Marker::Str8
                | Marker::Str16
                | Marker::Str32
                | Marker::Bin8
                | Marker::Bin16
                | Marker::Bin32 => {
                    let key = self.read_string()?;
                    f(&key, self)?;
                }
                _ => {
                    self.skip()?;
                    self.skip()?;
                }
            }
        }
        Ok(())
    }
}

/// Appends Go-compatible msgpack to a byte vector.
#[derive(Debug, Default, Clone)]
pub struct Writer {
    /// The bytes written so far.
    pub buf: Vec<u8>,
}

impl Writer {
    /// An empty writer.
    pub fn new() -> Self {
        Writer::default()
    }

    /// A writer that appends to `buf`.
    pub fn with(buf: Vec<u8>) -> Self {
        Writer { buf }
    }

    /// Write a map header with `n` entries.
    pub fn map(&mut self, n: u32) -> &mut Self {
        // Writing into a Vec cannot fail.
        let _ = rmp::encode::write_map_len(&mut self.buf, n);
        self
    }

    /// Write an array header with `n` entries.
    pub fn array(&mut self, n: u32) -> &mut Self {
        let _ = rmp::encode::write_array_len(&mut self.buf, n);
        self
    }

    /// Write an unsigned integer in its smallest encoding.
    pub fn uint(&mut self, v: u64) -> &mut Self {
        let _ = rmp::encode::write_uint(&mut self.buf, v);
        self
    }

    /// Write a signed integer (non-negative values as unsigned, like Go).
    pub fn int(&mut self, v: i64) -> &mut Self {
        if v >= 0 {
            self.uint(v as u64)
        } else {
            let _ = rmp::encode::write_sint(&mut self.buf, v);
            self
        }
    }

    /// Write a boolean.
    pub fn bool(&mut self, v: bool) -> &mut Self {
        let _ = rmp::encode::write_bool(&mut self.buf, v);
        self
    }

    /// Write nil.
    pub fn nil(&mut self) -> &mut Self {
        let _ = rmp::encode::write_nil(&mut self.buf);
        self
    }

    /// Write raw bytes as a msgpack str (fixstr, str16 or str32).
    pub fn raw(&mut self, b: &[u8]) -> &mut Self {
        let n = b.len();
        if n < 32 {
            self.buf.push(0xa0 | n as u8);
        } else if n <= 0xffff {
            self.buf.push(0xda);
            self.buf.extend_from_slice(&(n as u16).to_be_bytes());
        } else {
            self.buf.push(0xdb);
            self.buf.extend_from_slice(&(n as u32).to_be_bytes());
        }
        self.buf.extend_from_slice(b);
        self
    }

    /// Write a string.
    pub fn str(&mut self, s: &str) -> &mut Self {
        self.raw(s.as_bytes())
    }

    /// Write a Go `[]byte`: nil when empty, else a str.
    pub fn bytes(&mut self, b: &[u8]) -> &mut Self {
        if b.is_empty() {
            self.nil()
        } else {
            self.raw(b)
        }
    }

    /// Finish and return the bytes.
    pub fn into_inner(self) -> Vec<u8> {
        self.buf
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn str_headers_never_use_str8() {
        let mut w = Writer::new();
        w.raw(&[b'x'; 31]).raw(&[b'y'; 32]).raw(&[b'z'; 300]);
        let b = w.into_inner();
        assert_eq!(b[0], 0xbf);
        assert_eq!(&b[32..35], &[0xda, 0x00, 0x20]);
        assert_eq!(&b[67..70], &[0xda, 0x01, 0x2c]);
    }

    #[test]
    fn lenient_bytes() {
        // str8, bin8, nil, array of ints
        let data = [0xd9, 2, b'a', b'b', 0xc4, 1, 7, 0xc0, 0x92, 1, 0xcc, 200];
        let mut r = Reader::new(&data);
        assert_eq!(r.read_bytes().unwrap(), b"ab");
        assert_eq!(r.read_bytes().unwrap(), vec![7]);
        assert_eq!(r.read_bytes().unwrap(), Vec::<u8>::new());
        assert_eq!(r.read_bytes().unwrap(), vec![1, 200]);
    }

    #[test]
    fn integers_any_width() {
        let data = [0xcd, 0x01, 0x00, 0xd0, 0x05, 0xcf, 0, 0, 0, 0, 0, 0, 0, 9];
        let mut r = Reader::new(&data);
        assert_eq!(r.read_u32().unwrap(), 256);
        assert_eq!(r.read_u8().unwrap(), 5);
        assert_eq!(r.read_u16().unwrap(), 9);
        assert_eq!(
            Reader::new(&[0xff]).read_u32(),
            Err(DecodeError::OutOfRange("u64"))
        );
    }

    #[test]
    fn truncated_and_huge_lengths_do_not_panic() {
        for data in [
            &[0xdb, 0xff, 0xff, 0xff, 0xff][..],
            &[0xdf, 0xff, 0xff, 0xff, 0xff],
            &[0xdd, 0xff, 0xff, 0xff, 0xff],
            &[0xa5, b'a'],
        ] {
            assert!(Reader::new(data).skip().is_err());
            assert!(Reader::new(data).read_bytes().is_err());
        }
        let deep = vec![0x91u8; 100];
        assert_eq!(Reader::new(&deep).skip(), Err(DecodeError::TooDeep));
    }
}
