//! What the internal area accepts (`Internal.*`).

use serde::{Deserialize, Serialize};

use crate::rpc::{RequestInfo, Token, WireQueryOptions};

/// `Internal.*` calls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum InternalRpc {
    /// `Internal.EventFire`: broadcast a user event over the LAN pool.
    EventFire(EventFireRequest),
}

/// `structs.EventFireRequest`: a user event, already encoded by the agent that fired it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct EventFireRequest {
    /// Target datacenter ("" = the receiving server's own).
    pub datacenter: String,
    /// The user's event name (without the `consul:event:` prefix).
    pub name: String,
    /// The encoded event (the agent's msgpack `UserEvent`).
    pub payload: Vec<u8>,
    /// Carries the token; `AllowStale` is always set (any server may fire).
    #[serde(flatten)]
    pub query_options: WireQueryOptions,
}

/// Any server may fire an event: gossip carries it to every member anyway, so the request
/// is never forwarded to the leader (Consul sets `AllowStale`).
impl RequestInfo for InternalRpc {
    fn datacenter(&self) -> &str {
        match self {
            InternalRpc::EventFire(r) => &r.datacenter,
        }
    }

    fn token(&self) -> &Token {
        match self {
            InternalRpc::EventFire(r) => &r.query_options.token,
        }
    }

    fn needs_leader(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_server_fires_an_event() {
        let req = InternalRpc::EventFire(EventFireRequest {
            datacenter: "east".into(),
            name: "deploy".into(),
            payload: vec![1, 2],
            query_options: WireQueryOptions {
                token: "tok".into(),
                ..Default::default()
            },
        });
        assert!(!req.needs_leader());
        assert_eq!((req.datacenter(), req.token().secret()), ("east", "tok"));
    }
}
