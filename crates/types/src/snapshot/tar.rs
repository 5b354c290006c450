//! The few parts of POSIX ustar a snapshot archive needs: regular files with
//! short names, written as Go's `archive/tar` writes them for Consul (a
//! 512-byte header per file, its data padded to 512 bytes, two zero blocks at
//! the end) and read back strictly: a bad header checksum, a size that runs
//! past the input, or any entry type but a regular file is an error.

const BLOCK: usize = 512;

/// Why tar bytes could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TarError {
    /// The input ends inside a header or inside a file's data.
    #[error("unexpected end of archive")]
    Truncated,
    /// A header's checksum does not match its bytes.
    #[error("invalid tar header checksum")]
    Checksum,
    /// A numeric field is not octal.
    #[error("invalid tar header field {0}")]
    Field(&'static str),
    /// An entry that is not a regular file (directory, link, PAX header…).
    #[error("unsupported tar entry type {0:?} for {1:?}")]
    EntryType(char, String),
    /// A name longer than a ustar header holds.
    #[error("tar entry name too long: {0:?}")]
    NameTooLong(String),
}

/// One regular file of an archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry<'a> {
    /// Its name (ustar prefix and name joined by `/`).
    pub name: String,
    /// Its bytes.
    pub data: &'a [u8],
}

/// Append a header and the padded data of one regular file (mode 0600,
/// modified at `mtime` seconds since the epoch) to `out`.
pub fn append(out: &mut Vec<u8>, name: &str, data: &[u8], mtime: u64) -> Result<(), TarError> {
    if name.len() > 100 {
        return Err(TarError::NameTooLong(name.to_string()));
    }
    let mut h = [0u8; BLOCK];
    h[..name.len()].copy_from_slice(name.as_bytes());
    put_octal(&mut h[100..108], 0o600);
    put_octal(&mut h[108..116], 0);
    put_octal(&mut h[116..124], 0);
    put_octal(&mut h[124..136], data.len() as u64);
    put_octal(&mut h[136..148], mtime);
    h[156] = b'0';
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    h[148..156].fill(b' ');
    let sum: u64 = h.iter().map(|b| u64::from(*b)).sum();
    // Six octal digits, NUL, space: the layout Go writes.
    put_octal(&mut h[148..155], sum);
    h[155] = b' ';
    out.extend_from_slice(&h);
    out.extend_from_slice(data);
    out.resize(out.len() + padding(data.len()), 0);
    Ok(())
}

/// Append the end-of-archive marker (two zero blocks).
pub fn finish(out: &mut Vec<u8>) {
    out.resize(out.len() + 2 * BLOCK, 0);
}

/// Every regular file of `bytes`, in order, up to the first zero block.
pub fn entries(bytes: &[u8]) -> Result<Vec<Entry<'_>>, TarError> {
    let mut out = Vec::new();
    let mut at = 0usize;
    loop {
        let h = bytes.get(at..at + BLOCK).ok_or(TarError::Truncated)?;
        if h.iter().all(|b| *b == 0) {
            return Ok(out);
        }
        check_sum(h)?;
        let name = join_name(h);
        let size =
            usize::try_from(octal(&h[124..136], "size")?).map_err(|_| TarError::Field("size"))?;
        match h[156] {
            b'0' | 0 => {}
            t => return Err(TarError::EntryType(char::from(t), name)),
        }
        let start = at + BLOCK;
        let end = start.checked_add(size).ok_or(TarError::Truncated)?;
        let data = bytes.get(start..end).ok_or(TarError::Truncated)?;
        out.push(Entry { name, data });
        at = end.checked_add(padding(size)).ok_or(TarError::Truncated)?;
    }
}

fn padding(len: usize) -> usize {
    (BLOCK - len % BLOCK) % BLOCK
}

/// Writes `v` as zero-padded octal digits filling `field` but its last byte (NUL).
fn put_octal(field: &mut [u8], v: u64) {
    let digits = field.len() - 1;
    let s = format!("{v:0digits$o}");
    let s = &s.as_bytes()[s.len().saturating_sub(digits)..];
    field[..digits].copy_from_slice(s);
    field[digits] = 0;
}

/// An octal field: optional leading spaces, digits, then NUL/space padding.
fn octal(field: &[u8], what: &'static str) -> Result<u64, TarError> {
    let s = field
        .iter()
        .skip_while(|b| **b == b' ')
        .take_while(|b| **b != 0 && **b != b' ')
        .copied()
        .collect::<Vec<u8>>();
    if s.is_empty() {
        return Ok(0);
    }
    let s = std::str::from_utf8(&s).map_err(|_| TarError::Field(what))?;
    u64::from_str_radix(s, 8).map_err(|_| TarError::Field(what))
}

/// The header checksum: the bytes summed with the checksum field as spaces
/// (unsigned, or signed as some old writers did).
fn check_sum(h: &[u8]) -> Result<(), TarError> {
    let want = octal(&h[148..156], "chksum")?;
    let (mut unsigned, mut signed) = (0u64, 0i64);
    for (i, b) in h.iter().enumerate() {
        let b = if (148..156).contains(&i) { b' ' } else { *b };
        unsigned += u64::from(b);
        signed += i64::from(b as i8);
    }
    if want == unsigned || i64::try_from(want).is_ok_and(|w| w == signed) {
        Ok(())
    } else {
        Err(TarError::Checksum)
    }
}

fn cstr(field: &[u8]) -> String {
    let end = field.iter().position(|b| *b == 0).unwrap_or(field.len());
    String::from_utf8_lossy(&field[..end]).into_owned()
}

fn join_name(h: &[u8]) -> String {
    let name = cstr(&h[..100]);
    if &h[257..263] == b"ustar\0" {
        let prefix = cstr(&h[345..500]);
        if !prefix.is_empty() {
            return format!("{prefix}/{name}");
        }
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_round_trip_and_damage_is_refused() {
        let mut t = Vec::new();
        append(&mut t, "a.txt", b"hello", 1_600_000_000).unwrap();
        append(&mut t, "b.bin", &[7u8; 600], 1).unwrap();
        finish(&mut t);
        assert_eq!(t.len(), 512 * 7);
        let e = entries(&t).unwrap();
        assert_eq!(e.len(), 2);
        assert_eq!((e[0].name.as_str(), e[0].data), ("a.txt", &b"hello"[..]));
        assert_eq!(e[1].data, &[7u8; 600][..]);

        let mut bad = t.clone();
        bad[10] ^= 1;
        assert_eq!(entries(&bad), Err(TarError::Checksum));
        assert_eq!(entries(&t[..700]), Err(TarError::Truncated));
        assert_eq!(entries(&t[..100]), Err(TarError::Truncated));
        assert!(append(&mut Vec::new(), &"x".repeat(101), b"", 0).is_err());
    }
}
