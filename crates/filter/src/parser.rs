//! The grammar of go-bexpr (the version Consul 1.10 uses) as a recursive
//! descent parser with the PEG's ordered choices.
//!
//! ```text
//! Input      <- _? "(" _? Or _? ")" _? EOF / _? Or _? EOF
//! Or         <- And (_ "or" _ And)*
//! And        <- Not (_ "and" _ Not)*
//! Not        <- "not" _ Not / Paren
//! Paren      <- "(" _? Or _? ")" / Match
//! Match      <- Selector (_? "==" _? / _? "!=" _? / _ "contains" _ / _ "not" _ "contains" _
//!                         / _ "matches" _ / _ "not" _ "matches" _) Value
//!             / Selector (_ "is" _ "empty" / _ "is" _ "not" _ "empty")
//!             / Value (_ "in" _ / _ "not" _ "in" _) Selector
//! Selector   <- Ident ("." Ident / "[" _? String _? "]")*
//! Ident      <- [a-zA-Z] [a-zA-Z0-9_]*
//! Value      <- Selector / Number / String
//! Number     <- "-"? ("0" / [1-9][0-9]*) ("." [0-9]+)?   followed by _, ")" or EOF
//! String     <- "`" [^`]* "`" / "\"" [^"]* "\""
//! _          <- [ \t\r\n]+
//! ```
//!
//! Where the PEG tries the same rule twice at one position this parser
//! parses it once (the result is the same: a PEG rule at a position has one
//! outcome), so parsing is linear rather than exponential in nesting.
//! bexpr's "error" alternatives (unmatched parenthesis, unterminated
//! string, ...) end the parse at once with bexpr's words.

use crate::ast::{Expr, Match, MatchOp};
use crate::literal::{unquote_double, unquote_raw};
use crate::FilterError;

/// Deepest nesting of parentheses and `not` accepted: far beyond any real
/// filter, shallow enough that parsing and evaluating never exhaust a stack.
pub const MAX_NESTING: usize = 64;

/// Parse a whole expression.
pub(crate) fn parse(src: &str) -> Result<Expr, FilterError> {
    let mut p = Parser {
        src,
        b: src.as_bytes(),
        pos: 0,
        depth: 0,
        fail_pos: 0,
        expected: Vec::new(),
    };
    p.input()
}

/// What a rule that did not match returns: `Ok(None)` lets the caller try
/// its next alternative, `Err` ends the parse.
type Step<T> = Result<Option<T>, FilterError>;

struct Parser<'a> {
    src: &'a str,
    b: &'a [u8],
    pos: usize,
    depth: usize,
    /// The farthest position where a terminal failed, and what was wanted
    /// there: the "expected" list of a failed parse.
    fail_pos: usize,
    expected: Vec<&'static str>,
}

const WS: &str = "[ \\t\\r\\n]";

impl<'a> Parser<'a> {
    // ---- terminals -------------------------------------------------------

