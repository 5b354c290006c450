//! Case-insensitive JSON decoding of request bodies, as Go's `encoding/json` does.
//!
//! Consul's clients send `{"name": .., "ttl": ..}` for struct fields `Name`,
//! `TTL`; Go matches struct field names ignoring case (an exact match wins).
//! [`from_slice_ci`] does the same for serde types: it parses into a
//! [`serde_json::Value`] and then deserializes through [`CiDeserializer`],
//! which renames object keys to the struct's own field names at every nesting
//! level. Map keys (e.g. `Meta: HashMap<String, String>`) keep their case,
//! and unknown keys are passed through unchanged, so
//! `#[serde(deny_unknown_fields)]` still works.
//!
//! Limitation: fields of `#[serde(flatten)]`-ed structs and untagged enums
//! are buffered by serde without their field list, so they match exactly.

use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};
use serde::forward_to_deserialize_any;
use serde_json::{Map, Value};

/// Decodes `bytes` into `T`, matching struct field names case-insensitively
/// like Go's `encoding/json`.
pub fn from_slice_ci<T: de::DeserializeOwned>(bytes: &[u8]) -> Result<T, serde_json::Error> {
    let value: Value = serde_json::from_slice(bytes)?;
    from_value_ci(value)
}

/// Like [`from_slice_ci`] but from an already parsed [`Value`].
pub fn from_value_ci<T: de::DeserializeOwned>(value: Value) -> Result<T, serde_json::Error> {
    T::deserialize(CiDeserializer(value))
}

/// A deserializer over a [`Value`] that maps object keys onto struct field
/// names ignoring ASCII case, recursively.
pub struct CiDeserializer(pub Value);

/// Renames the keys of `map` to the member of `fields` they match: an exact
/// match first, else the first field equal ignoring ASCII case, else the
/// first field equal ignoring case and underscores (the snake_case spellings
/// Consul's request decoder translates: `tagged_addresses`, `service_id`,
/// `deregister_critical_service_after`…). When two keys land on the same
/// field the later one wins, as in Go.
///
/// A `null` value is dropped, so the field is absent: Go's `encoding/json`
/// writes `null` for every nil slice, map and pointer, and Consul reads it as
/// the zero value.
fn remap_keys(map: Map<String, Value>, fields: &[&str]) -> Vec<(String, Value)> {
    let mut out: Vec<(String, Value)> = Vec::with_capacity(map.len());
    for (key, value) in map {
        if value.is_null() {
            continue;
        }
        let name = if fields.contains(&key.as_str()) {
            key
        } else if let Some(f) = fields.iter().find(|f| f.eq_ignore_ascii_case(&key)) {
            (*f).to_string()
        } else if let Some(f) = fields.iter().find(|f| eq_ignoring_underscores(f, &key)) {
            (*f).to_string()
        } else {
            key
        };
        match out.iter_mut().find(|(k, _)| *k == name) {
            Some(slot) => slot.1 = value,
            None => out.push((name, value)),
        }
    }
    out
}

/// Whether `a` and `b` are equal ignoring ASCII case and `_`.
fn eq_ignoring_underscores(a: &str, b: &str) -> bool {
    let mut a = a.bytes().filter(|c| *c != b'_');
    let mut b = b.bytes().filter(|c| *c != b'_');
    loop {
        match (a.next(), b.next()) {
            (None, None) => return true,
            (Some(x), Some(y)) if x.eq_ignore_ascii_case(&y) => {}
            _ => return false,
        }
    }
}

