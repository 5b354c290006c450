//! Re-layout of a JSON document without touching its values or key order: Go's
//! `json.MarshalIndent(v, "", "    ")` form (what `consul watch` prints) and the compact form
//! `json.Encoder` writes (what a handler reads on stdin). Consul's own field order survives,
//! which re-serializing a parsed map would lose.

/// The document indented by four spaces (empty arrays and objects stay `[]` / `{}`).
pub fn indent(raw: &[u8]) -> Vec<u8> {
    layout(raw, true)
}

/// The document with every insignificant space removed.
pub fn compact(raw: &[u8]) -> Vec<u8> {
    layout(raw, false)
}

fn layout(raw: &[u8], pretty: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len() + raw.len() / 2);
    let mut depth = 0usize;
    let mut in_str = false;
    let mut escaped = false;
    let newline = |out: &mut Vec<u8>, depth: usize| {
        out.push(b'\n');
        for _ in 0..depth {
            out.extend_from_slice(b"    ");
        }
    };
    let mut i = 0;
    while i < raw.len() {
        let b = raw[i];
        i += 1;
        if in_str {
            out.push(b);
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_str = false;
            }
            continue;
        }
        match b {
            b' ' | b'\t' | b'\n' | b'\r' => {}
            b'"' => {
                in_str = true;
                out.push(b);
            }
            b'{' | b'[' => {
                out.push(b);
                let close = if b == b'{' { b'}' } else { b']' };
                let mut j = i;
                while j < raw.len() && raw[j].is_ascii_whitespace() {
                    j += 1;
                }
                if raw.get(j) == Some(&close) {
                    out.push(close);
                    i = j + 1;
                } else {
                    depth += 1;
                    if pretty {
                        newline(&mut out, depth);
                    }
                }
            }
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                if pretty {
                    newline(&mut out, depth);
                }
                out.push(b);
            }
            b',' => {
                out.push(b);
                if pretty {
                    newline(&mut out, depth);
                }
            }
            b':' => {
                out.push(b);
                if pretty {
                    out.push(b' ');
                }
            }
            _ => out.push(b),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indents_like_go() {
        let raw = br#"{ "b": [1, {"x": "a, b: [c]"}], "a": {}, "c": [ ] ,"d":null}"#;
        let want = "{\n    \"b\": [\n        1,\n        {\n            \"x\": \"a, b: [c]\"\n        }\n    ],\n    \"a\": {},\n    \"c\": [],\n    \"d\": null\n}";
        assert_eq!(String::from_utf8(indent(raw)).unwrap(), want);
        assert_eq!(indent(want.as_bytes()), want.as_bytes(), "idempotent");
    }

    #[test]
    fn compacts_keeping_strings() {
        let raw = b"[\n    {\n        \"k\": \"a \\\" b\"\n    }\n]";
        assert_eq!(compact(raw), br#"[{"k":"a \" b"}]"#);
    }
}
