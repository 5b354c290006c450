//! `Operator.RaftTransferLeader`: hand the leadership to another voter
//! (Consul 1.15's `consul operator raft transfer-leader`), through
//! [`consul_raft::RaftNode::transfer_leadership`].

use std::time::Duration;

use consul_raft::RaftError;

use crate::{RpcError, Server};

/// Longest a transfer may take: catching the target up, the lapse of the
/// followers' lease (2.5 s at the default raft multiplier) and the election.
const TRANSFER_TIMEOUT: Duration = Duration::from_secs(30);

/// Move the leadership to the voter with this ID (node UUID, as `list-peers`
/// shows it), or with `id` empty to the other voter with the most replicated
/// log. Must run on the leader; returns once this server stepped down.
pub async fn transfer_leader(server: &Server, id: &str) -> Result<(), RpcError> {
    if !server.is_leader() {
        return Err(RpcError::NoLeader);
    }
    let raft = server.raft();
    let target = if id.is_empty() {
        most_caught_up_voter(server)
            .ok_or_else(|| RpcError::Internal("no other voter to transfer leadership to".into()))?
    } else {
        super::raft_id_by_server_id(server, id).ok_or_else(|| {
            RpcError::Internal(format!("id {id:?} was not found in the Raft configuration"))
        })?
    };
    match raft.transfer_leadership(target, TRANSFER_TIMEOUT).await {
        Ok(()) => {
            tracing::info!(target = %format!("{target:016x}"), "operator: leadership transferred");
            Ok(())
        }
        Err(RaftError::Invalid(e)) => Err(RpcError::Internal(e)),
        Err(RaftError::NotLeader { .. } | RaftError::NoLeader) => Err(RpcError::NoLeader),
        Err(e) => {
            tracing::warn!(error = %e, "operator: leadership transfer failed");
            Err(RpcError::Internal(format!(
                "leadership transfer failed: {e}"
            )))
        }
    }
}

/// The other voter that has replicated the most of the log.
fn most_caught_up_voter(server: &Server) -> Option<u64> {
    let raft = server.raft();
    let me = raft.id();
    let progress = raft.replication();
    raft.members()
        .into_iter()
        .filter(|(id, _, voter)| *voter && *id != me)
        .max_by_key(|(id, _, _)| progress.get(id).copied().unwrap_or(0))
        .map(|(id, _, _)| id)
}
