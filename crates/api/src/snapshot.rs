//! `/v1/snapshot`: save the servers' whole state as an archive, restore one
//! (Go's `api.Snapshot`). The archive is opaque here; `consul_types::snapshot`
//! reads it.

use reqwest::Method;

use crate::client::{root_cause, transport_error};
use crate::{ApiError, Client, QueryMeta, QueryOptions, WriteOptions};

/// The snapshot endpoints of a [`Client`].
#[derive(Debug, Clone, Copy)]
pub struct Snapshot<'a> {
    pub(crate) c: &'a Client,
}

impl Snapshot<'_> {
    /// Save a snapshot (from the leader, or any server with `q.stale`):
    /// the archive and its meta (`last_index` is the snapshot's index).
    /// `progress` is told the bytes received so far as they arrive.
    pub async fn save(
        &self,
        q: &QueryOptions,
        mut progress: impl FnMut(u64),
    ) -> Result<(Vec<u8>, QueryMeta), ApiError> {
        let mut params = Vec::new();
        if q.stale {
            params.push(("stale", String::new()));
        }
        let (rb, url) =
            self.c
                .request(Method::GET, "/v1/snapshot", params, &q.datacenter, &q.token);
        let mut resp = rb
            .send()
            .await
            .map_err(|e| transport_error(&Method::GET, &url, &e))?;
        let meta = QueryMeta::from_response(&resp);
        let status = resp.status().as_u16();
        if !(200..300).contains(&status) {
            let body = resp.text().await.unwrap_or_default();
            return Err(ApiError::Http {
                status,
                body: body.trim_end().to_string(),
            });
        }
        let mut out = Vec::new();
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| ApiError::Transport(root_cause(&e)))?
        {
            out.extend_from_slice(&chunk);
            progress(out.len() as u64);
        }
        Ok((out, meta))
    }

    /// Restore `archive` on the leader (and so on every server).
    pub async fn restore(&self, w: &WriteOptions, archive: Vec<u8>) -> Result<(), ApiError> {
        self.c
            .write_unit(Method::PUT, "/v1/snapshot", Vec::new(), w, Some(archive))
            .await
    }
}
