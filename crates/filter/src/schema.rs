//! The shape of the data a filter runs over, for bexpr's parse-time checks:
//! every selector must name a field, every operator must suit the field's
//! type, every literal must read as that type.

use std::collections::BTreeMap;

use crate::ast::{Match, MatchOp};
use crate::coerce::{parse_bool, parse_float, parse_int, parse_uint};
use crate::FilterError;

/// The type of a field (or of the whole document), as bexpr derives it from
/// a Go type.
///
/// What each type allows, as in bexpr:
///
/// | type | operators | further selection |
/// | --- | --- | --- |
/// | `String` | `==` `!=` `in`/`contains` `matches` (and negations) | none |
/// | `Bool`, `Int`, `Uint`, `Float` | `==` `!=` | none |
/// | `List` of a scalar | `in`/`contains`, `is empty` (and negations) | none |
/// | `List` of anything else | `is empty`, `is not empty` | the element's fields (any element may match) |
/// | `Map` | `in`/`contains` on keys, `is empty` (and negations) | any key, then the value's type |
/// | `Struct` | none | its fields |
/// | `Opaque` | none | none |
#[derive(Debug, Clone, PartialEq)]
pub enum Schema {
    /// A Go `string`.
    String,
    /// A Go `bool`; literals read as `strconv.ParseBool` does (`true`, `T`, `1`, ...).
    Bool,
    /// A signed Go integer; literals read as `strconv.ParseInt(_, 0, 64)`.
    Int,
    /// An unsigned Go integer (indexes, for example); literals read as `strconv.ParseUint`.
    Uint,
    /// A Go float.
    Float,
    /// A slice or array of the element type.
    List(Box<Schema>),
    /// A map with string keys and values of this type.
    Map(Box<Schema>),
    /// A struct: its selectable fields by name (the name is also the JSON key).
    Struct(BTreeMap<String, Schema>),
    /// A field that exists but cannot be filtered on (bexpr's unsupported
    /// types: interfaces, maps with non-string keys, ...).
    Opaque,
}

impl Schema {
    /// A list of `element`.
    pub fn list(element: Schema) -> Schema {
        Schema::List(Box::new(element))
    }

    /// A string-keyed map of `value`.
    pub fn map(value: Schema) -> Schema {
        Schema::Map(Box::new(value))
    }

    /// A struct with these fields.
    pub fn structure<K: Into<String>>(fields: impl IntoIterator<Item = (K, Schema)>) -> Schema {
        Schema::Struct(fields.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// The zero value of the type, as Go's JSON encoding shows it: what a
    /// field absent from (or null in) a document stands for.
    pub(crate) fn zero(&self) -> serde_json::Value {
        use serde_json::Value;
        match self {
            Schema::String => Value::String(String::new()),
            Schema::Bool => Value::Bool(false),
            Schema::Int | Schema::Uint | Schema::Float => Value::from(0),
            Schema::List(_) => Value::Array(Vec::new()),
            Schema::Map(_) | Schema::Struct(_) => Value::Object(Default::default()),
            Schema::Opaque => Value::Null,
        }
    }

    fn is_scalar(&self) -> bool {
        matches!(
            self,
            Schema::String | Schema::Bool | Schema::Int | Schema::Uint | Schema::Float
        )
    }

    /// What the next selector part may name under this type.
    fn children(&self) -> Children<'_> {
        match self {
            Schema::Struct(fields) => Children::Fields(fields),
            Schema::Map(value) if **value != Schema::Opaque => Children::AnyKey(value),
            Schema::List(element) => element.children(),
            _ => Children::None,
        }
    }

    /// The operators bexpr allows on a field of this type.
    fn allows(&self, op: MatchOp) -> bool {
        use MatchOp::*;
        match self {
            Schema::String => matches!(op, Equal | NotEqual | In | NotIn | Matches | NotMatches),
            Schema::Bool | Schema::Int | Schema::Uint | Schema::Float => {
                matches!(op, Equal | NotEqual)
            }
            Schema::List(element) if element.is_scalar() => {
                matches!(op, In | NotIn | IsEmpty | IsNotEmpty)
            }
            Schema::List(_) => matches!(op, IsEmpty | IsNotEmpty),
            Schema::Map(_) => matches!(op, In | NotIn | IsEmpty | IsNotEmpty),
            Schema::Struct(_) | Schema::Opaque => false,
        }
    }

    /// Check that `value` reads as this type's literal (a list's element
    /// type, a map's key type).
    fn coerce(&self, value: &str) -> Result<(), String> {
        match self {
            Schema::Bool => parse_bool(value).map(drop),
            Schema::Int => parse_int(value).map(drop),
            Schema::Uint => parse_uint(value).map(drop),
            Schema::Float => parse_float(value).map(drop),
            Schema::List(element) if element.is_scalar() => element.coerce(value),
            _ => Ok(()),
        }
    }
}

enum Children<'a> {
    Fields(&'a BTreeMap<String, Schema>),
    AnyKey(&'a Schema),
    None,
}

/// Check one match against `root` (bexpr's validation): the selector names
/// fields, the operator suits the field, the literal reads as its type.
pub(crate) fn validate_match(m: &Match, root: &Schema) -> Result<(), FilterError> {
    let mut current = root;
    for (i, part) in m.selector.iter().enumerate() {
        current = match current.children() {
            Children::Fields(fields) => fields.get(part),
            Children::AnyKey(value) => Some(value),
            Children::None => None,
        }
        .ok_or_else(|| FilterError::InvalidSelector {
            selector: m.selector[..=i].join("."),
        })?;
    }
    if !current.allows(m.op) {
        return Err(FilterError::InvalidOperator {
            operator: m.op.name().to_owned(),
            selector: m.selector_text(),
        });
    }
    if m.op.takes_value() {
        current
            .coerce(&m.value)
            .map_err(|reason| FilterError::Coerce {
                value: m.value.clone(),
                selector: m.selector_text(),
                reason,
            })?;
    }
    Ok(())
}

/// Where a selector part leads under `schema`: the schema of the field or
/// map value, and whether it is a map (absent keys are not zero values).
pub(crate) fn step<'a>(schema: &'a Schema, part: &str) -> Option<(&'a Schema, bool)> {
    match schema {
        Schema::Struct(fields) => fields.get(part).map(|s| (s, false)),
        Schema::Map(value) => Some((value, true)),
        _ => None,
    }
}
