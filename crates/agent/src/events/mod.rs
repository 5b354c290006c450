//! User events (Consul's `agent/user_event.go`): firing one (`PUT /v1/event/fire/<name>`,
//! forwarded to a server as `Internal.EventFire`, which broadcasts it over the LAN pool as
//! serf user event `consul:event:<name>`), and receiving them: every agent decodes the
//! gossip body, applies the event's filters and remembers the last 256 for
//! `GET /v1/event/list`. Serf itself drops duplicates (same Lamport time, name and payload —
//! the payload carries the event's unique id).
//!
//! - [`user_event`]: the event, its wire and JSON forms, validation, the list index.
//! - [`filter`]: whether an event is for this agent.
//! - [`ring`]: the last 256 events and the wake-up of long-polls.
//! - [`fire`]: firing one through the servers.

pub mod filter;
pub mod fire;
pub mod ring;
pub mod user_event;

use std::sync::Arc;

use consul_gossip::serf::SerfEvent;
use consul_server::endpoints::internal::USER_EVENT_PREFIX;
use tokio::sync::broadcast::error::RecvError;

use crate::agent::Agent;
use filter::LocalService;
use user_event::{UserEvent, USER_EVENT_MAX_VERSION};

/// The name of Consul's remote-exec event, which is not a user-visible event.
pub const REMOTE_EXEC_NAME: &str = "_rexec";

/// Receive the pool's user events until it stops: decode, filter, remember.
pub async fn run(agent: Arc<Agent>) {
    let mut rx = agent.lan().subscribe();
    loop {
        match rx.recv().await {
            Ok(SerfEvent::User(u)) => {
                let Some(raw_name) = u.name.strip_prefix(USER_EVENT_PREFIX) else {
                    continue;
                };
                tracing::debug!(event = raw_name, "agent: Handling user event");
                match UserEvent::decode(&u.payload) {
                    Ok(mut ev) => {
                        ev.ltime = u.ltime;
                        ingest(&agent, ev);
                    }
                    Err(e) => tracing::error!(error = %e, "agent: Failed to decode event"),
                }
            }
            Ok(_) => {}
            Err(RecvError::Lagged(n)) => {
                tracing::warn!(missed = n, "agent: user events dropped (receiver lagging)")
            }
            Err(RecvError::Closed) => return,
        }
    }
}

/// Keep `ev` if it is for this agent.
pub fn ingest(agent: &Arc<Agent>, ev: UserEvent) {
    if ev.version > USER_EVENT_MAX_VERSION {
        tracing::warn!(
            version = ev.version,
            event = %ev.name,
            "agent: Event version may have unsupported features"
        );
    }
    let services = agent.local().services();
    let local = services.values().map(|s| LocalService {
        id: &s.id,
        tags: &s.tags,
    });
    if !filter::should_process(&ev, &agent.info().node_name, local) {
        return;
    }
    if ev.name == REMOTE_EXEC_NAME {
        crate::remote_exec::handle(agent, &ev.payload);
        return;
    }
    tracing::debug!(event_name = %ev.name, event_id = %ev.id, "agent: new event");
    agent.events().push(ev);
}
