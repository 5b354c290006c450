//! The parsed form of an expression.

use regex::Regex;

/// A node of the expression tree.
#[derive(Debug, Clone)]
pub(crate) enum Expr {
    /// True when every operand is (evaluated left to right, stops at the first false).
    And(Vec<Expr>),
    /// True when any operand is (evaluated left to right, stops at the first true).
    Or(Vec<Expr>),
    /// The operand negated.
    Not(Box<Expr>),
    /// One selector compared with one literal.
    Match(Match),
}

/// How a match compares the selected data with its literal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MatchOp {
    /// `==`
    Equal,
    /// `!=`
    NotEqual,
    /// `"v" in S` and `S contains "v"`.
    In,
    /// `"v" not in S` and `S not contains "v"`.
    NotIn,
    /// `S is empty`
    IsEmpty,
    /// `S is not empty`
    IsNotEmpty,
    /// `S matches "re"`
    Matches,
    /// `S not matches "re"`
    NotMatches,
}

impl MatchOp {
    /// The operator's name in bexpr's messages.
    pub(crate) fn name(self) -> &'static str {
        match self {
            MatchOp::Equal => "Equal",
            MatchOp::NotEqual => "Not Equal",
            MatchOp::In => "In",
            MatchOp::NotIn => "Not In",
            MatchOp::IsEmpty => "Is Empty",
            MatchOp::IsNotEmpty => "Is Not Empty",
            MatchOp::Matches => "Matches",
            MatchOp::NotMatches => "Not Matches",
        }
    }

    /// The result where the selected data does not exist (bexpr's absent
    /// map key): nothing equals it or is in it, and it is empty; bexpr
    /// answers true for every other operator, `matches` included.
    pub(crate) fn when_absent(self) -> bool {
        !matches!(self, MatchOp::Equal | MatchOp::IsNotEmpty | MatchOp::In)
    }

    /// True for the `not`/`!=` forms, which invert their positive twin.
    pub(crate) fn inverts(self) -> bool {
        matches!(
            self,
            MatchOp::NotEqual | MatchOp::NotIn | MatchOp::IsNotEmpty | MatchOp::NotMatches
        )
    }

    /// True for the operators that take a literal.
    pub(crate) fn takes_value(self) -> bool {
        !matches!(self, MatchOp::IsEmpty | MatchOp::IsNotEmpty)
    }
}

/// A single match: selector, operator, literal.
#[derive(Debug, Clone)]
pub(crate) struct Match {
    /// Field names and map keys, outermost first.
    pub(crate) selector: Vec<String>,
    /// The comparison.
    pub(crate) op: MatchOp,
    /// The literal as written (unquoted); empty for `is empty`/`is not empty`.
    pub(crate) value: String,
    /// The compiled literal of `matches`/`not matches`.
    pub(crate) regex: Option<Regex>,
}

impl Match {
    /// The selector as bexpr prints it: parts joined by `.`.
    pub(crate) fn selector_text(&self) -> String {
        self.selector.join(".")
    }
}
