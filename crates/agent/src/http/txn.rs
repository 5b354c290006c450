//! `PUT /v1/txn`: the body is checked against `limits.txn_max_req_len`, parsed
//! ([`consul_types::txn::body`]: 400 when malformed or for an unknown verb,
//! 413 over `limits.txn_max_ops` or `kv_max_value_size`), then sent as
//! `Txn.Apply` when any operation writes, else as `Txn.Read` (no Raft;
//! `?stale` / `?consistent` honoured; meta headers reported). 200 with
//! `Results` and `"Errors": null`, or 409 with `"Results": null` and the
//! failed operations' `Errors` when nothing was applied.

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use consul_server::endpoints::txn::{TxnApplyRequest, TxnReadRequest, TxnRpc};
use consul_server::rpc::RpcRequest;
use consul_server::QueryMeta;
use consul_types::command::{TxnOpError, TxnOpResult, TxnResult};
use consul_types::txn::body::{self, BodyRules};
use serde::Serialize;

use super::respond::{
    encode_json, rpc_err, HttpError, HttpResult, X_CONSUL_INDEX, X_CONSUL_KNOWN_LEADER,
    X_CONSUL_LAST_CONTACT,
};
use super::Ctx;

const LIMIT_DOCS: &str = "https://www.consul.io/docs/agent/options.html#txn_max_req_len";

/// `structs.TxnResponse` as Consul writes it (nil slices as `null`).
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct TxnBody<'a> {
    results: Option<&'a [TxnOpResult]>,
    errors: Option<&'a [TxnOpError]>,
}

/// `structs.TxnReadResponse`: the response with its embedded `QueryMeta`.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct TxnReadBody<'a> {
    #[serde(flatten)]
    txn: TxnBody<'a>,
    index: u64,
    /// Nanoseconds, as Go's `time.Duration`.
    last_contact: u64,
    known_leader: bool,
    consistency_level: &'static str,
    not_modified: bool,
    backend: u8,
}

impl<'a> TxnBody<'a> {
    fn of(r: &'a TxnResult) -> Self {
        if r.errors.is_empty() {
            TxnBody {
                results: Some(&r.results),
                errors: None,
            }
        } else {
            TxnBody {
                results: None,
                errors: Some(&r.errors),
            }
        }
    }
}

fn too_large(message: String) -> HttpError {
    HttpError {
        status: StatusCode::PAYLOAD_TOO_LARGE,
        message,
    }
}

/// The request-length limit: `txn_max_req_len`, or `kv_max_value_size` when
/// that is larger (Consul's rule for configurations from before the former).
fn max_request_len(ctx: &Ctx) -> usize {
    let cfg = &ctx.agent.info().config;
    usize::try_from(cfg.txn_max_req_len)
        .unwrap_or(usize::MAX)
        .max(ctx.agent.kv_max_value_size())
}

/// Refuse a body over the limit, with Consul's two messages: one naming the
/// `Content-Length` the client declared, one for a body without it.
fn check_length(headers: &HeaderMap, body: &Bytes, max: usize) -> Result<(), HttpError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    match declared {
        Some(len) if len > max as u64 => Err(too_large(format!(
            "Request body({len} bytes) too large, max size: {max} bytes. See {LIMIT_DOCS}."
        ))),
        _ if body.len() > max => Err(too_large(format!(
            "Request body too large, max size: {max} bytes. See {LIMIT_DOCS}."
        ))),
        _ => Ok(()),
    }
}

fn json_response(status: StatusCode, bytes: Vec<u8>) -> Response {
    let mut resp = Response::new(Body::from(bytes));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

fn status_of(r: &TxnResult) -> StatusCode {
    if r.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::CONFLICT
    }
}

/// PUT /v1/txn
pub async fn txn(ctx: Ctx, headers: HeaderMap, raw: Bytes) -> HttpResult {
    check_length(&headers, &raw, max_request_len(&ctx))?;
    let rules = BodyRules {
        max_ops: ctx.agent.info().config.txn_max_ops,
        kv_max_value_size: ctx.agent.kv_max_value_size(),
        datacenter: ctx.agent.datacenter().to_string(),
    };
    let parsed = body::parse(&raw, &rules).map_err(|e| HttpError {
        status: if e.is_too_large() {
            StatusCode::PAYLOAD_TOO_LARGE
        } else {
            StatusCode::BAD_REQUEST
        },
        message: e.to_string(),
    })?;
    if parsed.writes > 0 {
        let req = TxnApplyRequest {
            datacenter: ctx.datacenter.clone(),
            ops: parsed.ops,
            token: ctx.token.clone(),
        };
        let result = ctx
            .rpc(RpcRequest::Txn(TxnRpc::Apply(req)))
            .await?
            .into_txn()
            .map_err(rpc_err)?;
        let bytes = encode_json(&TxnBody::of(&result), ctx.pretty);
        return Ok(json_response(status_of(&result), bytes));
    }
    let req = TxnReadRequest {
        datacenter: ctx.datacenter.clone(),
        ops: parsed.ops,
        query_options: ctx.query_options()?,
    };
    let reply = ctx
        .rpc(RpcRequest::Txn(TxnRpc::Read(req)))
        .await?
        .into_txn_read()
        .map_err(rpc_err)?;
    let meta = QueryMeta::from(reply.query_meta);
    let out = TxnReadBody {
        txn: TxnBody::of(&reply.result),
        index: meta.index,
        last_contact: u64::try_from(meta.last_contact.as_nanos()).unwrap_or(u64::MAX),
        known_leader: meta.known_leader,
        consistency_level: "",
        not_modified: false,
        backend: 0,
    };
    let mut resp = json_response(status_of(&reply.result), encode_json(&out, ctx.pretty));
    let h = resp.headers_mut();
    h.insert(X_CONSUL_INDEX, HeaderValue::from(meta.index.max(1)));
    h.insert(
        X_CONSUL_KNOWN_LEADER,
        HeaderValue::from_static(if meta.known_leader { "true" } else { "false" }),
    );
    h.insert(
        X_CONSUL_LAST_CONTACT,
        HeaderValue::from(u64::try_from(meta.last_contact.as_millis()).unwrap_or(u64::MAX)),
    );
    Ok(resp)
}
