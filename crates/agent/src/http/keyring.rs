//! `/v1/operator/keyring`: list (GET), install (POST), use (PUT) and
//! remove (DELETE) gossip encryption keys across the LAN pool, as Consul's
//! `OperatorKeyringEndpoint`. Only servers run keyring operations; every
//! member answers from its own keyring through serf's key queries.
//!
//! There is no WAN pool yet, so answers carry the LAN pool only.

use std::collections::BTreeMap;

use axum::body::{Body, Bytes};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};

use super::catalog::decode_body;
use super::respond::{json, HttpError, HttpResult};
use super::Ctx;
use crate::lan::keyops::{KeyOp, KeyOpResult};

/// `structs.KeyringResponse`: one pool's answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeyringResponse {
    /// Whether this is the WAN pool.
    #[serde(rename = "WAN")]
    pub wan: bool,
    /// The pool's datacenter.
    pub datacenter: String,
    /// Network segment (always the default, `""`).
    pub segment: String,
    /// Node name → error or warning.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub messages: BTreeMap<String, String>,
    /// Base64 key → members that have it.
    pub keys: BTreeMap<String, usize>,
    /// Base64 primary key → members using it.
    pub primary_keys: BTreeMap<String, usize>,
    /// Members in the pool.
    pub num_nodes: usize,
    /// Why the operation failed on this pool.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub error: String,
}

/// The request body of POST, PUT and DELETE.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
struct KeyringArgs {
    key: String,
}

/// `?relay-factor` (0–5) and `?local-only` (GET only).
fn parse_params(ctx: &Ctx, list: bool) -> Result<(u8, bool), HttpError> {
    let mut relay = 0;
    if let Some(v) = ctx.params.get("relay-factor").filter(|v| !v.is_empty()) {
        let n: i64 = v.parse().map_err(|_| {
            HttpError::bad_request(format!(
                "Error parsing relay factor: strconv.Atoi: parsing {v:?}: invalid syntax"
            ))
        })?;
        relay = u8::try_from(n).ok().filter(|n| *n <= 5).ok_or_else(|| {
            HttpError::bad_request(
                "Invalid relay-factor: Relay factor must be in range: [0, 5]".to_string(),
            )
        })?;
    }
    let mut local_only = false;
    if let Some(v) = ctx.params.get("local-only").filter(|v| !v.is_empty()) {
        local_only = go_parse_bool(v).ok_or_else(|| {
            HttpError::bad_request(format!(
                "Error parsing local-only: strconv.ParseBool: parsing {v:?}: invalid syntax"
            ))
        })?;
        if local_only && !list {
            return Err(HttpError::bad_request(
                "Invalid use of local-only: local-only can only be set for list requests",
            ));
        }
    }
    Ok((relay, local_only))
}

