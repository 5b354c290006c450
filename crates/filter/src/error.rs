//! The one error type of the crate: every message is one line.

use thiserror::Error;

use crate::quote::go_quote;

/// Why an expression was refused, or why evaluating it failed.
///
/// The wording follows go-bexpr's (as Consul 1.10 reports it), so a client
/// that shows Consul's message shows the same words here.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FilterError {
    /// The text is not an expression of the grammar. `line` and `column`
    /// count from 1 (columns in characters), `offset` from 0 (in bytes).
    #[error("{line}:{column} ({offset}): {message}")]
    Syntax {
        /// Line of the failure, from 1.
        line: usize,
        /// Column of the failure in characters, from 1.
        column: usize,
        /// Byte offset of the failure, from 0.
        offset: usize,
        /// What went wrong there (for example `rule "grouping": Unmatched parentheses`).
        message: String,
    },
    /// A selector names a field the schema does not have.
    #[error("Selector {} is not valid", go_quote(.selector))]
    InvalidSelector {
        /// The selector up to and including the unknown part, joined by `.`.
        selector: String,
    },
    /// The operator cannot be used on the selected field's type.
    #[error("Invalid match operator {} for selector {}", go_quote(.operator), go_quote(.selector))]
    InvalidOperator {
        /// The operator's name as bexpr spells it (`Equal`, `In`, `Is Empty`, ...).
        operator: String,
        /// The whole selector, joined by `.`.
        selector: String,
    },
    /// The literal cannot be read as the selected field's type.
    #[error("Failed to coerce value {} for selector {}: {reason}", go_quote(.value), go_quote(.selector))]
    Coerce {
        /// The literal as written (unquoted).
        value: String,
        /// The whole selector, joined by `.`.
        selector: String,
        /// Why, in Go's `strconv` words.
        reason: String,
    },
    /// The literal after `matches` is not a regular expression.
    #[error("Failed to compile regular expression {}: {reason}", go_quote(.pattern))]
    Regex {
        /// The pattern as written.
        pattern: String,
        /// The regex compiler's reason, on one line.
        reason: String,
    },
    /// The document does not have the shape the schema describes: a
    /// selector goes on through a value that has no fields.
    #[error("Value at selector {} with type {kind} does not support nested field selection", go_quote(.selector))]
    Unsupported {
        /// The selector up to the value, joined by `.`.
        selector: String,
        /// The JSON type found there.
        kind: &'static str,
    },
    /// A value handed to [`crate::Filter::retain`] or
    /// [`crate::Filter::matches_item`] could not be turned into JSON.
    #[error("Failed to serialize value for filtering: {0}")]
    Serialize(String),
}