impl<'de> de::Deserializer<'de> for CiDeserializer {
    type Error = serde_json::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::Object(map) => visitor.visit_map(CiMapAccess::new(map.into_iter().collect())),
            Value::Array(items) => visitor.visit_seq(CiSeqAccess(items.into_iter())),
            other => other.deserialize_any(visitor),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            other => visitor.visit_some(CiDeserializer(other)),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::Object(map) => visitor.visit_map(CiMapAccess::new(remap_keys(map, fields))),
            Value::Array(items) => visitor.visit_seq(CiSeqAccess(items.into_iter())),
            other => other.deserialize_struct(name, fields, visitor),
        }
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::Object(map) => visitor.visit_map(CiMapAccess::new(map.into_iter().collect())),
            other => other.deserialize_map(visitor),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::Array(items) => visitor.visit_seq(CiSeqAccess(items.into_iter())),
            other => other.deserialize_seq(visitor),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::Object(map) if map.len() == 1 => {
                let Some((variant, value)) = map.into_iter().next() else {
                    return Err(de::Error::custom("empty enum object"));
                };
                visitor.visit_enum(CiEnumAccess { variant, value })
            }
            other => other.deserialize_enum(name, variants, visitor),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_unit()
    }

    // Scalars contain nothing to rename: let serde_json's Value handle them.
    fn deserialize_bool<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Self::Error> {
        self.0.deserialize_bool(v)
    }
    fn deserialize_i8<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Self::Error> {
        self.0.deserialize_i8(v)
    }
    fn deserialize_i16<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Self::Error> {
        self.0.deserialize_i16(v)
    }
    fn deserialize_i32<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Self::Error> {
        self.0.deserialize_i32(v)
    }
    fn deserialize_i64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Self::Error> {
        self.0.deserialize_i64(v)
    }
    fn deserialize_i128<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Self::Error> {
        self.0.deserialize_i128(v)
    }
    fn deserialize_u8<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Self::Error> {
        self.0.deserialize_u8(v)
    }
    fn deserialize_u16<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Self::Error> {
        self.0.deserialize_u16(v)
    }
    fn deserialize_u32<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Self::Error> {
        self.0.deserialize_u32(v)
    }
    fn deserialize_u64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Self::Error> {
        self.0.deserialize_u64(v)
    }
    fn deserialize_u128<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Self::Error> {
        self.0.deserialize_u128(v)
    }
    fn deserialize_f32<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Self::Error> {
        self.0.deserialize_f32(v)
    }
    fn deserialize_f64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Self::Error> {
        self.0.deserialize_f64(v)
    }
    fn deserialize_char<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Self::Error> {
        self.0.deserialize_char(v)
    }
    fn deserialize_str<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Self::Error> {
        self.0.deserialize_str(v)
    }
    fn deserialize_string<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Self::Error> {
        self.0.deserialize_string(v)
    }
    fn deserialize_bytes<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Self::Error> {
        self.0.deserialize_bytes(v)
    }
    fn deserialize_byte_buf<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Self::Error> {
        self.0.deserialize_byte_buf(v)
    }
    fn deserialize_unit<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Self::Error> {
        self.0.deserialize_unit(v)
    }
    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        v: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.deserialize_unit_struct(name, v)
    }
    fn deserialize_identifier<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Self::Error> {
        self.0.deserialize_identifier(v)
    }
}