    fn fail(&mut self, at: usize, want: &'static str) {
        if at > self.fail_pos {
            self.fail_pos = at;
            self.expected.clear();
        }
        if at == self.fail_pos && !self.expected.contains(&want) {
            self.expected.push(want);
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    /// The literal `s` (a quoted label for the expected list).
    fn lit(&mut self, s: &str, label: &'static str) -> bool {
        if self.b[self.pos..].starts_with(s.as_bytes()) {
            self.pos += s.len();
            true
        } else {
            self.fail(self.pos, label);
            false
        }
    }

    /// `_`: one or more whitespace characters.
    fn ws(&mut self) -> bool {
        let start = self.pos;
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\r' | b'\n')) {
            self.pos += 1;
        }
        // Like the PEG's `[ \t\r\n]+`, the attempt at one more whitespace
        // character fails here even when some matched.
        self.fail(self.pos, WS);
        self.pos > start
    }

    /// `_?`
    fn ws_opt(&mut self) {
        self.ws();
    }

    fn eof(&mut self) -> bool {
        if self.pos == self.b.len() {
            true
        } else {
            self.fail(self.pos, "EOF");
            false
        }
    }

    /// An error at `at` reported inside the rule named `rule`.
    fn error_at(&self, at: usize, rule: &str, message: &str) -> FilterError {
        syntax_error(self.src, at, format!("rule \"{rule}\": {message}"))
    }

    fn nest(&mut self) -> Result<(), FilterError> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(syntax_error(
                self.src,
                self.pos,
                format!("expression nests deeper than {MAX_NESTING} levels"),
            ));
        }
        Ok(())
    }

    // ---- rules -------------------------------------------------------------

    fn input(&mut self) -> Result<Expr, FilterError> {
        self.ws_opt();
        if self.lit("(", "\"(\"") {
            self.ws_opt();
            if let Some(e) = self.or_expr()? {
                self.ws_opt();
                if self.lit(")", "\")\"") {
                    self.ws_opt();
                    if self.eof() {
                        return Ok(e);
                    }
                }
            }
        }
        self.pos = 0;
        self.ws_opt();
        if let Some(e) = self.or_expr()? {
            self.ws_opt();
            if self.eof() {
                return Ok(e);
            }
        }
        let mut expected: Vec<&str> = self
            .expected
            .iter()
            .copied()
            .filter(|e| *e != "EOF")
            .collect();
        expected.sort_unstable();
        if self.expected.contains(&"EOF") {
            expected.push("EOF");
        }
        let list = match expected.split_last() {
            None => String::new(),
            Some((last, [])) => (*last).to_owned(),
            Some((last, rest)) => format!("{} or {}", rest.join(", "), last),
        };
        Err(syntax_error(
            self.src,
            self.fail_pos,
            format!("no match found, expected: {list}"),
        ))
    }

    /// `Or` and `And`: one operand, then more after the keyword.
    fn chain(
        &mut self,
        keyword: &str,
        label: &'static str,
        operand: fn(&mut Self) -> Step<Expr>,
    ) -> Step<Vec<Expr>> {
        let Some(first) = operand(self)? else {
            return Ok(None);
        };
        let mut items = vec![first];
        loop {
            let save = self.pos;
            if self.ws() && self.lit(keyword, label) && self.ws() {
                if let Some(next) = operand(self)? {
                    items.push(next);
                    continue;
                }
            }
            self.pos = save;
            return Ok(Some(items));
        }
    }

    fn or_expr(&mut self) -> Step<Expr> {
        Ok(self.chain("or", "\"or\"", Self::and_expr)?.map(|mut v| {
            if v.len() == 1 {
                v.remove(0)
            } else {
                Expr::Or(v)
            }
        }))
    }

    fn and_expr(&mut self) -> Step<Expr> {
        Ok(self.chain("and", "\"and\"", Self::not_expr)?.map(|mut v| {
            if v.len() == 1 {
                v.remove(0)
            } else {
                Expr::And(v)
            }
        }))
    }

    fn not_expr(&mut self) -> Step<Expr> {
        let save = self.pos;
        if self.lit("not", "\"not\"") && self.ws() {
            self.nest()?;
            let inner = self.not_expr()?;
            self.depth -= 1;
            if let Some(e) = inner {
                // `not not X` is X.
                return Ok(Some(match e {
                    Expr::Not(x) => *x,
                    e => Expr::Not(Box::new(e)),
                }));
            }
        }
        self.pos = save;
        self.paren_expr()
    }

    fn paren_expr(&mut self) -> Step<Expr> {
        let save = self.pos;
        if self.lit("(", "\"(\"") {
            self.ws_opt();
            self.nest()?;
            let inner = self.or_expr()?;
            self.depth -= 1;
            if let Some(e) = inner {
                self.ws_opt();
                if self.lit(")", "\")\"") {
                    return Ok(Some(e));
                }
                return Err(self.error_at(self.pos, "grouping", "Unmatched parentheses"));
            }
        }
        self.pos = save;
        self.match_expr()
    }

    fn match_expr(&mut self) -> Step<Expr> {
        let save = self.pos;
        // Selector op Value
        if let Some(selector) = self.selector()? {
            if let Some(op) = self.value_op() {
                if let Some(value) = self.value()? {
                    return Ok(Some(new_match(selector, op, value)));
                }
            }
        }
        self.pos = save;
        // Selector is [not] empty
        if let Some(selector) = self.selector()? {
            if let Some(op) = self.empty_op() {
                return Ok(Some(new_match(selector, op, String::new())));
            }
        }
        self.pos = save;
        // Value [not] in Selector
        if let Some(value) = self.value()? {
            if let Some(op) = self.in_op() {
                let after = self.pos;
                if let Some(selector) = self.selector()? {
                    return Ok(Some(new_match(selector, op, value)));
                }
                return Err(self.error_at(after, "match", "Invalid selector"));
            }
        }
        self.pos = save;
        Ok(None)
    }

    /// `==`, `!=`, `contains`, `not contains`, `matches`, `not matches`,
    /// with the whitespace around them.
    fn value_op(&mut self) -> Option<MatchOp> {
        let save = self.pos;
        for (sym, label, op) in [
            ("==", "\"==\"", MatchOp::Equal),
            ("!=", "\"!=\"", MatchOp::NotEqual),
        ] {
            self.ws_opt();
            if self.lit(sym, label) {
                self.ws_opt();
                return Some(op);
            }
            self.pos = save;
        }
        for (words, op) in [
            (&["contains"][..], MatchOp::In),
            (&["not", "contains"][..], MatchOp::NotIn),
            (&["matches"][..], MatchOp::Matches),
            (&["not", "matches"][..], MatchOp::NotMatches),
        ] {
            if self.words(words) && self.ws() {
                return Some(op);
            }
            self.pos = save;
        }
        None
    }

    /// `is empty`, `is not empty` (whitespace before, none after).
    fn empty_op(&mut self) -> Option<MatchOp> {
        let save = self.pos;
        for (words, op) in [
            (&["is", "empty"][..], MatchOp::IsEmpty),
            (&["is", "not", "empty"][..], MatchOp::IsNotEmpty),
        ] {
            if self.words(words) {
                return Some(op);
            }
            self.pos = save;
        }
        None
    }

    /// `in`, `not in`, with the whitespace around them.
    fn in_op(&mut self) -> Option<MatchOp> {
        let save = self.pos;
        for (words, op) in [
            (&["in"][..], MatchOp::In),
            (&["not", "in"][..], MatchOp::NotIn),
        ] {
            if self.words(words) && self.ws() {
                return Some(op);
            }
            self.pos = save;
        }
        None
    }

    /// Each word preceded by whitespace.
    fn words(&mut self, words: &[&str]) -> bool {
        words
            .iter()
            .all(|w| self.ws() && self.lit(w, keyword_label(w)))
    }

    fn identifier(&mut self) -> Option<String> {
        let start = self.pos;
        match self.peek() {
            Some(c) if c.is_ascii_alphabetic() => self.pos += 1,
            _ => {
                self.fail(self.pos, "[a-zA-Z]");
                return None;
            }
        }
        while matches!(self.peek(), Some(c) if c.is_ascii_alphanumeric() || c == b'_') {
            self.pos += 1;
        }
        self.fail(self.pos, "[a-zA-Z0-9_]");
        Some(self.src[start..self.pos].to_owned())
    }

    fn selector(&mut self) -> Step<Vec<String>> {
        let Some(first) = self.identifier() else {
            return Ok(None);
        };
        let mut parts = vec![first];
        loop {
            let save = self.pos;
            if self.lit(".", "\".\"") {
                if let Some(id) = self.identifier() {
                    parts.push(id);
                    continue;
                }
            }
            self.pos = save;
            match self.index()? {
                Some(key) => parts.push(key),
                None => {
                    self.pos = save;
                    return Ok(Some(parts));
                }
            }
        }
    }

    /// `[ "key" ]`
    fn index(&mut self) -> Step<String> {
        if !self.lit("[", "\"[\"") {
            return Ok(None);
        }
        self.ws_opt();
        let at = self.pos;
        let Some(key) = self.string()? else {
            return Err(self.error_at(at, "index", "Invalid index"));
        };
        self.ws_opt();
        if self.lit("]", "\"]\"") {
            Ok(Some(key))
        } else {
            Err(self.error_at(self.pos, "index", "Unclosed index expression"))
        }
    }

    /// A literal: a selector's text, a number's text, or a string's value.
    fn value(&mut self) -> Step<String> {
        let save = self.pos;
        if let Some(sel) = self.selector()? {
            return Ok(Some(sel.join(".")));
        }
        self.pos = save;
        if let Some(n) = self.number()? {
            return Ok(Some(n));
        }
        self.pos = save;
        self.string()
    }

    fn number(&mut self) -> Step<String> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        } else {
            self.fail(self.pos, "\"-\"");
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.pos += 1;
                self.digits();
            }
            _ => {
                self.fail(self.pos, "\"0\"");
                self.fail(self.pos, "[1-9]");
                self.pos = start;
                return Ok(None);
            }
        }
        if self.peek() == Some(b'.') && matches!(self.b.get(self.pos + 1), Some(b'0'..=b'9')) {
            self.pos += 1;
            self.digits();
        } else if self.peek() == Some(b'.') {
            self.fail(self.pos + 1, "[0-9]");
        } else {
            self.fail(self.pos, "\".\"");
        }
        // `&(_ / EOF / ")")`
        let after_ok = self.ws_ahead() || self.eof() || self.lit_ahead(")", "\")\"");
        if after_ok {
            Ok(Some(self.src[start..self.pos].to_owned()))
        } else {
            Err(self.error_at(self.pos, "number", "Invalid number literal"))
        }
    }

    /// `[0-9]*`
    fn digits(&mut self) {
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
        self.fail(self.pos, "[0-9]");
    }

    /// Whitespace next, without consuming it.
    fn ws_ahead(&mut self) -> bool {
        let save = self.pos;
        let ok = self.ws();
        self.pos = save;
        ok
    }

    /// `s` next, without consuming it.
    fn lit_ahead(&mut self, s: &str, label: &'static str) -> bool {
        let save = self.pos;
        let ok = self.lit(s, label);
        self.pos = save;
        ok
    }

    fn string(&mut self) -> Step<String> {
        let start = self.pos;
        let quote = match self.peek() {
            Some(q @ (b'"' | b'`')) => q,
            _ => {
                self.fail(self.pos, "\"\\\"\"");
                self.fail(self.pos, "\"`\"");
                return Ok(None);
            }
        };
        let body_start = start + 1;
        let Some(len) = self.b[body_start..].iter().position(|&c| c == quote) else {
            return Err(self.error_at(self.b.len(), "string", "Unterminated string literal"));
        };
        let body = &self.src[body_start..body_start + len];
        self.pos = body_start + len + 1;
        if quote == b'`' {
            return Ok(Some(unquote_raw(body)));
        }
        match unquote_double(body) {
            Some(s) => Ok(Some(s)),
            None => Err(self.error_at(start, "string", "invalid syntax")),
        }
    }
}

fn keyword_label(w: &str) -> &'static str {
    match w {
        "contains" => "\"contains\"",
        "not" => "\"not\"",
        "matches" => "\"matches\"",
        "is" => "\"is\"",
        "empty" => "\"empty\"",
        "in" => "\"in\"",
        _ => "keyword",
    }
}

fn new_match(selector: Vec<String>, op: MatchOp, value: String) -> Expr {
    Expr::Match(Match {
        selector,
        op,
        value,
        regex: None,
    })
}

/// A [`FilterError::Syntax`] at byte `offset` of `src`, with the line and
/// column go-bexpr's generated parser reports (columns count characters).
fn syntax_error(src: &str, offset: usize, message: String) -> FilterError {
    let offset = offset.min(src.len());
    let before = src.get(..offset).unwrap_or(src);
    let mut line = 1 + before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let mut column = 1 + before[line_start..].chars().count();
    if src.as_bytes().get(offset) == Some(&b'\n') {
        // pigeon counts a newline as the first character (column 0) of the
        // line it ends.
        line += 1;
        column = 0;
    }
    FilterError::Syntax {
        line,
        column,
        offset,
        message: message.replace(['\n', '\r'], " "),
    }
}
