//! The LAN pool's event loop: log membership changes as Consul does
//! (`serf: EventMemberJoin: NAME IP`), keep the snapshot file current, and
//! fan events out to subscribers (the leader's reconciler, later).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use consul_gossip::driver::Handle;
use consul_gossip::memberlist::Event;
use consul_gossip::serf::snapshot::Snapshotter;
use consul_gossip::serf::{Serf, SerfEvent, SerfMember};
use tokio::sync::{broadcast, mpsc};

/// How often the clocks are written to the snapshot (serf: 500 ms).
const CLOCK_INTERVAL: Duration = Duration::from_millis(500);

fn describe(m: &SerfMember) -> String {
    format!("{} {}", m.name, m.addr.ip())
}

fn log_event(ev: &SerfEvent) {
    match ev {
        SerfEvent::MemberJoin(m) => {
            tracing::info!("serf: EventMemberJoin: {}", describe(m));
            if m.tags.get("role").map(String::as_str) == Some("consul") {
                tracing::info!(
                    "agent.server: Adding LAN server: server=\"{} (Addr: tcp/{}:{}) (DC: {})\"",
                    m.name,
                    m.addr.ip(),
                    m.tags.get("port").map(String::as_str).unwrap_or(""),
                    m.tags.get("dc").map(String::as_str).unwrap_or("")
                );
            }
        }
        SerfEvent::MemberLeave(m) => tracing::info!("serf: EventMemberLeave: {}", describe(m)),
        SerfEvent::MemberFailed(m) => tracing::info!("serf: EventMemberFailed: {}", describe(m)),
        SerfEvent::MemberUpdate(m) => tracing::info!("serf: EventMemberUpdate: {}", describe(m)),
        SerfEvent::MemberReap(m) => tracing::info!("serf: EventMemberReap: {}", m.name),
        SerfEvent::User(u) => tracing::debug!("serf: EventUser: {}", u.name),
    }
}

/// Run until the driver stops: log, snapshot, publish.
pub async fn run(
    handle: Handle,
    mut events: mpsc::UnboundedReceiver<Event>,
    snapshot: Option<Arc<Mutex<Snapshotter>>>,
    publish: broadcast::Sender<SerfEvent>,
) {
    let mut tick = tokio::time::interval(CLOCK_INTERVAL);
    loop {
        tokio::select! {
            ev = events.recv() => {
                let Some(ev) = ev else { return };
                match ev {
                    Event::Serf(ev) => {
                        log_event(&ev);
                        if let Some(Ok(mut s)) = snapshot.as_ref().map(|s| s.lock()) {
                            if let Err(e) = s.record(&ev) {
                                tracing::warn!(error = %e, "serf: snapshot write failed");
                            }
                        }
                        let _ = publish.send(ev);
                    }
                    Event::Conflict(m) => tracing::warn!(
                        "memberlist: Conflicting address for {}. Mine: ? Theirs: {}",
                        m.name,
                        m.addr
                    ),
                    _ => {}
                }
            }
            _ = tick.tick() => {
                let Some(s) = &snapshot else { continue };
                let Ok(clocks) = handle.with::<Serf, _>(|s, _, _| s.clocks()).await else {
                    return;
                };
                if let Ok(mut s) = s.lock() {
                    if let Err(e) = s.record_clocks(clocks) {
                        tracing::warn!(error = %e, "serf: snapshot write failed");
                    }
                }
            }
        }
    }
}
