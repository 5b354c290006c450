//! Firing a user event from this agent (Consul's `Agent.UserEvent`): validate it, give it a
//! fresh id and the current version, encode it, and have a server broadcast it
//! (`Internal.EventFire`, answered by any server).

use consul_server::endpoints::internal::{EventFireRequest, InternalRpc};
use consul_server::rpc::{RpcRequest, Token, WireQueryOptions};
use consul_server::RpcError;

use super::user_event::{EventError, UserEvent, USER_EVENT_MAX_VERSION};
use crate::agent::Agent;

/// Why a fire failed.
#[derive(Debug, thiserror::Error)]
pub enum FireError {
    /// The event itself is invalid.
    #[error(transparent)]
    Invalid(#[from] EventError),
    /// The servers refused or could not be reached.
    #[error(transparent)]
    Rpc(#[from] RpcError),
}

/// Fire `ev` in datacenter `dc` ("" = ours) for the caller holding `token`; returns the event
/// as fired (with its id and version).
pub async fn fire(
    agent: &Agent,
    dc: String,
    token: Token,
    mut ev: UserEvent,
) -> Result<UserEvent, FireError> {
    ev.validate()?;
    ev.id = uuid::Uuid::new_v4().to_string();
    ev.version = USER_EVENT_MAX_VERSION;
    let req = EventFireRequest {
        datacenter: dc,
        name: ev.name.clone(),
        payload: ev.encode(),
        query_options: WireQueryOptions {
            token,
            allow_stale: true,
            ..Default::default()
        },
    };
    agent
        .rpc(RpcRequest::Internal(InternalRpc::EventFire(req)))
        .await?;
    Ok(ev)
}
