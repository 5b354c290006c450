//! Evaluating a parsed expression over a JSON document, with bexpr's rules:
//! a selector through a list is true when any element matches; an absent
//! map key (or, without a schema, an absent field) makes `==`, `in` and
//! `is not empty` false and the other operators true; the literal is read
//! as the selected value's type.

use serde_json::{Number, Value};

use crate::ast::{Expr, Match, MatchOp};
use crate::coerce::{parse_bool, parse_float, parse_int, parse_uint};
use crate::schema::{step, Schema};
use crate::FilterError;

/// Evaluate `expr` over `doc`; `schema` (already checked against `expr`)
/// turns absent struct fields into their zero values.
pub(crate) fn eval(expr: &Expr, doc: &Value, schema: Option<&Schema>) -> Result<bool, FilterError> {
    match expr {
        Expr::And(items) => {
            for e in items {
                if !eval(e, doc, schema)? {
                    return Ok(false);
                }
            }
            Ok(true)
        }
        Expr::Or(items) => {
            for e in items {
                if eval(e, doc, schema)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        Expr::Not(inner) => Ok(!eval(inner, doc, schema)?),
        Expr::Match(m) => select(m, 0, Slot::Present(doc), schema),
    }
}

/// What a selector part found.
#[derive(Clone, Copy)]
enum Slot<'v> {
    /// A value (possibly null).
    Present(&'v Value),
    /// A map without the key: never the zero value.
    Absent,
    /// A struct without the field: its zero value when the schema says
    /// what that is, otherwise absent.
    Zero,
}

fn select(
    m: &Match,
    depth: usize,
    slot: Slot<'_>,
    schema: Option<&Schema>,
) -> Result<bool, FilterError> {
    let zero;
    let value = match slot {
        Slot::Present(v) if !v.is_null() => v,
        Slot::Absent => return Ok(m.op.when_absent()),
        Slot::Present(_) | Slot::Zero => match schema {
            Some(s) if *s != Schema::Opaque => {
                zero = s.zero();
                &zero
            }
            _ => return Ok(m.op.when_absent()),
        },
    };
    if depth == m.selector.len() {
        return apply(m, value);
    }
    match value {
        Value::Array(items) => {
            let element = match schema {
                None => None,
                Some(Schema::List(e)) => Some(&**e),
                Some(_) => return Err(unsupported(m, depth, value)),
            };
            for item in items {
                if select(m, depth, Slot::Present(item), element)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        Value::Object(fields) => {
            let part = &m.selector[depth];
            let Some(schema) = schema else {
                let slot = fields.get(part).map_or(Slot::Absent, Slot::Present);
                return select(m, depth + 1, slot, None);
            };
            let Some((child, is_map)) = step(schema, part) else {
                return Err(unsupported(m, depth, value));
            };
            let slot = match fields.get(part) {
                Some(v) => Slot::Present(v),
                None if is_map => Slot::Absent,
                None => Slot::Zero,
            };
            select(m, depth + 1, slot, Some(child))
        }
        // Without a schema a path through a scalar does not exist.
        _ if schema.is_none() => Ok(m.op.when_absent()),
        _ => Err(unsupported(m, depth, value)),
    }
}

/// The operator applied to the selected value.
fn apply(m: &Match, value: &Value) -> Result<bool, FilterError> {
    let positive = match m.op {
        MatchOp::Equal | MatchOp::NotEqual => equal(m, value)?,
        MatchOp::In | MatchOp::NotIn => contains(m, value)?,
        MatchOp::IsEmpty | MatchOp::IsNotEmpty => match value {
            Value::String(s) => s.is_empty(),
            Value::Array(a) => a.is_empty(),
            Value::Object(o) => o.is_empty(),
            _ => return Err(invalid_operator(m)),
        },
        MatchOp::Matches | MatchOp::NotMatches => match (value, &m.regex) {
            (Value::String(s), Some(re)) => re.is_match(s),
            _ => return Err(invalid_operator(m)),
        },
    };
    Ok(positive != m.op.inverts())
}

/// `==` against a scalar, the literal read as the value's type.
fn equal(m: &Match, value: &Value) -> Result<bool, FilterError> {
    match value {
        Value::String(s) => Ok(*s == m.value),
        Value::Bool(b) => Ok(*b == parse_bool(&m.value).map_err(|r| coerce(m, r))?),
        Value::Number(n) => number_equal(m, n),
        _ => Err(invalid_operator(m)),
    }
}

/// `in`: substring of a string, element of a list, key of a map.
fn contains(m: &Match, value: &Value) -> Result<bool, FilterError> {
    match value {
        Value::String(s) => Ok(s.contains(m.value.as_str())),
        Value::Array(items) => {
            for item in items {
                let hit = match item {
                    Value::Null => false,
                    Value::String(_) | Value::Bool(_) | Value::Number(_) => equal(m, item)?,
                    _ => return Err(invalid_operator(m)),
                };
                if hit {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        Value::Object(map) => Ok(map.contains_key(&m.value)),
        _ => Err(invalid_operator(m)),
    }
}

/// The literal as a number compared with `n`: integers exactly, otherwise
/// as floats.
fn number_equal(m: &Match, n: &Number) -> Result<bool, FilterError> {
    let raw = m.value.as_str();
    if let Ok(i) = parse_int(raw) {
        return Ok(match (n.as_i64(), n.as_u64()) {
            (Some(x), _) => x == i,
            (None, Some(u)) => i >= 0 && u == i as u64,
            _ => n.as_f64() == Some(i as f64),
        });
    }
    if let Ok(u) = parse_uint(raw) {
        return Ok(match n.as_u64() {
            Some(x) => x == u,
            None => n.as_f64() == Some(u as f64),
        });
    }
    match parse_float(raw) {
        Ok(f) => Ok(n.as_f64() == Some(f)),
        Err(reason) => {
            let reason = if n.is_f64() {
                reason
            } else {
                parse_int(raw).err().unwrap_or(reason)
            };
            Err(coerce(m, reason))
        }
    }
}

fn invalid_operator(m: &Match) -> FilterError {
    FilterError::InvalidOperator {
        operator: m.op.name().to_owned(),
        selector: m.selector_text(),
    }
}

fn coerce(m: &Match, reason: String) -> FilterError {
    FilterError::Coerce {
        value: m.value.clone(),
        selector: m.selector_text(),
        reason,
    }
}

fn unsupported(m: &Match, depth: usize, value: &Value) -> FilterError {
    let kind = match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "list",
        Value::Object(_) => "object",
    };
    FilterError::Unsupported {
        selector: m.selector[..depth].join("."),
        kind,
    }
}
