//! Serf queries through the driver: start a query and stream its acks and
//! responses, answer an incoming query, run a key-management query.

use super::{DriverError, Handle};
use crate::serf::internal_query::KeyOp;
use crate::serf::keymanager::{key_request_payload, KeyManagerError, KeyResponse};
use crate::serf::query::{QueryHandle, QueryParams, QueryReply};
use crate::serf::{Serf, SerfError};
use tokio::sync::mpsc;

/// Why a query could not be run.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    /// The driver has stopped.
    #[error(transparent)]
    Driver(#[from] DriverError),
    /// Serf refused it (size limits, already answered, past deadline).
    #[error(transparent)]
    Serf(#[from] SerfError),
    /// A key operation's key is unusable.
    #[error(transparent)]
    Key(#[from] KeyManagerError),
}

/// The acks and responses to one query, ending when the query times out.
#[derive(Debug)]
pub struct QueryStream {
    /// Which query, when it closes, and how many members it expects.
    pub handle: QueryHandle,
    rx: mpsc::UnboundedReceiver<QueryReply>,
}

impl QueryStream {
    /// The next ack or response; `None` once the query is over.
    pub async fn recv(&mut self) -> Option<QueryReply> {
        self.rx.recv().await
    }
}

impl Handle {
    /// Start a serf query; its replies arrive on the returned stream
    /// (not on the event channel).
    pub async fn query(
        &self,
        name: &str,
        payload: &[u8],
        params: QueryParams,
    ) -> Result<QueryStream, QueryError> {
        let (tx, rx) = mpsc::unbounded_channel();
        let (name, payload) = (name.to_string(), payload.to_vec());
        let handle = self
            .with::<Serf, _>(move |s, now, fx| {
                let h = s.query(&name, &payload, params, now, fx)?;
                fx.tap_query(h.ltime, h.id, tx);
                Ok::<_, SerfError>(h)
            })
            .await??;
        Ok(QueryStream { handle, rx })
    }

    /// Answer an incoming query (from [`crate::serf::query::QueryEvent::Incoming`]).
    pub async fn respond(&self, ltime: u64, id: u32, payload: &[u8]) -> Result<(), QueryError> {
        let payload = payload.to_vec();
        self.with::<Serf, _>(move |s, now, fx| s.respond(ltime, id, &payload, now, fx))
            .await??;
        Ok(())
    }

    /// Run a key-management query over the whole pool and gather the
    /// answers until every member has answered or the query times out
    /// (serf's `KeyManager.handleKeyRequest`). The caller checks
    /// [`KeyResponse::error`].
    pub async fn key_query(
        &self,
        op: KeyOp,
        key: &str,
        relay_factor: u8,
    ) -> Result<KeyResponse, QueryError> {
        let payload = key_request_payload(op, key)?;
        let params = QueryParams {
            relay_factor,
            ..Default::default()
        };
        let mut stream = self.query(op.query_name(), &payload, params).await?;
        let mut resp = KeyResponse::new(stream.handle.num_nodes);
        while let Some(r) = stream.recv().await {
            if r.ack {
                continue;
            }
            if resp.add(&r.from, &r.payload) {
                break;
            }
        }
        Ok(resp)
    }
}
