//! String literals: the body between the quotes as Go's `strconv.Unquote`
//! reads it (the grammar hands the whole quoted text to it).

/// The value of a backtick literal's body: taken as written, carriage
/// returns dropped.
pub(crate) fn unquote_raw(body: &str) -> String {
    body.chars().filter(|&c| c != '\r').collect()
}

/// The value of a double-quoted literal's body with Go's escapes
/// (`\n`, `\t`, `\\`, `\xHH`, `\ooo`, `\uHHHH`, `\UHHHHHHHH`, ...), or
/// `None` where Go refuses it ("invalid syntax"): a raw newline, an unknown
/// escape, `\'`, a lone trailing backslash.
pub(crate) fn unquote_double(body: &str) -> Option<String> {
    if body.contains('\n') {
        return None;
    }
    if !body.contains('\\') {
        return Some(body.to_owned());
    }
    let mut out: Vec<u8> = Vec::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            let mut buf = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            continue;
        }
        let e = chars.next()?;
        let simple = match e {
            'a' => Some(0x07u8),
            'b' => Some(0x08),
            'f' => Some(0x0c),
            'n' => Some(b'\n'),
            'r' => Some(b'\r'),
            't' => Some(b'\t'),
            'v' => Some(0x0b),
            '\\' => Some(b'\\'),
            '"' => Some(b'"'),
            _ => None,
        };
        if let Some(b) = simple {
            out.push(b);
            continue;
        }
        match e {
            'x' => {
                let v = hex_digits(&mut chars, 2)?;
                out.push(v as u8);
            }
            'u' | 'U' => {
                let n = if e == 'u' { 4 } else { 8 };
                let v = hex_digits(&mut chars, n)?;
                let c = char::from_u32(v)?;
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
            '0'..='7' => {
                let mut v = e.to_digit(8)?;
                for _ in 0..2 {
                    v = v * 8 + chars.next()?.to_digit(8)?;
                }
                if v > 255 {
                    return None;
                }
                out.push(v as u8);
            }
            _ => return None,
        }
    }
    // Go keeps arbitrary bytes; a Rust string cannot, and such a literal
    // cannot equal any JSON text anyway.
    Some(String::from_utf8_lossy(&out).into_owned())
}

fn hex_digits(chars: &mut std::str::Chars<'_>, n: usize) -> Option<u32> {
    let mut v: u32 = 0;
    for _ in 0..n {
        v = v * 16 + chars.next()?.to_digit(16)?;
    }
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_escapes() {
        assert_eq!(unquote_double("a b").as_deref(), Some("a b"));
        assert_eq!(unquote_double(r"a\tb\n").as_deref(), Some("a\tb\n"));
        assert_eq!(
            unquote_double(r"\x41\101\u00e9\U0001F600").as_deref(),
            Some("AAé😀")
        );
        assert_eq!(unquote_double(r"\'"), None);
        assert_eq!(unquote_double(r"\q"), None);
        assert_eq!(unquote_double("\\"), None);
        assert_eq!(unquote_double("a\nb"), None);
        assert_eq!(unquote_double(r"\777"), None);
        assert_eq!(unquote_double(r"\ud800"), None);
        assert_eq!(unquote_raw("a\r\nb\\n"), "a\nb\\n");
    }
}
