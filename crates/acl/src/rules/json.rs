//! JSON rules text → a JSON value, keeping repeated keys as Consul's HCL 1
//! JSON decoder does: a key given again with an object value (a resource
//! such as `"key"`, or one label such as `"a/"`) adds a block — the values
//! become a list, as repeated HCL blocks do — while a repeated key with any
//! other value (`"operator"`, `"policy"`) keeps the last one. A plain JSON
//! parse keeps only the last of each key, so
//! `{"key_prefix": {"a/": {"policy": "deny"}, "a/": {"policy": "write"}}}`
//! would grant write where Consul merges the two rules and denies.

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// Parses one JSON document (nothing may follow it). Nesting is bounded by
/// serde_json's recursion limit, so deep input is an error, not a crash.
pub(super) fn parse_json(text: &str) -> Result<Value, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = RulesValue.deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

/// Adds `value` under `key` the way HCL 1 does for repeated keys.
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

/// Deserialises any JSON value, objects through [`insert`].
#[derive(Clone, Copy)]
struct RulesValue;

impl<'de> DeserializeSeed<'de> for RulesValue {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for RulesValue {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(v) = seq.next_element_seed(RulesValue)? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::new();
        while let Some(key) = access.next_key::<String>()? {
            let value = access.next_value_seed(RulesValue)?;
            insert(&mut map, key, value);
        }
        Ok(Value::Object(map))
    }
}

#[cfg(test)]
mod tests {
    use super::parse_json;
    use serde_json::json;

    #[test]
    fn repeated_blocks_accumulate_and_repeated_scalars_keep_the_last() {
        let v = parse_json(
            r#"{"key": {"a": {"policy": "deny"}, "a": {"policy": "write", "policy": "read"}},
                "key": {"b": {"policy": "read"}}, "operator": "deny", "operator": "read"}"#,
        )
        .unwrap();
        assert_eq!(
            v,
            json!({
                "key": [
                    {"a": [{"policy": "deny"}, {"policy": "read"}]},
                    {"b": {"policy": "read"}}
                ],
                "operator": "read"
            })
        );
    }

    #[test]
    fn trailing_text_and_deep_nesting_are_errors() {
        assert!(parse_json(r#"{"a": 1} x"#).is_err());
        assert!(parse_json(&"[".repeat(10_000)).is_err());
        assert_eq!(parse_json("1.5").unwrap(), json!(1.5));
    }
}
