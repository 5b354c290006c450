//! A small parser for the HCL (version 1) that Consul config files, `-hcl`
//! fragments and ACL rules are written in, producing the equivalent JSON value.
//! It lives here, in the crate every layer depends on, so that `consul-config`
//! and `consul-acl` share it without depending on each other.
//!
//! Supported: `key = value`, blocks `key { … }` and labelled blocks
//! `key "label" { … }` (→ `{"key": {"label": {…}}}`), strings with escapes,
//! heredocs (`<<EOF`, `<<-EOF`), numbers, booleans, lists, objects, and
//! `#`, `//`, `/* */` comments. As in HCL 1, a block or object key given more
//! than once becomes a list of its values (Consul's repeated `service { }`
//! blocks); a repeated scalar key keeps the last value.
//!
//! Input may come from the network (ACL rules), so nesting is limited to
//! [`MAX_DEPTH`] levels: deeper input is an error, never a stack overflow.

use serde_json::{Map, Number, Value};

/// A syntax error, with its 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("At {line}:{col}: {msg}")]
pub struct HclError {
    /// Line of the error.
    pub line: usize,
    /// Column of the error.
    pub col: usize,
    /// What was wrong.
    pub msg: String,
}

/// How deeply blocks, objects and lists may nest (serde_json's limit too).
pub const MAX_DEPTH: usize = 128;

/// Parses an HCL document into a JSON object.
pub fn parse_hcl(text: &str) -> Result<Value, HclError> {
    let mut p = Parser {
        chars: text.chars().collect(),
        pos: 0,
        depth: 0,
    };
    // HCL 1 refuses a NUL anywhere, even in a comment or a string.
    if let Some(at) = p.chars.iter().position(|c| *c == '\0') {
        p.pos = at;
        return p.error("unexpected null character (0x00)");
    }
    let body = p.body(false)?;
    Ok(Value::Object(body))
}

/// Recursive-descent parser over the document's characters.
struct Parser {
    chars: Vec<char>,
    pos: usize,
    /// Open blocks, objects and lists around the current position.
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn peek_at(&self, off: usize) -> Option<char> {
        self.chars.get(self.pos + off).copied()
    }

    fn error<T>(&self, msg: impl Into<String>) -> Result<T, HclError> {
        let before = &self.chars[..self.pos.min(self.chars.len())];
        let line = before.iter().filter(|c| **c == '\n').count() + 1;
        let col = before.iter().rev().take_while(|c| **c != '\n').count() + 1;
        Err(HclError {
            line,
            col,
            msg: msg.into(),
        })
    }

    /// Skips spaces, newlines, commas (when `commas`) and comments.
    fn skip(&mut self, commas: bool) -> Result<(), HclError> {
        loop {
            match (self.peek(), self.peek_at(1)) {
                // HCL 1's whitespace; other spaces and controls are illegal.
                (Some(' ' | '\t' | '\n' | '\r'), _) => self.pos += 1,
                (Some(','), _) if commas => self.pos += 1,
                (Some('#'), _) | (Some('/'), Some('/')) => {
                    while self.peek().is_some_and(|c| c != '\n') {
                        self.pos += 1;
                    }
                }
                (Some('/'), Some('*')) => {
                    self.pos += 2;
                    loop {
                        match (self.peek(), self.peek_at(1)) {
                            (Some('*'), Some('/')) => {
                                self.pos += 2;
                                break;
                            }
                            (Some(_), _) => self.pos += 1,
                            (None, _) => return self.error("unterminated comment"),
                        }
                    }
                }
                _ => return Ok(()),
            }
        }
    }

