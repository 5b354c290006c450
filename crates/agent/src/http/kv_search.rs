//! `GET /v1/internal/ui/kv-search`: server-side search over KV keys (and,
//! with `?values`, over values up to [`MAX_SEARCHED_VALUE`] bytes), paged by
//! key so a UI can walk 100 000 matches a page at a time.
//!
//! Parameters: `prefix` (where to search), `q` (case-insensitive substring;
//! empty matches everything), `values` (search values too), `after` (the
//! cursor: the last key of the previous page), `limit` (page size, default
//! 100, at most [`MAX_LIMIT`]). Answer: `{"Matches":[{"Key","In"}],"Next"}`
//! where `In` is `"key"` or `"value"` and `Next` is the cursor of the next
//! page or `null`.
//!
//! Lives under `/v1/internal/ui/` like Consul's other UI-only reads, since no
//! Consul client sends it; `/v1/kv/` stays exactly Consul's.

use axum::routing::get;
use axum::Router;
use consul_server::endpoints::kv::{KeyListRequest, KeyRequest, KvRpc};
use consul_server::rpc::RpcRequest;
use consul_server::QueryMeta;
use serde::Serialize;

use super::respond::{json_with_meta, rpc_err, HttpError, HttpResult};
use super::Ctx;
use crate::agent::Agent;

/// Values larger than this are not searched (their keys still are).
pub const MAX_SEARCHED_VALUE: usize = 64 * 1024;
/// Largest page.
pub const MAX_LIMIT: usize = 1000;
const DEFAULT_LIMIT: usize = 100;

/// The routes of this file.
pub fn routes() -> Router<std::sync::Arc<Agent>> {
    Router::new().route("/v1/internal/ui/kv-search", get(search))
}

/// Where a key matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MatchedIn {
    /// The key contains the query.
    Key,
    /// Only the value does.
    Value,
}

/// One match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Match {
    /// The key.
    pub key: String,
    /// Where the query was found.
    pub r#in: MatchedIn,
}

/// One page of matches.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Page {
    /// Matches, sorted by key.
    pub matches: Vec<Match>,
    /// Cursor for the next page (`after=`), `None` on the last page.
    pub next: Option<String>,
}

/// The pure core: page through `(key, value)` pairs sorted by key.
pub fn page<'a>(
    items: impl Iterator<Item = (&'a str, Option<&'a [u8]>)>,
    query: &str,
    after: &str,
    limit: usize,
) -> Page {
    let q = query.to_lowercase();
    let mut matches = Vec::new();
    let mut next = None;
    for (key, value) in items.filter(|(k, _)| after.is_empty() || *k > after) {
        let found = if q.is_empty() || key.to_lowercase().contains(&q) {
            Some(MatchedIn::Key)
        } else {
            value
                .filter(|v| v.len() <= MAX_SEARCHED_VALUE)
                .and_then(|v| std::str::from_utf8(v).ok())
                .filter(|v| v.to_lowercase().contains(&q))
                .map(|_| MatchedIn::Value)
        };
        if let Some(r#in) = found {
            if matches.len() == limit {
                next = matches.last().map(|m: &Match| m.key.clone());
                break;
            }
            matches.push(Match {
                key: key.to_string(),
                r#in,
            });
        }
    }
    Page { matches, next }
}

/// GET /v1/internal/ui/kv-search
async fn search(ctx: Ctx) -> HttpResult {
    let datacenter = ctx.datacenter.clone();
    let query_options = ctx.query_options()?;
    let prefix = ctx.params.get("prefix").unwrap_or("").to_string();
    let query = ctx.params.get("q").unwrap_or("").to_string();
    let after = ctx.params.get("after").unwrap_or("").to_string();
    let limit = match ctx.params.u64("limit", "limit")? {
        None => DEFAULT_LIMIT,
        Some(0) => return Err(HttpError::bad_request("limit must be at least 1")),
        Some(n) => (n as usize).min(MAX_LIMIT),
    };
    if ctx.params.flag("values") {
        let req = KeyRequest {
            datacenter,
            key: prefix,
            query_options,
        };
        let r = ctx
            .rpc(RpcRequest::Kv(KvRpc::List(req)))
            .await?
            .into_dir_entries()
            .map_err(rpc_err)?;
        let mut entries = r.entries;
        entries.sort_by(|a, b| a.key.cmp(&b.key));
        let items = entries.iter().map(|e| (e.key.as_str(), e.value.as_deref()));
        let meta: QueryMeta = r.query_meta.into();
        return Ok(json_with_meta(
            &page(items, &query, &after, limit),
            &meta,
            ctx.pretty,
        ));
    }
    let req = KeyListRequest {
        datacenter,
        prefix,
        seperator: String::new(),
        query_options,
    };
    let r = ctx
        .rpc(RpcRequest::Kv(KvRpc::ListKeys(req)))
        .await?
        .into_key_list()
        .map_err(rpc_err)?;
    let mut keys = r.keys;
    keys.sort();
    let meta: QueryMeta = r.query_meta.into();
    let items = keys.iter().map(|k| (k.as_str(), None));
    Ok(json_with_meta(
        &page(items, &query, &after, limit),
        &meta,
        ctx.pretty,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kv() -> Vec<(String, Vec<u8>)> {
        (0..25)
            .map(|i| (format!("app/k{i:02}"), format!("value {i}").into_bytes()))
            .chain([("app/x".to_string(), b"Needle here".to_vec())])
            .collect()
    }

    fn items(d: &[(String, Vec<u8>)]) -> impl Iterator<Item = (&str, Option<&[u8]>)> {
        d.iter().map(|(k, v)| (k.as_str(), Some(v.as_slice())))
    }

    #[test]
    fn pages_walk_every_match_once() {
        let d = kv();
        let mut seen = Vec::new();
        let mut after = String::new();
        loop {
            let p = page(items(&d), "k", &after, 10);
            seen.extend(p.matches.iter().map(|m| m.key.clone()));
            match p.next {
                Some(n) => after = n,
                None => break,
            }
        }
        assert_eq!(seen.len(), 25);
        assert_eq!(seen[0], "app/k00");
        assert_eq!(seen[24], "app/k24");
    }

    #[test]
    fn values_match_case_insensitively_and_big_values_are_skipped() {
        let mut d = kv();
        d.push(("app/y".into(), vec![b'n'; MAX_SEARCHED_VALUE + 1]));
        let p = page(items(&d), "NEEDLE", "", 10);
        assert_eq!(
            p.matches,
            vec![Match {
                key: "app/x".into(),
                r#in: MatchedIn::Value
            }]
        );
        let p = page(items(&d), "nnnn", "", 10);
        assert!(p.matches.is_empty());
    }
}
