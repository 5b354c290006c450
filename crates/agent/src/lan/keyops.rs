//! Cluster-wide gossip key operations on the LAN pool: serf's
//! `_serf_list-keys` / `install-key` / `use-key` / `remove-key` queries,
//! answered by every member (Consul's `executeKeyringOpMgr` for the LAN
//! pool).

use base64::Engine;
use consul_gossip::driver::QueryError;
pub use consul_gossip::serf::internal_query::KeyOp;
pub use consul_gossip::serf::keymanager::KeyResponse;
use consul_gossip::serf::Serf;

use super::{LanError, LanPool};

/// The outcome of one key operation on the pool: the members' answers and
/// the error serf's key manager reports with them (`N/M nodes reported
/// failure`, a bad base64 key, …).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyOpResult {
    /// Aggregated answers.
    pub response: KeyResponse,
    /// Why the operation counts as failed, if it does.
    pub error: Option<String>,
}

impl LanPool {
    /// Run a key operation over the whole pool and wait for every member's
    /// answer (at most serf's default query timeout). `key` is base64
    /// (ignored for [`KeyOp::List`]).
    pub async fn key_operation(
        &self,
        op: KeyOp,
        key: &str,
        relay_factor: u8,
    ) -> Result<KeyOpResult, LanError> {
        match self.handle.key_query(op, key, relay_factor).await {
            Ok(response) => {
                let error = response.error();
                Ok(KeyOpResult { response, error })
            }
            Err(QueryError::Key(e)) => Ok(KeyOpResult {
                response: KeyResponse::default(),
                error: Some(e.to_string()),
            }),
            Err(QueryError::Serf(e)) => Ok(KeyOpResult {
                response: KeyResponse::default(),
                error: Some(e.to_string()),
            }),
            Err(QueryError::Driver(e)) => Err(e.into()),
        }
    }

    /// This member's own keys, base64, primary first (empty without
    /// encryption).
    pub async fn local_keys(&self) -> Result<Vec<String>, LanError> {
        Ok(self
            .handle
            .with::<Serf, _>(|s, _, _| {
                s.memberlist()
                    .config()
                    .wire
                    .keyring
                    .as_ref()
                    .map(|kr| {
                        kr.keys()
                            .iter()
                            .map(|k| base64::engine::general_purpose::STANDARD.encode(k.as_bytes()))
                            .collect()
                    })
                    .unwrap_or_default()
            })
            .await?)
    }
}
