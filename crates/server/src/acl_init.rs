//! Leader duty: the builtin ACL objects exist whenever ACLs are enabled —
//! the `global-management` policy, the anonymous token, and the token of
//! `acl.tokens.initial_management` (as the bootstrap while bootstrapping is
//! still allowed, as Consul's `initializeACLs` does, so a configured
//! management token also ends the bootstrap window).

use std::time::Duration;

use consul_acl::builtin::{
    global_management_policy_row, ANONYMOUS_TOKEN_DESCRIPTION, ANONYMOUS_TOKEN_ID,
    ANONYMOUS_TOKEN_SECRET, GLOBAL_MANAGEMENT_POLICY_ID, GLOBAL_MANAGEMENT_POLICY_NAME,
};
use consul_state::WatchSet;
use consul_types::acl::{AclRequest, AclToken, Link};
use consul_types::command::Command;
use consul_types::timestamp::Timestamp;

use crate::new_uuid::new_uuid;
use crate::{RpcError, Server};

/// Description Consul 1.10 gives the initial management token.
pub const INITIAL_MANAGEMENT_DESCRIPTION: &str = "Master Token";

/// Run for the server's life: after each gain of leadership, make sure the
/// builtins exist (retrying until they do).
pub async fn run(server: Server) {
    if !server.config().acl.enabled {
        return;
    }
    let mut stopping = server.stopping();
    let mut done = (0, 0);
    loop {
        if *stopping.borrow() {
            return;
        }
        // Per term, and again after a restored snapshot replaced the tables.
        let now = (server.raft().stats().term, server.restores());
        if server.is_leader() && done != now {
            match ensure_builtins(&server).await {
                Ok(()) => done = now,
                Err(e) => {
                    tracing::warn!(error = %e, "acl: creating the builtin ACL objects failed; retrying");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    continue;
                }
            }
        }
        tokio::select! {
            _ = server.leadership_changed(Duration::from_secs(1)) => {}
            _ = stopping.changed() => {}
        }
    }
}

/// The management-policy link every management token carries.
pub fn management_link() -> Link {
    Link {
        id: GLOBAL_MANAGEMENT_POLICY_ID.into(),
        name: GLOBAL_MANAGEMENT_POLICY_NAME.into(),
    }
}

/// A new token with its create time and hash filled (the leader's part).
pub fn stamped(mut t: AclToken) -> AclToken {
    if t.create_time == Timestamp::default() {
        t.create_time = Timestamp::now();
    }
    t.hash = Some(t.compute_hash());
    t
}

async fn ensure_builtins(server: &Server) -> Result<(), RpcError> {
    let snap = server.store().snapshot();
    let mut ws = WatchSet::new();
    if snap
        .acl_policy_by_id(&mut ws, GLOBAL_MANAGEMENT_POLICY_ID)
        .1
        .is_none()
    {
        let mut p = global_management_policy_row();
        p.hash = Some(p.compute_hash());
        server
            .apply(Command::Acl(AclRequest::PolicySet(vec![p])))
            .await?;
        tracing::info!("acl: created the 'global-management' policy");
    }
    if let Some(secret) = server.config().acl.initial_management.clone() {
        let snap = server.store().snapshot();
        if snap.acl_token_by_secret(&mut ws, &secret).1.is_none() {
            let token = stamped(AclToken {
                accessor_id: new_uuid(),
                secret_id: secret,
                description: INITIAL_MANAGEMENT_DESCRIPTION.into(),
                policies: vec![management_link()],
                ..Default::default()
            });
            let req = if snap.acl_bootstrap_index() == 0 {
                AclRequest::Bootstrap {
                    token,
                    reset_index: 0,
                }
            } else {
                AclRequest::TokenSet(vec![token])
            };
            server.apply(Command::Acl(req)).await?;
            tracing::info!("acl: created the initial management token");
        }
    }
    let snap = server.store().snapshot();
    if snap
        .acl_token_by_accessor(&mut ws, ANONYMOUS_TOKEN_ID)
        .1
        .is_none()
    {
        let token = stamped(AclToken {
            accessor_id: ANONYMOUS_TOKEN_ID.into(),
            secret_id: ANONYMOUS_TOKEN_SECRET.into(),
            description: ANONYMOUS_TOKEN_DESCRIPTION.into(),
            ..Default::default()
        });
        server
            .apply(Command::Acl(AclRequest::TokenSet(vec![token])))
            .await?;
        tracing::info!("acl: created the anonymous token");
    }
    Ok(())
}
