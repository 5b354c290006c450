//! `/v1/event/*`: fire user events and list the ones the agent received.

use reqwest::Method;
use serde::{Deserialize, Serialize};

use crate::client::{escape_path, Params};
use crate::{ApiError, Client, QueryMeta, QueryOptions, WriteOptions};

/// A user event (Go's `api.UserEvent`); `payload` is base64 in JSON, `null` when empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct UserEvent {
    /// Its id (set by the agent that fired it).
    #[serde(rename = "ID")]
    pub id: String,
    /// Name.
    pub name: String,
    /// Payload bytes.
    #[serde(with = "payload")]
    pub payload: Vec<u8>,
    /// Regular expression on node names.
    pub node_filter: String,
    /// Regular expression on service ids.
    pub service_filter: String,
    /// Regular expression on tags (with a service filter).
    pub tag_filter: String,
    /// Format version.
    pub version: i64,
    /// Serf event clock when received.
    #[serde(rename = "LTime")]
    pub ltime: u64,
}

mod payload {
    use base64::Engine;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        if v.is_empty() {
            s.serialize_none()
        } else {
            s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(v))
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = Option::<String>::deserialize(d)?.unwrap_or_default();
        base64::engine::general_purpose::STANDARD
            .decode(s)
            .map_err(serde::de::Error::custom)
    }
}

/// Consul's `uuidToUint64` (Go's `Event.IDToIndex`): the index an event list reports
/// when `id` is its last event.
pub fn id_to_index(id: &str) -> u64 {
    let hex: String = id.chars().filter(|c| *c != '-').collect();
    if hex.len() != 32 {
        return 0;
    }
    let (lo, hi) = hex.split_at(16);
    match (u64::from_str_radix(lo, 16), u64::from_str_radix(hi, 16)) {
        (Ok(a), Ok(b)) => a ^ b,
        _ => 0,
    }
}

/// The event endpoints of a [`Client`].
#[derive(Debug, Clone, Copy)]
pub struct Event<'a> {
    pub(crate) c: &'a Client,
}

impl Event<'_> {
    /// Fire `ev` (its name, payload and filters); answers the new event's id.
    pub async fn fire(&self, ev: &UserEvent, w: &WriteOptions) -> Result<String, ApiError> {
        let mut params: Params = Vec::new();
        for (k, v) in [
            ("node", &ev.node_filter),
            ("service", &ev.service_filter),
            ("tag", &ev.tag_filter),
        ] {
            if !v.is_empty() {
                params.push((k, v.clone()));
            }
        }
        let body = (!ev.payload.is_empty()).then(|| ev.payload.clone());
        let path = escape_path(&format!("/v1/event/fire/{}", ev.name));
        let fired: UserEvent = self.c.write(Method::PUT, &path, params, w, body).await?;
        Ok(fired.id)
    }

    /// The events the agent received, oldest first (only those named `name` unless "").
    pub async fn list(
        &self,
        name: &str,
        q: &QueryOptions,
    ) -> Result<(Vec<UserEvent>, QueryMeta), ApiError> {
        let mut params: Params = Vec::new();
        if !name.is_empty() {
            params.push(("name", name.to_string()));
        }
        let (v, meta) = self
            .c
            .query::<Option<Vec<UserEvent>>>("/v1/event/list", params, q, false)
            .await?;
        Ok((v.flatten().unwrap_or_default(), meta))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_round_trip_as_consul_writes_it() {
        let j = r#"{"ID":"20f81af6-4018-d409-9c56-6224b520492f","Name":"e","Payload":"aGk=","NodeFilter":"","ServiceFilter":"","TagFilter":"","Version":1,"LTime":5}"#;
        let ev: UserEvent = serde_json::from_str(j).unwrap();
        assert_eq!(ev.payload, b"hi");
        assert_eq!(serde_json::to_string(&ev).unwrap(), j);
        assert_eq!(id_to_index(&ev.id), 13595937172530699558);
    }
}