/// Go's `strconv.ParseBool`.
fn go_parse_bool(v: &str) -> Option<bool> {
    match v {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// Run `op` on the LAN pool (servers only) and shape the answer.
async fn run(ctx: &Ctx, op: KeyOp, key: &str, relay: u8) -> Result<KeyringResponse, HttpError> {
    if !ctx.agent.info().server {
        return Err(HttpError::internal(
            "keyring operations must run against a server node",
        ));
    }
    let KeyOpResult { response, error } = ctx
        .agent
        .lan()
        .key_operation(op, key, relay)
        .await
        .map_err(|e| HttpError::internal(e.to_string()))?;
    Ok(KeyringResponse {
        wan: false,
        datacenter: ctx.agent.datacenter().to_string(),
        segment: String::new(),
        messages: response.messages,
        keys: response.keys.into_iter().collect(),
        primary_keys: response.primary_keys.into_iter().collect(),
        num_nodes: response.num_nodes,
        error: error.unwrap_or_default(),
    })
}

/// Consul's `keyringErrorsOrNil`: each failed pool's error, then its
/// members' messages, as one Go multierror (a 500).
fn errors_or_nil(responses: &[KeyringResponse]) -> Result<(), HttpError> {
    let mut errs = Vec::new();
    for r in responses.iter().filter(|r| !r.error.is_empty()) {
        let mut pool = if r.wan {
            "WAN".to_string()
        } else {
            format!("{} (LAN)", r.datacenter)
        };
        if !r.segment.is_empty() {
            pool.push_str(&format!(" [segment: {}]", r.segment));
        }
        errs.push(format!("{pool} error: {}", r.error));
        errs.extend(r.messages.iter().map(|(node, m)| format!("{node}: {m}")));
    }
    if errs.is_empty() {
        return Ok(());
    }
    Err(HttpError {
        status: StatusCode::INTERNAL_SERVER_ERROR,
        message: crate::lan::multi_error(&errs),
    })
}

/// GET /v1/operator/keyring: every pool's keys and how many members have
/// each.
pub async fn list(ctx: Ctx) -> HttpResult {
    let (relay, local_only) = parse_params(&ctx, true)?;
    let resp = if local_only {
        local_keys(&ctx).await?
    } else {
        run(&ctx, KeyOp::List, "", relay).await?
    };
    let out = vec![resp];
    errors_or_nil(&out)?;
    Ok(json(&out, ctx.pretty))
}

/// `?local-only`: this agent's own keyring, without asking anyone.
async fn local_keys(ctx: &Ctx) -> Result<KeyringResponse, HttpError> {
    let keys = ctx
        .agent
        .lan()
        .local_keys()
        .await
        .map_err(|e| HttpError::internal(e.to_string()))?;
    let mut r = KeyringResponse {
        datacenter: ctx.agent.datacenter().to_string(),
        num_nodes: 1,
        ..Default::default()
    };
    match keys.first() {
        Some(primary) => {
            r.primary_keys.insert(primary.clone(), 1);
            r.keys = keys.into_iter().map(|k| (k, 1)).collect();
        }
        None => {
            r.error = "Keyring is empty (encryption not enabled)".to_string();
        }
    }
    Ok(r)
}

async fn change(ctx: Ctx, body: Bytes, op: KeyOp) -> HttpResult {
    let args: KeyringArgs = decode_body(&body)?;
    let (relay, _) = parse_params(&ctx, false)?;
    let resp = run(&ctx, op, &args.key, relay).await?;
    errors_or_nil(&[resp])?;
    // Consul answers these with an empty 200.
    Ok(Response::new(Body::empty()))
}

/// POST /v1/operator/keyring `{"Key": "..."}`: install a key everywhere.
pub async fn install(ctx: Ctx, body: Bytes) -> HttpResult {
    change(ctx, body, KeyOp::Install).await
}

/// PUT /v1/operator/keyring `{"Key": "..."}`: make an installed key the
/// primary everywhere.
pub async fn use_key(ctx: Ctx, body: Bytes) -> HttpResult {
    change(ctx, body, KeyOp::Use).await
}

/// DELETE /v1/operator/keyring `{"Key": "..."}`: remove a non-primary key
/// everywhere.
pub async fn remove(ctx: Ctx, body: Bytes) -> HttpResult {
    change(ctx, body, KeyOp::Remove).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_shape_and_errors() {
        let mut r = KeyringResponse {
            datacenter: "dc1".into(),
            num_nodes: 3,
            ..Default::default()
        };
        r.keys.insert("K".into(), 3);
        r.primary_keys.insert("K".into(), 3);
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"WAN":false,"Datacenter":"dc1","Segment":"","Keys":{"K":3},"PrimaryKeys":{"K":3},"NumNodes":3}"#
        );
        assert!(errors_or_nil(&[r.clone()]).is_ok());
        r.error = "1/3 nodes reported failure".into();
        r.messages.insert(
            "n2".into(),
            "Removing the primary key is not allowed".into(),
        );
        let e = errors_or_nil(&[r]).unwrap_err();
        assert_eq!(
            e.message,
            "2 errors occurred:\n\t* dc1 (LAN) error: 1/3 nodes reported failure\n\t* n2: Removing the primary key is not allowed\n\n"
        );
    }
}
