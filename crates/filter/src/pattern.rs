//! Regular expressions as Go's `regexp` reads them, compiled with the
//! `regex` crate (both are RE2 dialects). Two Go readings differ from the
//! crate's defaults and are carried over: a `{` that does not start a
//! repetition (`{2}`, `{2,}`, `{2,5}`) is a literal brace, a class has no
//! nested classes or set operators (`[a[b]`, `[a&&b]` are plain
//! characters), and `\1`..`\7` begin octal escapes.

use regex::{Regex, RegexBuilder};

/// Compile `pattern` with Go's readings; the error is one line.
pub(crate) fn compile(pattern: &str) -> Result<Regex, String> {
    RegexBuilder::new(&escape_literal_braces(pattern))
        .octal(true)
        .build()
        .map_err(|e| one_line(&e))
}

/// `pattern` with each `{` that Go would read as a literal escaped.
fn escape_literal_braces(pattern: &str) -> String {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::with_capacity(pattern.len() + 4);
    let mut i = 0;
    let mut in_class = false;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => {
                out.push(c);
                if let Some(&n) = chars.get(i + 1) {
                    out.push(n);
                    i += 1;
                }
            }
            '[' if !in_class => {
                in_class = true;
                out.push(c);
                // A `]` first in the class (after `^`) is a literal.
                if chars.get(i + 1) == Some(&'^') {
                    out.push('^');
                    i += 1;
                }
                if chars.get(i + 1) == Some(&']') {
                    out.push(']');
                    i += 1;
                }
            }
            '[' if in_class && chars.get(i + 1) == Some(&':') => {
                // `[:alpha:]` inside a class.
                let rest: String = chars[i..].iter().collect();
                match rest.find(":]") {
                    Some(end) => {
                        out.push_str(&rest[..end + 2]);
                        i += rest[..end + 2].chars().count() - 1;
                    }
                    None => out.push(c),
                }
            }
            // Go has no nested classes or class set operators: inside a
            // class `[`, `&` and `~` are themselves.
            '[' | '&' | '~' if in_class => {
                out.push('\\');
                out.push(c);
            }
            ']' if in_class => {
                in_class = false;
                out.push(c);
            }
            '{' if !in_class && !starts_repeat(&chars[i..]) => out.push_str("\\{"),
            _ => out.push(c),
        }
        i += 1;
    }
    out
}

/// Whether `s` (starting at a `{`) is `{n}`, `{n,}` or `{n,m}`.
fn starts_repeat(s: &[char]) -> bool {
    let mut i = 1;
    let digits = |i: &mut usize| {
        let start = *i;
        while s.get(*i).is_some_and(|c| c.is_ascii_digit()) {
            *i += 1;
        }
        *i > start
    };
    if !digits(&mut i) {
        return false;
    }
    if s.get(i) == Some(&',') {
        i += 1;
        digits(&mut i);
    }
    s.get(i) == Some(&'}')
}

/// The regex crate's (multi-line) error as one line.
fn one_line(e: &regex::Error) -> String {
    let text = e.to_string();
    text.lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix("error: "))
        .map(str::to_owned)
        .unwrap_or_else(|| text.split_whitespace().collect::<Vec<_>>().join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_readings() {
        assert_eq!(escape_literal_braces("a{2}b{2,}c{2,5}"), "a{2}b{2,}c{2,5}");
        assert_eq!(escape_literal_braces("a{x}{2;1}{"), "a\\{x}\\{2;1}\\{");
        assert_eq!(
            escape_literal_braces("[{]\\{[]{][^]{][[:alpha:]{]"),
            "[{]\\{[]{][^]{][[:alpha:]{]"
        );
        assert!(compile("a{,5}").expect("literal").is_match("a{,5}"));
        assert!(compile(r"\101").expect("octal").is_match("A"));
        assert!(compile("^web-[0-9]+$").expect("plain").is_match("web-01"));
        assert!(compile("^web-[0-b-[0-9]+$")
            .expect("flat class")
            .is_match("web-[9"));
        assert!(compile("[a&&b]").expect("no set ops").is_match("&"));
        assert!(compile("(").is_err());
        assert!(!compile("(").unwrap_err().contains('\n'));
    }
}
