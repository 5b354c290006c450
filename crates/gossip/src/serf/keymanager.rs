//! The querying side of key management (serf's `keymanager.go`): build a
//! key query's payload, and fold the members' answers into a
//! [`KeyResponse`].

use super::internal_query::KeyOp;
use super::query_msg::{KeyRequest, NodeKeyResponse};
use base64::Engine;
use std::collections::BTreeMap;

/// Why a key query could not be started.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyManagerError {
    /// The key is not valid base64.
    #[error("{0}")]
    Base64(String),
}

/// The payload of a key query: `keyRequest{Key}` with the key decoded
/// from base64 (empty for list-keys).
pub fn key_request_payload(op: KeyOp, key: &str) -> Result<Vec<u8>, KeyManagerError> {
    let raw = if op == KeyOp::List {
        Vec::new()
    } else {
        base64::engine::general_purpose::STANDARD
            .decode(key)
            .map_err(|e| KeyManagerError::Base64(go_base64_error(key, &e)))?
    };
    Ok(KeyRequest { key: raw }.encode())
}

/// Go's `base64.CorruptInputError` text for a bad key.
fn go_base64_error(key: &str, e: &base64::DecodeError) -> String {
    let offset = match e {
        base64::DecodeError::InvalidByte(at, _) => *at,
        base64::DecodeError::InvalidLastSymbol(at, _) => *at,
        _ => key.len(),
    };
    format!("illegal base64 data at input byte {offset}")
}

/// Aggregated answers to a key query (serf's `KeyResponse`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyResponse {
    /// Node name → error or warning message.
    pub messages: BTreeMap<String, String>,
    /// Members memberlist knew when the query started.
    pub num_nodes: usize,
    /// Answers received.
    pub num_resp: usize,
    /// Answers reporting failure (or undecodable).
    pub num_err: usize,
    /// Base64 key → how many members have it installed.
    pub keys: BTreeMap<String, usize>,
    /// Base64 primary key → how many members use it.
    pub primary_keys: BTreeMap<String, usize>,
}

impl KeyResponse {
    /// An empty response expecting `num_nodes` answers.
    pub fn new(num_nodes: usize) -> Self {
        KeyResponse {
            num_nodes,
            ..Default::default()
        }
    }

    /// Fold in one member's answer (serf's `streamKeyResp`); returns true
    /// once every member has answered.
    pub fn add(&mut self, from: &str, payload: &[u8]) -> bool {
        self.num_resp += 1;
        match NodeKeyResponse::decode(payload) {
            None => {
                let why = if payload.first() == Some(&8) {
                    "Failed to decode key query response"
                } else {
                    "Invalid key query response type"
                };
                self.messages
                    .insert(from.to_string(), format!("{why}: {payload:?}"));
                self.num_err += 1;
            }
            Some(r) => {
                if !r.result {
                    self.messages.insert(from.to_string(), r.message.clone());
                    self.num_err += 1;
                } else if !r.message.is_empty() {
                    tracing::warn!("serf: {}", r.message);
                    self.messages.insert(from.to_string(), r.message.clone());
                }
                for k in r.keys {
                    *self.keys.entry(k).or_default() += 1;
                }
                *self.primary_keys.entry(r.primary_key).or_default() += 1;
            }
        }
        self.num_resp == self.num_nodes
    }

    /// The error serf's `handleKeyRequest` returns with the response, if
    /// any (`N/M nodes reported failure` / `success`).
    pub fn error(&self) -> Option<String> {
        if self.num_err != 0 {
            Some(format!(
                "{}/{} nodes reported failure",
                self.num_err, self.num_nodes
            ))
        } else if self.num_resp != self.num_nodes {
            Some(format!(
                "{}/{} nodes reported success",
                self.num_resp, self.num_nodes
            ))
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aggregates_like_serf() {
        let mut r = KeyResponse::new(3);
        let ok = NodeKeyResponse {
            result: true,
            keys: vec!["A".into(), "B".into()],
            primary_key: "A".into(),
            ..Default::default()
        };
        assert!(!r.add("a", &ok.encode()));
        let bad = NodeKeyResponse {
            message: "Keyring is empty (encryption not enabled)".into(),
            ..Default::default()
        };
        assert!(!r.add("b", &bad.encode()));
        assert_eq!(r.error().unwrap(), "1/3 nodes reported failure");
        assert!(r.add("c", b"\x05junk"));
        assert_eq!(r.keys["A"], 1);
        assert_eq!(r.primary_keys["A"], 1);
        assert_eq!(r.primary_keys[""], 1);
        assert_eq!(r.num_err, 2);
        assert!(r.messages["c"].starts_with("Invalid key query response type"));

        let mut r = KeyResponse::new(2);
        r.add("a", &ok.encode());
        assert_eq!(r.error().unwrap(), "1/2 nodes reported success");
    }

    #[test]
    fn payloads() {
        let p = key_request_payload(KeyOp::Install, "AAAAAAAAAAAAAAAAAAAAAA==").unwrap();
        assert_eq!(KeyRequest::decode(&p).unwrap().key, vec![0; 16]);
        assert!(key_request_payload(KeyOp::Use, "%%").is_err());
        assert!(key_request_payload(KeyOp::List, "").is_ok());
    }
}
