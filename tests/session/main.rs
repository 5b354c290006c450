//! Sessions and KV locks, as Consul 1.10 serves them: the session lifecycle
//! and every invalidation cause, lock exclusion between contenders checked
//! from a ledger, lock-delay, and (in `cluster.rs`) sessions and locks
//! across a leader kill and a holder's node failing in gossip.

#[path = "../common/mod.rs"]
mod common;

mod cluster;
mod invalidation;
mod lifecycle;
mod lock_cli;
mod locks;
mod semaphore;

use common::*;
use serde_json::Value;

/// `PUT /v1/session/create` with `body`; the new session's ID.
pub fn create_session(agent: &Agent, body: &str) -> String {
    let text = put_ok(agent, "/v1/session/create", body);
    let v: Value = serde_json::from_str(&text).expect("create answers JSON");
    v["ID"].as_str().expect("an ID").to_string()
}

/// `PUT /v1/kv/<key>?acquire=<session>`: whether the lock was taken.
pub fn acquire(agent: &Agent, key: &str, session: &str) -> bool {
    put_ok(agent, &format!("/v1/kv/{key}?acquire={session}"), "held") == "true"
}

/// `PUT /v1/kv/<key>?release=<session>`: whether it was released.
pub fn release(agent: &Agent, key: &str, session: &str) -> bool {
    put_ok(agent, &format!("/v1/kv/{key}?release={session}"), "free") == "true"
}

/// The session holding `key` ("" when free), or `None` when the key is gone.
pub fn holder(agent: &Agent, key: &str) -> Option<String> {
    let (status, body) = call(agent, "GET", &format!("/v1/kv/{key}?stale"), None);
    if status == 404 {
        return None;
    }
    let v: Value = serde_json::from_str(&body).ok()?;
    Some(v[0]["Session"].as_str().unwrap_or("").to_string())
}

/// Whether session `id` exists (a stale read).
pub fn session_exists(agent: &Agent, id: &str) -> bool {
    let (status, body) = call(agent, "GET", &format!("/v1/session/info/{id}?stale"), None);
    status == 200
        && serde_json::from_str::<Value>(&body)
            .ok()
            .and_then(|v| v.as_array().map(|a| !a.is_empty()))
            .unwrap_or(false)
}
