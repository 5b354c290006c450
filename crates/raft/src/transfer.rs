//! Leadership transfer (`consul operator raft transfer-leader`).
//!
//! openraft 0.9.25 has no transfer call, and a follower asked to campaign
//! while the leader is alive is refused by the other followers: each rejects
//! votes until the leader lease (the maximum election timeout) has passed
//! since it last heard from the leader. So the leader makes the lease lapse
//! on purpose, in a window where no follower campaigns by itself (that
//! happens only an election timeout *after* the lease):
//!
//! 1. close the gate: new write batches and linearizable reads wait, so
//!    nothing renews the followers' leases and the log stops growing;
//! 2. wait until the target has replicated the whole log (it must win the
//!    vote on log freshness);
//! 3. stop heartbeats, wait the lease plus half a heartbeat;
//! 4. tell the target to campaign now (`TimeoutNow`), then wait until this
//!    server has stepped down, and resume heartbeats.
//!
//! Writes queued meanwhile then fail with "not the leader" and are retried
//! by the caller against the new leader, as after any election.

use std::time::Duration;

use tokio::time::Instant;

use crate::types::NodeId;
use crate::{RaftError, RaftNode};

/// Turns heartbeats back on however the transfer ends.
struct HeartbeatsOff<'a>(&'a RaftNode);

impl Drop for HeartbeatsOff<'_> {
    fn drop(&mut self) {
        self.0.raft().runtime_config().heartbeat(true);
    }
}

impl RaftNode {
    /// Hands leadership to the voter `target`, waiting at most `timeout`;
    /// returns once this server is no longer the leader. Must run on the leader.
    pub async fn transfer_leadership(
        &self,
        target: NodeId,
        timeout: Duration,
    ) -> Result<(), RaftError> {
        let deadline = Instant::now() + timeout;
        if !self.is_leader() {
            return Err(RaftError::NotLeader {
                leader: self.leader(),
            });
        }
        if target == self.id() {
            return Err(RaftError::Invalid(
                "cannot transfer leadership to itself".into(),
            ));
        }
        let Some((_, addr, _)) = self
            .members()
            .into_iter()
            .find(|(id, _, voter)| *id == target && *voter)
        else {
            return Err(RaftError::Invalid(format!(
                "server {target:016x} is not a voter in the Raft configuration"
            )));
        };
        let _gate = tokio::time::timeout_at(deadline, self.inner.gate.write())
            .await
            .map_err(|_| RaftError::Timeout("waiting for writes in flight".into()))?;
        self.wait_caught_up(target, deadline).await?;
        self.raft().runtime_config().heartbeat(false);
        let _resume = HeartbeatsOff(self);
        tokio::time::sleep(self.inner.lease + self.inner.heartbeat / 2).await;
        self.inner
            .transport
            .timeout_now(target, &addr)
            .await
            .map_err(|e| RaftError::Other(format!("asking {addr} to campaign: {e}")))?;
        self.wait_stepped_down(deadline).await
    }

    /// Called on the transfer's target: campaign now.
    pub async fn handle_timeout_now(&self) -> Result<(), RaftError> {
        self.trigger_elect().await
    }

    async fn wait_caught_up(&self, target: NodeId, deadline: Instant) -> Result<(), RaftError> {
        let mut metrics = self.metrics();
        loop {
            let last = self.stats().last_log_index;
            if self.replication().get(&target).copied().unwrap_or(0) >= last {
                return Ok(());
            }
            if !self.is_leader() {
                return Err(RaftError::NotLeader {
                    leader: self.leader(),
                });
            }
            match tokio::time::timeout_at(deadline, metrics.changed()).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) => return Err(RaftError::Shutdown),
                Err(_) => {
                    return Err(RaftError::Timeout(format!(
                        "server {target:016x} did not catch up with the log"
                    )))
                }
            }
        }
    }

    async fn wait_stepped_down(&self, deadline: Instant) -> Result<(), RaftError> {
        let mut metrics = self.metrics();
        loop {
            if !self.is_leader() {
                return Ok(());
            }
            match tokio::time::timeout_at(deadline, metrics.changed()).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) => return Err(RaftError::Shutdown),
                Err(_) => {
                    return Err(RaftError::Timeout(
                        "the target did not take over leadership".into(),
                    ))
                }
            }
        }
    }
}