    /// Enters one more level of nesting, refusing to go past [`MAX_DEPTH`].
    fn descend(&mut self) -> Result<(), HclError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return self.error(format!("nested more than {MAX_DEPTH} levels deep"));
        }
        Ok(())
    }

    /// Items up to the end of input, or up to `}` when `nested`.
    fn body(&mut self, nested: bool) -> Result<Map<String, Value>, HclError> {
        if nested {
            self.descend()?;
        }
        let mut map = Map::new();
        loop {
            self.skip(false)?;
            match self.peek() {
                None if nested => return self.error("expected '}' before end of input"),
                None => return Ok(map),
                Some('}') if nested => {
                    self.pos += 1;
                    self.depth -= 1;
                    return Ok(map);
                }
                Some(_) => {
                    self.item(&mut map)?;
                    // As in HCL 1, one comma may follow an item; a comma
                    // anywhere else (leading, doubled) is an error.
                    self.skip(false)?;
                    if self.peek() == Some(',') {
                        self.pos += 1;
                    }
                }
            }
        }
    }

    /// One `key = value` or `key [labels] { body }`.
    fn item(&mut self, map: &mut Map<String, Value>) -> Result<(), HclError> {
        let key = self.key()?;
        self.skip(false)?;
        let mut labels = Vec::new();
        loop {
            match self.peek() {
                Some(c @ ('=' | ':')) if !labels.is_empty() => {
                    // HCL 1 has no `key "label" = value`.
                    return self.error(format!(
                        "nested object expected: '{{' after the labels of {key:?}, found {c:?}"
                    ));
                }
                Some('=') | Some(':') => {
                    self.pos += 1;
                    self.skip(false)?;
                    let value = self.value()?;
                    insert(map, key, value);
                    return Ok(());
                }
                Some('{') => {
                    self.pos += 1;
                    let mut value = Value::Object(self.body(true)?);
                    for label in labels.into_iter().rev() {
                        let mut m = Map::new();
                        m.insert(label, value);
                        value = Value::Object(m);
                    }
                    insert(map, key, value);
                    return Ok(());
                }
                Some(c) if c == '"' || is_ident_start(c) => {
                    labels.push(self.key()?);
                    self.skip(false)?;
                }
                _ => return self.error(format!("expected '=' or '{{' after key {key:?}")),
            }
        }
    }

    /// An identifier or a quoted string.
    fn key(&mut self) -> Result<String, HclError> {
        match self.peek() {
            Some('"') => self.string(),
            Some(c) if is_ident_start(c) => Ok(self.ident()),
            Some(c) => self.error(format!("unexpected {c:?}, expected a key")),
            None => self.error("unexpected end of input, expected a key"),
        }
    }

    fn ident(&mut self) -> String {
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
        {
            self.pos += 1;
        }
        self.chars[start..self.pos].iter().collect()
    }

    fn value(&mut self) -> Result<Value, HclError> {
        match self.peek() {
            Some('"') => Ok(Value::String(self.string()?)),
            Some('<') if self.peek_at(1) == Some('<') => Ok(Value::String(self.heredoc()?)),
            Some('[') => self.list(),
            Some('{') => {
                self.pos += 1;
                Ok(Value::Object(self.body(true)?))
            }
            Some(c) if c == '-' || c == '+' || c.is_ascii_digit() || c == '.' => self.number(),
            Some(c) if is_ident_start(c) => match self.ident().as_str() {
                "true" => Ok(Value::Bool(true)),
                "false" => Ok(Value::Bool(false)),
                "null" => Ok(Value::Null),
                other => self.error(format!("unknown token {other:?}, expected a value")),
            },
            Some(c) => self.error(format!("unexpected {c:?}, expected a value")),
            None => self.error("unexpected end of input, expected a value"),
        }
    }

    fn list(&mut self) -> Result<Value, HclError> {
        self.pos += 1; // '['
        self.descend()?;
        let mut items = Vec::new();
        loop {
            self.skip(true)?;
            match self.peek() {
                Some(']') => {
                    self.pos += 1;
                    self.depth -= 1;
                    return Ok(Value::Array(items));
                }
                None => return self.error("expected ']' before end of input"),
                Some(_) => items.push(self.value()?),
            }
        }
    }

    fn number(&mut self) -> Result<Value, HclError> {
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+'))
        {
            self.pos += 1;
        }
        let text: String = self.chars[start..self.pos].iter().collect();
        let body = text.strip_prefix('+').unwrap_or(&text);
        if let Ok(i) = body.parse::<i64>() {
            return Ok(Value::from(i));
        }
        let (neg, digits) = match body.strip_prefix('-') {
            Some(d) => (true, d),
            None => (false, body),
        };
        if let Some(hex) = digits
            .strip_prefix("0x")
            .or_else(|| digits.strip_prefix("0X"))
        {
            if let Ok(i) = i64::from_str_radix(hex, 16) {
                return Ok(Value::from(if neg { -i } else { i }));
            }
        }
        match body.parse::<f64>().ok().and_then(Number::from_f64) {
            Some(n) => Ok(Value::Number(n)),
            None => {
                self.pos = start;
                self.error(format!("invalid number {text:?}"))
            }
        }
    }

    /// A double-quoted string; `${…}` interpolations are kept as written.
    fn string(&mut self) -> Result<String, HclError> {
        self.pos += 1; // opening quote
        let mut out = String::new();
        loop {
            let Some(c) = self.peek() else {
                return self.error("unterminated string");
            };
            self.pos += 1;
            match c {
                '"' => return Ok(out),
                '\n' => return self.error("newline in string"),
                '\\' => {
                    let Some(e) = self.peek() else {
                        return self.error("unterminated string");
                    };
                    self.pos += 1;
                    match e {
                        'n' => out.push('\n'),
                        't' => out.push('\t'),
                        'r' => out.push('\r'),
                        '"' => out.push('"'),
                        '\\' => out.push('\\'),
                        'u' | 'U' => {
                            let len = if e == 'u' { 4 } else { 8 };
                            let hex: String = self.chars.iter().skip(self.pos).take(len).collect();
                            let ch = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32);
                            match ch {
                                Some(ch) if hex.len() == len => {
                                    out.push(ch);
                                    self.pos += len;
                                }
                                _ => return self.error("invalid unicode escape"),
                            }
                        }
                        other => {
                            // Escaped, so the message stays on one line.
                            let shown = other.escape_default();
                            return self.error(format!("unknown escape \\{shown}"));
                        }
                    }
                }
                _ => out.push(c),
            }
        }
    }

    /// `<<EOF … EOF` or `<<-EOF … EOF` (indented terminator).
    fn heredoc(&mut self) -> Result<String, HclError> {
        self.pos += 2;
        let indented = self.peek() == Some('-');
        if indented {
            self.pos += 1;
        }
        let marker = self.ident();
        if marker.is_empty() || self.peek() != Some('\n') {
            return self.error("invalid heredoc anchor");
        }
        self.pos += 1;
        let mut lines: Vec<String> = Vec::new();
        loop {
            let start = self.pos;
            while self.peek().is_some_and(|c| c != '\n') {
                self.pos += 1;
            }
            let line: String = self.chars[start..self.pos].iter().collect();
            let at_end = self.peek().is_none();
            if self.peek() == Some('\n') {
                self.pos += 1;
            }
            let candidate = if indented {
                line.trim_start()
            } else {
                line.as_str()
            };
            if candidate == marker {
                if !at_end {
                    self.pos -= 1; // leave the newline for the item separator
                }
                if indented {
                    // Like HCL 1: drop the terminator's indentation from every line.
                    let indent = &line[..line.len() - line.trim_start().len()];
                    for l in &mut lines {
                        if let Some(rest) = l.strip_prefix(indent) {
                            *l = rest.to_string();
                        }
                    }
                }
                let mut text = lines.join("\n");
                text.push('\n');
                return Ok(text);
            }
            if at_end {
                return self.error(format!("heredoc not terminated by {marker:?}"));
            }
            lines.push(line);
        }
    }
}

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

