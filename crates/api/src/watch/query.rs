//! One blocking read per watch type (Consul's `api/watch/funcs.go`): the endpoint, its
//! parameters, and the result with the index to block on next.

use crate::client::{escape_path, Params};
use crate::event::{id_to_index, UserEvent};
use crate::{ApiError, Client, QueryOptions};

use super::plan::{Plan, WatchType};
use super::{shape, shape_health};

/// A watch's result: the JSON document as the agent answered it (`null` when the key or
/// prefix does not exist), compared by value to detect a change.
#[derive(Debug, Clone)]
pub struct WatchResult {
    raw: Vec<u8>,
    value: serde_json::Value,
}

impl WatchResult {
    /// A result from the agent's body (`None` = `null`).
    pub fn from_raw(raw: Option<Vec<u8>>) -> Result<WatchResult, ApiError> {
        let raw = match raw {
            Some(r) if !r.iter().all(u8::is_ascii_whitespace) => r,
            _ => b"null".to_vec(),
        };
        let value = serde_json::from_slice(&raw)
            .map_err(|e| ApiError::Decode(format!("Failed to decode response: {e}")))?;
        Ok(WatchResult { raw, value })
    }

    /// The document indented as `consul watch` prints it.
    pub fn pretty(&self) -> Vec<u8> {
        super::json::indent(&self.raw)
    }

    /// The document as a handler reads it on stdin: compact, then a newline.
    pub fn stdin(&self) -> Vec<u8> {
        let mut v = super::json::compact(&self.raw);
        v.push(b'\n');
        v
    }

    /// The decoded value.
    pub fn value(&self) -> &serde_json::Value {
        &self.value
    }
}

impl PartialEq for WatchResult {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

/// Run the watch's read once, blocking on `index` (0 = answer at once). Answers the index
/// to block on next and the result.
pub async fn fetch(
    client: &Client,
    plan: &Plan,
    index: u64,
) -> Result<(u64, WatchResult), ApiError> {
    let q = QueryOptions {
        datacenter: plan.datacenter.clone(),
        token: plan.token.clone(),
        stale: plan.stale,
        index,
        ..Default::default()
    };
    let mut params: Params = Vec::new();
    let (path, allow_404) = match &plan.kind {
        WatchType::Key { key } => {
            let (raw, meta) = client.query_raw(&kv_path(key), params, &q, true).await?;
            return Ok((
                meta.last_index,
                WatchResult::from_raw(shape::kv_pair(raw)?)?,
            ));
        }
        WatchType::KeyPrefix { prefix } => {
            params.push(("recurse", String::new()));
            let (raw, meta) = client.query_raw(&kv_path(prefix), params, &q, true).await?;
            return Ok((
                meta.last_index,
                WatchResult::from_raw(shape::kv_pairs(raw)?)?,
            ));
        }
        WatchType::Services => ("/v1/catalog/services".to_string(), false),
        WatchType::Nodes => ("/v1/catalog/nodes".to_string(), false),
        WatchType::Service {
            service,
            tags,
            passing_only,
        } => {
            for t in tags {
                params.push(("tag", t.clone()));
            }
            if *passing_only {
                params.push(("passing", "1".into()));
            }
            (escape_path(&format!("/v1/health/service/{service}")), false)
        }
        WatchType::Checks { service, state } => {
            if service.is_empty() {
                let state = if state.is_empty() { "any" } else { state };
                (escape_path(&format!("/v1/health/state/{state}")), false)
            } else {
                (escape_path(&format!("/v1/health/checks/{service}")), false)
            }
        }
        WatchType::Event { name } => return events(client, name, &q).await,
    };
    let (raw, meta) = client.query_raw(&path, params, &q, allow_404).await?;
    let raw = match &plan.kind {
        WatchType::Service { .. } => shape_health::service_entries(raw)?,
        WatchType::Checks { .. } => shape_health::checks(raw)?,
        _ => raw,
    };
    Ok((meta.last_index, WatchResult::from_raw(raw)?))
}

fn kv_path(key: &str) -> String {
    escape_path(&format!("/v1/kv/{}", key.trim_start_matches('/')))
}

/// The event list, pruned to the events after the one the last index named.
async fn events(
    client: &Client,
    name: &str,
    q: &QueryOptions,
) -> Result<(u64, WatchResult), ApiError> {
    let (mut list, meta) = client.event().list(name, q).await?;
    if let Some(i) = list.iter().position(|e| id_to_index(&e.id) == q.index) {
        list.drain(..=i);
    }
    let raw =
        serde_json::to_vec::<Vec<UserEvent>>(&list).map_err(|e| ApiError::Decode(e.to_string()))?;
    Ok((meta.last_index, WatchResult::from_raw(Some(raw))?))
}
