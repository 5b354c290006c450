//! Consul's filter expression language: HashiCorp go-bexpr as Consul 1.10
//! uses it for the `?filter=` query parameter and for ACL binding-rule
//! selectors.
//!
//! ```
//! use consul_filter::Filter;
//! use serde_json::json;
//!
//! let filter = Filter::parse(r#"Service.Tags contains "primary" and Service.Meta.env == prod"#)?;
//! let doc = json!({"Service": {"Tags": ["primary", "v1"], "Meta": {"env": "prod"}}});
//! assert!(filter.matches(&doc)?);
//! # Ok::<(), consul_filter::FilterError>(())
//! ```
//!
//! The language:
//!
//! * selectors: `Node`, `Service.Meta.env`, `ServiceMeta["a b"]` (map keys
//!   in brackets may hold any characters);
//! * matches: `S == v`, `S != v`, `v in S`, `v not in S`, `S contains v`,
//!   `S not contains v`, `S is empty`, `S is not empty`, `S matches "re"`,
//!   `S not matches "re"`;
//! * logic: `and`, `or`, `not`, parentheses (`not` binds tightest, then
//!   `and`, then `or`); keywords and selectors are case-sensitive;
//! * literals: `"double"` (Go escapes), `` `raw` ``, numbers, and bare
//!   words (`prod`, `true`, `a.b`) which stand for their own text.
//!
//! The literal is read as the selected value's type (`Port == 8080`,
//! `Enabled == true`). A selector through a list matches when any element
//! does (`Checks.Status == passing`). `in` is substring on strings,
//! membership on lists and key presence on maps. Where a map has no such
//! key — or, without a schema, a document has no such field — `==`, `in`
//! and `is not empty` are false and every other operator is true (bexpr's
//! rule, `matches` included).
//!
//! With a [`Schema`] ([`Filter::parse_with`]; [`consul`] has the ones of
//! Consul's API types) the expression is checked as bexpr checks it against
//! the Go type, with bexpr's messages, and absent struct fields evaluate as
//! their zero values. Without one ([`Filter::parse`]) any selector parses,
//! an absent field is an absent key, `is empty` also applies to strings,
//! and a literal that does not read as the value's type (or an operator
//! the value does not support) is an error from [`Filter::matches`].
//! Consul itself always has the type, so endpoints should use a schema.
//!
//! An empty filter parameter means "no filter" in Consul; [`Filter::parse`]
//! refuses empty text, so callers skip filtering for it. Consul 1.10's
//! `?filter=` endpoints report a refused filter as `Failed to create
//! boolean expression evaluator: <this crate's message>`.

mod ast;
mod coerce;
pub mod consul;
mod error;
mod eval;
mod literal;
mod parser;
mod pattern;
mod quote;
mod schema;

use serde::Serialize;
use serde_json::Value;

pub use error::FilterError;
pub use parser::MAX_NESTING;
pub use schema::Schema;

use ast::{Expr, MatchOp};

/// A parsed (and, with [`Filter::parse_with`], checked) filter expression,
/// ready to evaluate over many documents.
#[derive(Debug, Clone)]
pub struct Filter {
    source: String,
    expr: Expr,
    schema: Option<Schema>,
}

impl Filter {
    /// Parse `expr` without a schema: any selector is accepted, and the
    /// literal is read as the type of whatever value it meets at
    /// evaluation.
    pub fn parse(expr: &str) -> Result<Filter, FilterError> {
        Self::build(expr, None)
    }

    /// Parse `expr` and check it against `schema`, as bexpr checks an
    /// expression against a Go type: unknown selectors (`Selector "Foo" is
    /// not valid`), operators the field's type does not support, and
    /// literals that do not read as the field's type are refused here.
    /// Evaluation then treats fields absent from a document as their zero
    /// values (as Go does for a struct).
    pub fn parse_with(expr: &str, schema: &Schema) -> Result<Filter, FilterError> {
        Self::build(expr, Some(schema))
    }

    fn build(source: &str, schema: Option<&Schema>) -> Result<Filter, FilterError> {
        let mut expr = parser::parse(source)?;
        prepare(&mut expr, schema)?;
        Ok(Filter {
            source: source.to_owned(),
            expr,
            schema: schema.cloned(),
        })
    }

    /// The expression text as given.
    pub fn expression(&self) -> &str {
        &self.source
    }

    /// Whether `doc` (an object with PascalCase keys, as the API types
    /// serialize) satisfies the expression. Errors when the literal cannot
    /// be read as the selected value's type or the operator does not apply
    /// to it (what bexpr refuses at parse time when it knows the type).
    pub fn matches(&self, doc: &Value) -> Result<bool, FilterError> {
        eval::eval(&self.expr, doc, self.schema.as_ref())
    }

    /// [`Filter::matches`] on the JSON form of `item`.
    pub fn matches_item<T: Serialize + ?Sized>(&self, item: &T) -> Result<bool, FilterError> {
        let doc = serde_json::to_value(item).map_err(|e| FilterError::Serialize(e.to_string()))?;
        self.matches(&doc)
    }

    /// The items that satisfy the expression, in their order (bexpr's
    /// `Filter.Execute` over a slice).
    pub fn retain<T: Serialize>(&self, items: Vec<T>) -> Result<Vec<T>, FilterError> {
        let mut kept = Vec::with_capacity(items.len());
        for item in items {
            if self.matches_item(&item)? {
                kept.push(item);
            }
        }
        Ok(kept)
    }
}

/// Check each match against the schema (when there is one) and compile the
/// regular expressions, in the order bexpr does.
fn prepare(expr: &mut Expr, schema: Option<&Schema>) -> Result<(), FilterError> {
    match expr {
        Expr::And(items) | Expr::Or(items) => items.iter_mut().try_for_each(|e| prepare(e, schema)),
        Expr::Not(inner) => prepare(inner, schema),
        Expr::Match(m) => {
            if let Some(schema) = schema {
                schema::validate_match(m, schema)?;
            }
            if matches!(m.op, MatchOp::Matches | MatchOp::NotMatches) {
                let re = pattern::compile(&m.value).map_err(|reason| FilterError::Regex {
                    pattern: m.value.clone(),
                    reason,
                })?;
                m.regex = Some(re);
            }
            Ok(())
        }
    }
}
