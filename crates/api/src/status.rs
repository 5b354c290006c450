//! `/v1/status/*`: Raft leader and peers.

use crate::{ApiError, Client, QueryOptions};

/// The status endpoints of a [`Client`].
#[derive(Debug, Clone, Copy)]
pub struct Status<'a> {
    pub(crate) c: &'a Client,
}

impl Status<'_> {
    /// The leader's Raft address (`"127.0.0.1:8300"`), or "" when there is none.
    pub async fn leader(&self) -> Result<String, ApiError> {
        let (v, _) = self
            .c
            .query::<Option<String>>(
                "/v1/status/leader",
                Vec::new(),
                &QueryOptions::default(),
                false,
            )
            .await?;
        Ok(v.flatten().unwrap_or_default())
    }

    /// The Raft addresses of the voting servers.
    pub async fn peers(&self) -> Result<Vec<String>, ApiError> {
        let (v, _) = self
            .c
            .query::<Option<Vec<String>>>(
                "/v1/status/peers",
                Vec::new(),
                &QueryOptions::default(),
                false,
            )
            .await?;
        Ok(v.flatten().unwrap_or_default())
    }
}