/// Inserts with HCL 1 semantics: a repeated object key collects a list.
fn insert(map: &mut Map<String, Value>, key: String, value: Value) {
    match map.get_mut(&key) {
        Some(Value::Object(prev)) if value.is_object() => {
            let prev = std::mem::take(prev);
            map.insert(key, Value::Array(vec![Value::Object(prev), value]));
        }
        Some(Value::Array(items)) if value.is_object() && items.iter().all(Value::is_object) => {
            items.push(value);
        }
        _ => {
            map.insert(key, value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_consul_style_config() {
        let v = parse_hcl(
            r#"
            # comment
            datacenter = "east-aws"   // trailing comment
            data_dir = "/opt/consul"
            server = true
            bootstrap_expect = 3
            raft = 1.5
            retry_join = ["10.0.0.1", "10.0.0.2",]
            /* block
               comment */
            ports {
              http = 8501
              https = -1
            }
            acl = {
              enabled = true
              tokens { agent = "a" }
            }
            node_meta { "rack-id" = "r1" }
            service { name = "a" }
            service { name = "b", port = 80 }
            config_entries { bootstrap "proxy" { x = 1 } }
            "#,
        )
        .unwrap();
        assert_eq!(
            v,
            json!({
                "datacenter": "east-aws", "data_dir": "/opt/consul", "server": true,
                "bootstrap_expect": 3, "raft": 1.5, "retry_join": ["10.0.0.1", "10.0.0.2"],
                "ports": {"http": 8501, "https": -1},
                "acl": {"enabled": true, "tokens": {"agent": "a"}},
                "node_meta": {"rack-id": "r1"},
                "service": [{"name": "a"}, {"name": "b", "port": 80}],
                "config_entries": {"bootstrap": {"proxy": {"x": 1}}}
            })
        );
    }

    #[test]
    fn strings_and_heredocs() {
        let v = parse_hcl(
            "a = \"x\\\"y\\n\\u00e9${var}\"\nb = <<EOF\nline1\n  line2\nEOF\nc = <<-X\n  t\n  X\n",
        )
        .unwrap();
        assert_eq!(
            v,
            json!({"a": "x\"y\né${var}", "b": "line1\n  line2\n", "c": "t\n"})
        );
    }

    #[test]
    fn errors_have_positions() {
        let e = parse_hcl("a = \"x\\\ny\"").unwrap_err();
        assert_eq!(e.msg, "unknown escape \\\\n", "escaped: {e}");
        let e = parse_hcl("a = 1 # \0").unwrap_err();
        assert_eq!(
            (e.line, e.col, e.msg.as_str()),
            (1, 9, "unexpected null character (0x00)")
        );
        assert!(parse_hcl("a = 1\u{b}").is_err(), "a vertical tab");
        assert!(parse_hcl("a =\u{a0}1").is_err(), "a no-break space");
        assert!(parse_hcl("a = 1\r\n\tb = 2").is_ok());
        assert!(parse_hcl(", a = 1").is_err(), "a leading comma");
        assert!(parse_hcl("a = 1,, b = 2").is_err(), "a doubled comma");
        assert_eq!(parse_hcl("a = 1, b { c = 2, }, ").unwrap()["b"]["c"], 2);
        let e = parse_hcl("key \"a\" = \"read\"").unwrap_err();
        assert_eq!((e.line, e.col), (1, 9), "labels then '=': {e}");
        assert!(parse_hcl("a \"x\" \"y\": 1").is_err());
        let e = parse_hcl("a = 1\nb ! 2").unwrap_err();
        assert_eq!((e.line, e.col), (2, 3));
        assert!(e.to_string().starts_with("At 2:3: "));
        assert!(parse_hcl("a = \"open").is_err());
        assert!(parse_hcl("a { b = 1").is_err());
        assert!(parse_hcl("a = [1, 2").is_err());
        assert!(parse_hcl("a = bogus").is_err());
        assert!(parse_hcl("a = 1.2.3").is_err());
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let deep = format!("a = {}", "[".repeat(100_000));
        let e = parse_hcl(&deep).unwrap_err();
        assert!(e.msg.contains("nested more than"), "{e}");
        let blocks = "a { ".repeat(100_000);
        assert!(parse_hcl(&blocks).is_err());
        let ok = format!("a = {}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(parse_hcl(&ok).is_ok());
    }
}
