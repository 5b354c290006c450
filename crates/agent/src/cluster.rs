//! The bridge between the LAN gossip pool and the server's leader duties: on
//! servers, feeds membership events to `consul_server::membership` (catalog
//! reconciliation, Raft voters) and drives `-bootstrap-expect`.

use std::sync::Arc;
use std::time::Duration;

use consul_gossip::serf::{MemberStatus, SerfEvent, SerfMember};
use consul_server::leader::RECONCILE_INTERVAL;
use consul_server::membership::{
    reconcile_all, reconcile_member, try_bootstrap, Member, MemberState,
};
use tokio::sync::broadcast::error::RecvError;

use consul_server::Server;

use crate::Agent;

/// A gossip member as the server's reconciler sees it.
pub fn to_member(m: &SerfMember, reaped: bool) -> Member {
    let state = match (reaped, m.status) {
        (true, _) => MemberState::Reaped,
        (_, MemberStatus::Alive) => MemberState::Alive,
        (_, MemberStatus::Leaving) => MemberState::Leaving,
        (_, MemberStatus::Left) => MemberState::Left,
        (_, MemberStatus::Failed | MemberStatus::None) => MemberState::Failed,
    };
    let server_port = (m.tags.get("role").map(String::as_str) == Some("consul"))
        .then(|| m.tags.get("port").and_then(|p| p.parse().ok()))
        .flatten();
    Member {
        name: m.name.clone(),
        id: m.tags.get("id").cloned().unwrap_or_default(),
        addr: m.addr.ip(),
        state,
        datacenter: m.tags.get("dc").cloned().unwrap_or_default(),
        server_port,
        bootstrap: server_port.is_some()
            && m.tags.get("bootstrap").map(String::as_str) == Some("1"),
    }
}

async fn members(agent: &Agent) -> Vec<Member> {
    agent
        .lan()
        .members()
        .await
        .map(|ms| ms.iter().map(|m| to_member(m, false)).collect())
        .unwrap_or_default()
}

async fn full_pass(agent: &Agent, server: &Server) {
    let ms = members(agent).await;
    if let Err(e) = reconcile_all(server, &ms).await {
        tracing::warn!(error = %e, "leader: reconcile failed");
    }
}

/// Run on a server agent until shutdown.
pub async fn run(agent: Arc<Agent>, server: Server) {
    tokio::spawn(exit_when_raft_fails(agent.clone(), server.clone()));
    let mut events = agent.lan().subscribe();
    let expect = agent.info().bootstrap_expect as usize;
    let mut bootstrapped = expect <= 1 || agent.info().bootstrap;
    let mut last_pass = tokio::time::Instant::now();
    let mut was_leader = false;
    loop {
        let tick = if bootstrapped {
            Duration::from_secs(1)
        } else {
            Duration::from_millis(200)
        };
        tokio::select! {
            ev = events.recv() => match ev {
                Ok(SerfEvent::MemberJoin(m) | SerfEvent::MemberLeave(m) | SerfEvent::MemberFailed(m) | SerfEvent::MemberUpdate(m)) => {
                    if let Err(e) = reconcile_member(&server, &to_member(&m, false)).await {
                        tracing::warn!(member = %m.name, error = %e, "leader: reconcile failed");
                    }
                }
                Ok(SerfEvent::MemberReap(m)) => {
                    if let Err(e) = reconcile_member(&server, &to_member(&m, true)).await {
                        tracing::warn!(member = %m.name, error = %e, "leader: reconcile failed");
                    }
                }
                Ok(SerfEvent::User(_)) => {}
                Err(RecvError::Lagged(_)) => full_pass(&agent, &server).await,
                Err(RecvError::Closed) => return,
            },
            _ = tokio::time::sleep(tick) => {}
            _ = agent.shutdown_requested() => return,
        }
        consul_server::autopilot::observe(&server, &members(&agent).await);
        if !bootstrapped {
            match try_bootstrap(&server, &members(&agent).await, expect).await {
                Ok(done) => bootstrapped = done,
                Err(e) => tracing::warn!(error = %e, "agent: bootstrap failed"),
            }
        }
        let leader = server.is_leader();
        if leader && (!was_leader || last_pass.elapsed() >= RECONCILE_INTERVAL) {
            full_pass(&agent, &server).await;
            last_pass = tokio::time::Instant::now();
        }
        was_leader = leader;
    }
}

/// A server whose Raft stopped on a failure (e.g. a committed command it
/// cannot apply) can serve nothing correct any more: stop the agent loudly
/// (the process exits with status 1) rather than run on with frozen state.
async fn exit_when_raft_fails(agent: Arc<Agent>, server: Server) {
    let reason = server.failed().await;
    agent.fail(format!("server: Raft stopped: {reason}"));
}
