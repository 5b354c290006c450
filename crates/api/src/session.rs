//! `/v1/session/*`: create, renew, destroy and read sessions.

use consul_types::session::Session;
use reqwest::Method;
use serde::Deserialize;

use crate::client::escape_path;
use crate::{ApiError, Client, QueryMeta, QueryOptions, WriteOptions};

/// The session endpoints of a [`Client`].
#[derive(Debug, Clone, Copy)]
pub struct Sessions<'a> {
    pub(crate) c: &'a Client,
}

#[derive(Deserialize)]
struct Created {
    #[serde(rename = "ID")]
    id: String,
}

impl Sessions<'_> {
    /// Create a session from a JSON body of `/v1/session/create` (Consul's
    /// fields: `Name`, `TTL`, `LockDelay`, `Behavior`, …); answers its ID.
    pub async fn create(
        &self,
        body: &serde_json::Value,
        w: &WriteOptions,
    ) -> Result<String, ApiError> {
        let body = serde_json::to_vec(body).map_err(|e| ApiError::Decode(e.to_string()))?;
        let c: Created = self
            .c
            .write(Method::PUT, "/v1/session/create", Vec::new(), w, Some(body))
            .await?;
        Ok(c.id)
    }

    /// Renew a session's TTL; `None` when the session no longer exists.
    pub async fn renew(&self, id: &str, w: &WriteOptions) -> Result<Option<Session>, ApiError> {
        let path = escape_path(&format!("/v1/session/renew/{id}"));
        match self
            .c
            .write::<Vec<Session>>(Method::PUT, &path, Vec::new(), w, None)
            .await
        {
            Ok(v) => Ok(v.into_iter().next()),
            Err(ApiError::Http { status: 404, .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Destroy a session (releasing or deleting its locks).
    pub async fn destroy(&self, id: &str, w: &WriteOptions) -> Result<(), ApiError> {
        let path = escape_path(&format!("/v1/session/destroy/{id}"));
        self.c
            .write_unit(Method::PUT, &path, Vec::new(), w, None)
            .await
    }

    /// One session; `None` when unknown.
    pub async fn info(
        &self,
        id: &str,
        q: &QueryOptions,
    ) -> Result<(Option<Session>, QueryMeta), ApiError> {
        let path = escape_path(&format!("/v1/session/info/{id}"));
        let (v, meta) = self
            .c
            .query::<Vec<Session>>(&path, Vec::new(), q, false)
            .await?;
        Ok((v.and_then(|v| v.into_iter().next()), meta))
    }
}