impl<'de> IntoDeserializer<'de, serde_json::Error> for CiDeserializer {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

/// Walks array elements, each wrapped in a [`CiDeserializer`].
struct CiSeqAccess(std::vec::IntoIter<Value>);

impl<'de> de::SeqAccess<'de> for CiSeqAccess {
    type Error = serde_json::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Self::Error> {
        self.0
            .next()
            .map(|v| seed.deserialize(CiDeserializer(v)))
            .transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

/// Walks object entries: keys as [`KeyDeserializer`], values wrapped in a
/// [`CiDeserializer`].
struct CiMapAccess {
    entries: std::vec::IntoIter<(String, Value)>,
    pending: Option<Value>,
}

impl CiMapAccess {
    fn new(entries: Vec<(String, Value)>) -> Self {
        Self {
            entries: entries.into_iter(),
            pending: None,
        }
    }
}

impl<'de> de::MapAccess<'de> for CiMapAccess {
    type Error = serde_json::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Self::Error> {
        match self.entries.next() {
            Some((key, value)) => {
                self.pending = Some(value);
                seed.deserialize(KeyDeserializer(key)).map(Some)
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, Self::Error> {
        let value = self
            .pending
            .take()
            .ok_or_else(|| de::Error::custom("value requested before key"))?;
        seed.deserialize(CiDeserializer(value))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// An object key. Like serde_json, numeric map keys (`HashMap<u64, _>`) are
/// parsed from the string.
struct KeyDeserializer(String);

macro_rules! parse_key {
    ($($method:ident => $visit:ident: $ty:ty),* $(,)?) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
                match self.0.parse::<$ty>() {
                    Ok(n) => visitor.$visit(n),
                    Err(_) => visitor.visit_string(self.0),
                }
            }
        )*
    };
}

impl<'de> de::Deserializer<'de> for KeyDeserializer {
    type Error = serde_json::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_string(self.0)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_enum(self.0.into_deserializer())
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_some(self)
    }

    parse_key! {
        deserialize_i8 => visit_i8: i8,
        deserialize_i16 => visit_i16: i16,
        deserialize_i32 => visit_i32: i32,
        deserialize_i64 => visit_i64: i64,
        deserialize_u8 => visit_u8: u8,
        deserialize_u16 => visit_u16: u16,
        deserialize_u32 => visit_u32: u32,
        deserialize_u64 => visit_u64: u64,
        deserialize_bool => visit_bool: bool,
    }

    forward_to_deserialize_any! {
        i128 u128 f32 f64 char str string bytes byte_buf unit unit_struct
        seq tuple tuple_struct map struct identifier ignored_any
    }
}

/// An externally tagged enum `{"Variant": content}` with the content wrapped.
struct CiEnumAccess {
    variant: String,
    value: Value,
}

impl<'de> de::EnumAccess<'de> for CiEnumAccess {
    type Error = serde_json::Error;
    type Variant = CiVariantAccess;

    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, Self::Variant), Self::Error> {
        let variant = seed.deserialize(KeyDeserializer(self.variant))?;
        Ok((variant, CiVariantAccess(self.value)))
    }
}

/// The content of an externally tagged enum variant.
struct CiVariantAccess(Value);

impl<'de> de::VariantAccess<'de> for CiVariantAccess {
    type Error = serde_json::Error;

    fn unit_variant(self) -> Result<(), Self::Error> {
        match self.0 {
            Value::Null => Ok(()),
            other => Err(de::Error::invalid_type(
                de::Unexpected::Other(&other.to_string()),
                &"unit variant",
            )),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(
        self,
        seed: T,
    ) -> Result<T::Value, Self::Error> {
        seed.deserialize(CiDeserializer(self.0))
    }

    fn tuple_variant<V: Visitor<'de>>(
        self,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        de::Deserializer::deserialize_tuple(CiDeserializer(self.0), len, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        de::Deserializer::deserialize_struct(CiDeserializer(self.0), "", fields, visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use std::collections::HashMap;

    #[derive(Deserialize, Debug, PartialEq, Default)]
    #[serde(rename_all = "PascalCase")]
    struct Check {
        #[serde(rename = "CheckID")]
        check_id: String,
        #[serde(rename = "TTL")]
        ttl: Option<String>,
    }

    #[derive(Deserialize, Debug, PartialEq, Default)]
    #[serde(rename_all = "PascalCase")]
    struct Service {
        #[serde(rename = "ID")]
        id: String,
        name: String,
        #[serde(default)]
        tags: Vec<String>,
        #[serde(default)]
        meta: HashMap<String, String>,
        check: Option<Check>,
        #[serde(default)]
        checks: Vec<Check>,
        #[serde(default)]
        by_name: HashMap<String, Check>,
    }

    #[test]
    fn matches_fields_ignoring_case_at_every_level() {
        let body = br#"{
            "id": "web1", "NAME": "web", "tags": ["a"],
            "meta": {"Version": "1", "lower": "x"},
            "check": {"checkid": "c1", "ttl": "10s"},
            "Checks": [{"CHECKID": "c2"}, {"checkId": "c3", "Ttl": "5s"}],
            "byname": {"MixedKey": {"checkid": "c4"}}
        }"#;
        let s: Service = from_slice_ci(body).unwrap();
        assert_eq!(s.id, "web1");
        assert_eq!(s.name, "web");
        assert_eq!(s.tags, vec!["a"]);
        assert_eq!(s.meta.get("Version").map(String::as_str), Some("1"));
        assert_eq!(s.meta.get("lower").map(String::as_str), Some("x"));
        assert!(!s.meta.contains_key("version"));
        let check = s.check.unwrap();
        assert_eq!(check.check_id, "c1");
        assert_eq!(check.ttl.as_deref(), Some("10s"));
        assert_eq!(s.checks[0].check_id, "c2");
        assert_eq!(s.checks[1].ttl.as_deref(), Some("5s"));
        assert_eq!(s.by_name["MixedKey"].check_id, "c4");
    }

    #[test]
    fn exact_match_wins_and_later_duplicates_override() {
        #[derive(Deserialize, Debug)]
        struct Two {
            #[serde(rename = "name")]
            lower: Option<String>,
            #[serde(rename = "Name")]
            upper: Option<String>,
        }
        let t: Two = from_slice_ci(br#"{"name": "l", "Name": "u"}"#).unwrap();
        assert_eq!(t.lower.as_deref(), Some("l"));
        assert_eq!(t.upper.as_deref(), Some("u"));

        let c: Check = from_slice_ci(br#"{"CheckID": "a", "checkid": "b"}"#).unwrap();
        assert_eq!(c.check_id, "b");
    }

    #[test]
    fn unknown_fields_pass_through() {
        #[derive(Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        struct Strict {
            #[serde(rename = "Key")]
            _key: String,
        }
        assert!(from_slice_ci::<Strict>(br#"{"key": "k"}"#).is_ok());
        let err = from_slice_ci::<Strict>(br#"{"key": "k", "Bogus": 1}"#).unwrap_err();
        assert!(err.to_string().contains("Bogus"), "{err}");
        // Without deny_unknown_fields they are ignored.
        assert!(from_slice_ci::<Check>(br#"{"checkid": "a", "Other": {"x": [1]}}"#).is_ok());
    }

    #[test]
    fn nulls_options_numbers_and_enums() {
        #[derive(Deserialize, Debug, PartialEq)]
        enum Op {
            Set {
                #[serde(rename = "Key")]
                key: String,
            },
            Delete(String),
            Noop,
        }
        #[derive(Deserialize, Debug)]
        #[serde(rename_all = "PascalCase")]
        struct Body {
            index: u64,
            weights: Option<HashMap<u32, f64>>,
            ops: Vec<Op>,
            inner: Option<Check>,
        }
        let b: Body = from_slice_ci(
            br#"{"index": 7, "weights": {"1": 0.5}, "inner": null,
                 "ops": [{"Set": {"key": "k"}}, {"Delete": "d"}, "Noop"]}"#,
        )
        .unwrap();
        assert_eq!(b.index, 7);
        assert_eq!(b.weights.unwrap()[&1], 0.5);
        assert!(b.inner.is_none());
        assert_eq!(
            b.ops,
            vec![
                Op::Set { key: "k".into() },
                Op::Delete("d".into()),
                Op::Noop
            ]
        );
    }

    #[test]
    fn null_fields_read_as_absent() {
        #[derive(Deserialize, Debug, Default)]
        #[serde(rename_all = "PascalCase", default)]
        struct Reg {
            name: String,
            port: u16,
            tags: Vec<String>,
            meta: HashMap<String, String>,
            weights: Option<HashMap<String, i64>>,
            check: Check,
            enable_tag_override: bool,
        }
        let r: Reg = from_slice_ci(
            br#"{"Name": "web", "Port": null, "Tags": null, "Meta": null,
                 "Weights": null, "Check": null, "EnableTagOverride": null}"#,
        )
        .unwrap();
        assert_eq!(r.name, "web");
        assert_eq!(r.port, 0);
        assert!(r.tags.is_empty() && r.meta.is_empty() && r.weights.is_none());
        // A nested struct's null fields too; map values keep their nulls' meaning.
        let c: Check = from_slice_ci(br#"{"CheckID": "c", "TTL": null}"#).unwrap();
        assert_eq!(c.ttl, None);
    }

    #[test]
    fn snake_case_keys_match_their_fields() {
        #[derive(Deserialize, Debug, Default)]
        #[serde(rename_all = "PascalCase", default)]
        struct Reg {
            tagged_addresses: HashMap<String, String>,
            enable_tag_override: bool,
            #[serde(rename = "ServiceID")]
            service_id: String,
            #[serde(rename = "TLSSkipVerify")]
            tls_skip_verify: bool,
            #[serde(rename = "H2PingUseTLS")]
            h2ping_use_tls: bool,
        }
        let r: Reg = from_slice_ci(
            br#"{"tagged_addresses": {"lan": "10.0.0.1"}, "enable_tag_override": true,
                 "service_id": "web1", "tls_skip_verify": true, "h2ping_use_tls": true}"#,
        )
        .unwrap();
        assert_eq!(r.tagged_addresses["lan"], "10.0.0.1");
        assert!(r.enable_tag_override && r.tls_skip_verify && r.h2ping_use_tls);
        assert_eq!(r.service_id, "web1");
        // Underscores never make a key match a field it does not spell.
        assert!(!eq_ignoring_underscores("ServiceID", "service_name"));
    }

    #[test]
    fn type_errors_are_reported() {
        assert!(from_slice_ci::<Check>(br#"{"checkid": 5}"#).is_err());
        assert!(from_slice_ci::<Check>(b"not json").is_err());
    }
}
