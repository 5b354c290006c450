//! Results in the shape Go's `api` package gives them, which is what `consul watch` prints
//! and hands to handlers: KV entries become `api.KVPair`s (fields `Key, CreateIndex,
//! ModifyIndex, LockIndex, Flags, Value, Session`, a single key as one object, not a list).
//! Other types' HTTP bodies already have their `api` shape and pass through untouched.

use serde::{Deserialize, Serialize};

use crate::ApiError;

/// Go's `api.KVPair`, field for field.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
struct KvPair {
    key: String,
    create_index: u64,
    modify_index: u64,
    lock_index: u64,
    flags: u64,
    value: Option<String>,
    session: String,
}

fn entries(raw: &[u8]) -> Result<Vec<KvPair>, ApiError> {
    serde_json::from_slice::<Option<Vec<KvPair>>>(raw)
        .map(Option::unwrap_or_default)
        .map_err(|e| ApiError::Decode(format!("Failed to decode response: {e}")))
}

fn encode<T: Serialize>(v: &T) -> Result<Vec<u8>, ApiError> {
    serde_json::to_vec(v).map_err(|e| ApiError::Decode(e.to_string()))
}

/// `GET /v1/kv/<key>` → the one pair, or `null` when the key does not exist.
pub fn kv_pair(raw: Option<Vec<u8>>) -> Result<Option<Vec<u8>>, ApiError> {
    let Some(raw) = raw else { return Ok(None) };
    match entries(&raw)?.into_iter().next() {
        Some(p) => encode(&p).map(Some),
        None => Ok(None),
    }
}

/// `GET /v1/kv/<prefix>?recurse` → the pairs, or `null` when none exist.
pub fn kv_pairs(raw: Option<Vec<u8>>) -> Result<Option<Vec<u8>>, ApiError> {
    let Some(raw) = raw else { return Ok(None) };
    encode(&entries(&raw)?).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kv_entries_take_the_api_field_order() {
        let http = br#"[{"LockIndex":0,"Key":"foo","Flags":0,"Value":"YmFy","CreateIndex":2,"ModifyIndex":3}]"#;
        let one = kv_pair(Some(http.to_vec())).unwrap().unwrap();
        assert_eq!(
            String::from_utf8(one).unwrap(),
            r#"{"Key":"foo","CreateIndex":2,"ModifyIndex":3,"LockIndex":0,"Flags":0,"Value":"YmFy","Session":""}"#
        );
        assert!(kv_pair(None).unwrap().is_none());
        let many = kv_pairs(Some(http.to_vec())).unwrap().unwrap();
        assert!(many.starts_with(br#"[{"Key":"foo""#));
    }
}
