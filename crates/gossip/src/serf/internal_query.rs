//! Serf's internal queries (`_serf_*`), answered by serf itself rather
//! than the application: `ping` (acked only) and the key-management
//! queries `install-key`, `use-key`, `remove-key` and `list-keys`, which
//! change or report the memberlist keyring and rewrite the keyring file
//! (as serf's `internal_query.go`).
//!
//! The keyring file is the one piece of file I/O in the core: serf writes
//! it synchronously while answering, so a failed write is reported in the
//! response.

use super::messages::SerfMessage;
use super::query::{Query, INTERNAL_QUERY_PREFIX};
use super::query_msg::{KeyRequest, NodeKeyResponse, QueryResponseMsg};
use super::Serf;
use crate::codec::{Key, Keyring};
use base64::Engine;
use std::path::Path;
use std::time::Duration;

/// `minEncodedKeyLength`: a base64 key costs at least this much in a
/// list-keys response (bounds how many keys one response can carry).
const MIN_ENCODED_KEY_LENGTH: usize = 25;

/// The key-management operations, as query names after `_serf_`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyOp {
    /// `install-key`: add a key to every keyring.
    Install,
    /// `use-key`: make an installed key the primary.
    Use,
    /// `remove-key`: remove a non-primary key.
    Remove,
    /// `list-keys`: report every member's keys.
    List,
}

impl KeyOp {
    /// The full query name (`_serf_install-key`, …).
    pub fn query_name(self) -> &'static str {
        match self {
            KeyOp::Install => "_serf_install-key",
            KeyOp::Use => "_serf_use-key",
            KeyOp::Remove => "_serf_remove-key",
            KeyOp::List => "_serf_list-keys",
        }
    }
}

fn b64(k: &Key) -> String {
    base64::engine::general_purpose::STANDARD.encode(k.as_bytes())
}

/// Write `keys` (primary first) as serf does: an indented JSON list of
/// base64 strings, mode 0600.
pub fn write_keyring_file(path: &Path, keys: &[Key]) -> Result<(), String> {
    let mut body = String::from("[");
    for (i, k) in keys.iter().enumerate() {
        body.push_str(if i == 0 { "\n  \"" } else { ",\n  \"" });
        body.push_str(&b64(k));
        body.push('"');
    }
    body.push_str(if keys.is_empty() { "]" } else { "\n]" });
    let write = || -> std::io::Result<()> {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(path)?;
        f.write_all(body.as_bytes())
    };
    write().map_err(|e| format!("Failed to write keyring file: {e}"))
}

impl Serf {
    /// Answer the internal queries queued by query handling.
    pub(super) fn handle_internal_queries(&mut self, now: Duration) {
        for q in std::mem::take(&mut self.st.q.internal) {
            let op = match &q.name[INTERNAL_QUERY_PREFIX.len()..] {
                "ping" => continue,
                "install-key" => KeyOp::Install,
                "use-key" => KeyOp::Use,
                "remove-key" => KeyOp::Remove,
                "list-keys" => KeyOp::List,
                other => {
                    tracing::warn!("serf: Unhandled internal query '{other}'");
                    continue;
                }
            };
            let resp = self.key_op(op, &q);
            let sent = if op == KeyOp::List {
                self.send_list_response(&q, resp, now)
            } else {
                self.st.respond(q.ltime, q.id, resp.encode(), now)
            };
            if let Err(e) = sent {
                tracing::error!("serf: Failed to respond to key query: {e}");
            }
        }
    }

    /// Carry out a key operation on our keyring.
    fn key_op(&mut self, op: KeyOp, q: &Query) -> NodeKeyResponse {
        let mut resp = NodeKeyResponse::default();
        let keyring = self.ml.config().wire.keyring.clone();
        let Some(mut ring) = keyring else {
            resp.message = match op {
                KeyOp::List => "Keyring is empty (encryption not enabled)",
                _ => "No keyring to modify (encryption not enabled)",
            }
            .to_string();
            tracing::error!("serf: {}", resp.message);
            return resp;
        };
        if op == KeyOp::List {
            tracing::info!("serf: Received list-keys query");
            resp.keys = ring.keys().iter().map(b64).collect();
            resp.primary_key = b64(ring.primary());
            resp.result = true;
            return resp;
        }
        let req = match KeyRequest::decode(&q.payload) {
            Ok(r) => r,
            Err(e) => {
                tracing::error!("serf: Failed to decode key request: {e}");
                return resp;
            }
        };
        let changed = match op {
            KeyOp::Install => {
                tracing::info!("serf: Received install-key query");
                Key::new(&req.key)
                    .map(|k| ring.add(k))
                    .map_err(|_| "key size must be 16, 24 or 32 bytes".to_string())
            }
            KeyOp::Use => {
                tracing::info!("serf: Received use-key query");
                match Key::new(&req.key) {
                    Ok(k) if ring.keys().contains(&k) => {
                        ring.use_key(k);
                        Ok(())
                    }
                    _ => Err("Requested key is not in the keyring".to_string()),
                }
            }
            _ => {
                tracing::info!("serf: Received remove-key query");
                match Key::new(&req.key) {
                    Ok(k) if !ring.remove(&k) => {
                        Err("Removing the primary key is not allowed".to_string())
                    }
                    _ => Ok(()),
                }
            }
        };
        if let Err(e) = changed {
            tracing::error!("serf: Failed to change keyring: {e}");
            resp.message = e;
            return resp;
        }
        self.install_keyring(ring.clone());
        if let Some(path) = self.st.cfg.keyring_file.clone() {
            if let Err(e) = write_keyring_file(&path, ring.keys()) {
                tracing::error!("serf: {e}");
                resp.message = e;
                return resp;
            }
        }
        resp.result = true;
        resp
    }

    /// Use `ring` for all traffic from now on.
    fn install_keyring(&mut self, ring: Keyring) {
        self.ml.set_keyring(Some(ring));
    }

    /// A list-keys answer, truncated to fit the response limit as serf's
    /// `keyListResponseWithCorrectSize` does.
    fn send_list_response(
        &mut self,
        q: &Query,
        mut resp: NodeKeyResponse,
        now: Duration,
    ) -> Result<(), super::SerfError> {
        let limit = self.st.cfg.query_response_size_limit;
        let actual = resp.keys.len();
        let max = (limit / MIN_ENCODED_KEY_LENGTH).min(actual);
        for i in (0..=max).rev() {
            let qr = QueryResponseMsg {
                ltime: q.ltime,
                id: q.id,
                from: self.ml.name().to_string(),
                flags: 0,
                payload: resp.encode(),
            };
            if SerfMessage::QueryResponse(qr.clone()).encode().len() > limit {
                resp.keys.truncate(i);
                resp.message =
                    format!("truncated key list response, showing first {i} of {actual} keys");
                continue;
            }
            if actual > i {
                tracing::warn!("serf: {}", resp.message);
            }
            return self.st.respond_with(qr, now);
        }
        Err(super::SerfError::ResponseTooLarge(limit))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyring_file_is_indented_json() {
        let dir = std::env::temp_dir().join(format!("serf-kr-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("local.keyring");
        let k1 = Key::new(&[1; 16]).unwrap();
        let k2 = Key::new(&[2; 32]).unwrap();
        write_keyring_file(&p, &[k1.clone(), k2.clone()]).unwrap();
        let text = std::fs::read_to_string(&p).unwrap();
        assert_eq!(
            text,
            format!("[\n  \"{}\",\n  \"{}\"\n]", b64(&k1), b64(&k2))
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
