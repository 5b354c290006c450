//! Broadcasting serf user events from the LAN pool, and the pool as the server's
//! [`UserEventSink`] (where `Internal.EventFire` sends what it fires).

use std::sync::Arc;

use consul_gossip::serf::{Serf, SerfError};
use consul_server::endpoints::internal::UserEventSink;
use consul_server::rpc::BoxFuture;

use super::{multi_error, LanError, LanPool};

impl LanPool {
    /// Broadcast user event `name` with `payload` to the pool. Over serf's size limit
    /// (name + payload > 512 bytes) it fails with Consul's text.
    pub async fn user_event(
        &self,
        name: &str,
        payload: &[u8],
        coalesce: bool,
    ) -> Result<(), LanError> {
        let (name, payload) = (name.to_string(), payload.to_vec());
        self.handle
            .with::<Serf, _>(move |s, now, fx| s.user_event(&name, &payload, coalesce, now, fx))
            .await?
            .map_err(|e| LanError::Serf(user_event_error(&e)))
    }
}

/// Serf's refusal in the words Consul's serf uses.
fn user_event_error(e: &SerfError) -> String {
    match e {
        SerfError::EventTooLarge(n) => {
            format!("user event exceeds configured limit of {n} bytes before encoding")
        }
        other => other.to_string(),
    }
}

/// The LAN pool seen by the server: every fired event goes to the one LAN segment.
pub struct LanEventSink(pub Arc<LanPool>);

impl UserEventSink for LanEventSink {
    fn send(&self, name: String, payload: Vec<u8>) -> BoxFuture<Result<(), String>> {
        let lan = self.0.clone();
        Box::pin(async move {
            match lan.user_event(&name, &payload, false).await {
                Ok(()) => Ok(()),
                Err(LanError::Serf(e)) => Err(multi_error(&[format!(
                    "error broadcasting event to segment \"\": {e}"
                )])),
                Err(e) => Err(e.to_string()),
            }
        })
    }
}
