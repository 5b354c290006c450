//! `/v1/kv/<key>`: GET (one key, `?recurse`, `?keys` + `?separator`, `?raw`),
//! PUT (`?flags`, `?cas`, `?acquire=<session>`, `?release=<session>`) and DELETE (`?recurse`, `?cas`).

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use consul_server::endpoints::kv::{KeyListRequest, KeyRequest, KvRpc, KvsRequest};
use consul_server::rpc::RpcRequest;
use consul_server::QueryMeta;
use consul_types::kv::{DirEntry, KvOp};

use super::respond::{json, json_with_meta, rpc_err, set_meta, HttpError, HttpResult};
use super::Ctx;

/// A 404 with an empty body that still reports the query meta.
fn not_found(meta: &consul_server::QueryMeta) -> Response {
    let mut resp = Response::new(Body::empty());
    *resp.status_mut() = StatusCode::NOT_FOUND;
    set_meta(&mut resp, meta);
    resp
}

/// GET /v1/kv/<key>
pub async fn get(ctx: Ctx, key: String) -> HttpResult {
    let query_options = ctx.query_options()?;
    let datacenter = ctx.datacenter.clone();
    if ctx.params.has("keys") {
        // Consul also accepts the historical misspelling `seperator`.
        let sep = ctx
            .params
            .get("separator")
            .or_else(|| ctx.params.get("seperator"))
            .unwrap_or("");
        let req = KeyListRequest {
            datacenter,
            prefix: key,
            seperator: sep.to_string(),
            query_options,
        };
        let r = ctx
            .rpc(RpcRequest::Kv(KvRpc::ListKeys(req)))
            .await?
            .into_key_list()
            .map_err(rpc_err)?;
        let meta: QueryMeta = r.query_meta.into();
        if r.keys.is_empty() {
            return Ok(not_found(&meta));
        }
        return Ok(json_with_meta(&r.keys, &meta, ctx.pretty));
    }
    let recurse = ctx.params.has("recurse");
    if key.is_empty() && !recurse {
        return Err(HttpError::bad_request("Missing key name"));
    }
    let req = KeyRequest {
        datacenter,
        key,
        query_options,
    };
    if recurse {
        let r = ctx
            .rpc(RpcRequest::Kv(KvRpc::List(req)))
            .await?
            .into_dir_entries()
            .map_err(rpc_err)?;
        let meta: QueryMeta = r.query_meta.into();
        if r.entries.is_empty() {
            return Ok(not_found(&meta));
        }
        return Ok(json_with_meta(&r.entries, &meta, ctx.pretty));
    }
    let r = ctx
        .rpc(RpcRequest::Kv(KvRpc::Get(req)))
        .await?
        .into_dir_entries()
        .map_err(rpc_err)?;
    let meta: QueryMeta = r.query_meta.into();
    let Some(entry) = r.entries.into_iter().next() else {
        return Ok(not_found(&meta));
    };
    if ctx.params.has("raw") {
        let mut resp = Response::new(Body::from(entry.value.clone().unwrap_or_default()));
        resp.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        set_meta(&mut resp, &meta);
        return Ok(resp);
    }
    Ok(json_with_meta(&[entry], &meta, ctx.pretty))
}

/// PUT /v1/kv/<key>
pub async fn put(ctx: Ctx, key: String, body: Bytes) -> HttpResult {
    if key.is_empty() {
        return Err(HttpError::bad_request("Missing key name"));
    }
    let limit = ctx.agent.kv_max_value_size();
    if body.len() > limit {
        return Err(HttpError {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            message: format!(
                "Request body({} bytes) too large, max size: {} bytes. See https://www.consul.io/docs/agent/options.html#kv_max_value_size.",
                body.len(),
                limit
            ),
        });
    }
    let chosen = ["cas", "acquire", "release"]
        .iter()
        .filter(|f| ctx.params.has(f))
        .count();
    if chosen > 1 {
        return Err(HttpError::bad_request(format!(
            "Conflicting flags: {}",
            ctx.params.encode_sorted()
        )));
    }
    let flags = ctx.params.u64("flags", "flags")?.unwrap_or(0);
    let cas = ctx.params.u64("cas", "cas index")?;
    let (op, session) = if let Some(s) = ctx.params.get("acquire") {
        (KvOp::Lock, s.to_string())
    } else if let Some(s) = ctx.params.get("release") {
        (KvOp::Unlock, s.to_string())
    } else if cas.is_some() {
        (KvOp::Cas, String::new())
    } else {
        (KvOp::Set, String::new())
    };
    let req = KvsRequest {
        datacenter: ctx.datacenter.clone(),
        token: ctx.token.clone(),
        op,
        dir_ent: DirEntry {
            key,
            flags,
            value: if body.is_empty() { None } else { Some(body) },
            modify_index: cas.unwrap_or(0),
            session,
            ..Default::default()
        },
    };
    let ok = ctx
        .rpc(RpcRequest::Kv(KvRpc::Apply(req)))
        .await?
        .into_bool()
        .map_err(rpc_err)?;
    Ok(json(&ok, false))
}

/// DELETE /v1/kv/<key>
pub async fn delete(ctx: Ctx, key: String) -> HttpResult {
    let recurse = ctx.params.has("recurse");
    if key.is_empty() && !recurse {
        return Err(HttpError::bad_request("Missing key name"));
    }
    let cas = ctx.params.u64("cas", "cas index")?;
    let op = match (recurse, cas) {
        (true, _) => KvOp::DeleteTree,
        (false, Some(_)) => KvOp::DeleteCas,
        (false, None) => KvOp::Delete,
    };
    let req = KvsRequest {
        datacenter: ctx.datacenter.clone(),
        token: ctx.token.clone(),
        op,
        dir_ent: DirEntry {
            key,
            modify_index: cas.unwrap_or(0),
            ..Default::default()
        },
    };
    let ok = ctx
        .rpc(RpcRequest::Kv(KvRpc::Apply(req)))
        .await?
        .into_bool()
        .map_err(rpc_err)?;
    Ok(json(&ok, false))
}
