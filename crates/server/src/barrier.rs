//! Leadership is established by a barrier: when this server becomes leader it
//! first commits a no-op [`Command::Barrier`] (Consul's `raft.Barrier()` in
//! `establishLeadership`), and every other write waits for it.
//!
//! Two things follow. Once the barrier has been applied, the FSM holds every
//! entry earlier leaders committed, so leader duties (self-registration,
//! reconciling members, timers) act on complete state. And the barrier moves
//! the application index, so on a fresh cluster no catalog write lands at
//! index 1: Consul's own test harness waits for `X-Consul-Index` ≥ 2 on
//! `/v1/catalog/nodes` before it believes a server is ready.

use std::time::Duration;

use consul_types::command::Command;

use crate::server::RPC_HOLD_TIMEOUT;
use crate::{RpcError, Server};

/// How long to wait before retrying a barrier that failed while still leader.
const RETRY: Duration = Duration::from_millis(50);

/// Run for the server's life: whenever it leads in a term it has not yet
/// established, commit a barrier and record the term.
pub(crate) async fn run(server: Server) {
    let mut stopping = server.stopping();
    loop {
        if *stopping.borrow() {
            return;
        }
        let term = server.raft().stats().term;
        if server.is_leader() && server.established_term() != term {
            match server.write_raw(Command::Barrier).await {
                Ok(_) if server.raft().stats().term == term => server.set_established(term),
                Ok(_) => {}
                Err(e) => {
                    tracing::debug!(error = %e, "leader: barrier failed; retrying");
                    tokio::time::sleep(RETRY).await;
                }
            }
            continue;
        }
        tokio::select! {
            _ = server.leadership_changed(Duration::from_secs(1)) => {}
            _ = stopping.changed() => {}
        }
    }
}

impl Server {
    /// Wait until this leader's barrier for its current term is applied.
    /// Fails with [`RpcError::NoLeader`] if that takes longer than
    /// `rpc_hold_timeout` or leadership is lost meanwhile.
    pub(crate) async fn wait_established(&self) -> Result<(), RpcError> {
        let mut rx = self.established_watch();
        let wait = async {
            loop {
                let term = self.raft().stats().term;
                if !self.is_leader() {
                    return Err(RpcError::NoLeader);
                }
                if *rx.borrow_and_update() == term {
                    return Ok(());
                }
                tokio::select! {
                    r = rx.changed() => { if r.is_err() { return Err(RpcError::Shutdown); } }
                    _ = self.leadership_changed(Duration::from_millis(100)) => {}
                }
            }
        };
        tokio::time::timeout(RPC_HOLD_TIMEOUT, wait)
            .await
            .unwrap_or(Err(RpcError::NoLeader))
    }
}
