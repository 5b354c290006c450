//! The leader's token reaper: tokens past their `ExpirationTime` are already
//! refused and hidden from reads; this deletes them from the state through
//! Raft, in batches, so they vanish on their own as in Consul.

use std::time::Duration;

use consul_types::acl::AclRequest;
use consul_types::command::Command;
use consul_types::timestamp::Timestamp;

use crate::Server;

/// How often the leader looks for expired tokens.
pub const REAP_INTERVAL: Duration = Duration::from_secs(1);

/// At most this many tokens are deleted by one Raft entry.
pub const REAP_BATCH: usize = 128;

/// Run forever: while this server leads and ACLs are enabled, delete expired
/// tokens every [`REAP_INTERVAL`].
pub async fn run(server: Server) {
    if !server.config().acl.enabled {
        return;
    }
    loop {
        if server.is_leader() {
            let expired = server
                .store()
                .snapshot()
                .acl_expired_tokens(Timestamp::now(), REAP_BATCH);
            if !expired.is_empty() {
                let n = expired.len();
                let cmd = Command::Acl(AclRequest::TokenDelete(expired));
                match server.apply(cmd).await {
                    Ok(_) => tracing::debug!(count = n, "acl: reaped expired tokens"),
                    Err(e) => tracing::warn!(error = %e, "acl: failed to reap expired tokens"),
                }
            }
            tokio::time::sleep(REAP_INTERVAL).await;
        } else {
            server.leadership_changed(Duration::from_secs(5)).await;
        }
    }
}
