//! What `Session.*` needs: creating a session needs `session:write` on its
//! node; reads are filtered by `session:read` on each session's node
//! (`crate::acl_filter`). Destroy and renew need `session:write` on the
//! session's node, which only the state knows: checked when served.

use consul_acl::Authorize;
use consul_state::WatchSet;

use crate::dispatch::RequestCtx;
use crate::Server;
use consul_types::session::SessionOp;

use super::SessionRpc;
use crate::acl_check::{anyone, check, AclRequirement};
use crate::{AclSettings, Identity, RpcError};

impl AclRequirement for SessionRpc {
    fn check_acl(&self, id: &Identity, _: &AclSettings) -> Result<(), RpcError> {
        match self {
            SessionRpc::Apply(r) => match r.op {
                SessionOp::Create => check(id, |a| a.session_write(&r.session.node)),
                SessionOp::Destroy => anyone(),
            },
            SessionRpc::Get(_)
            | SessionRpc::List(_)
            | SessionRpc::NodeSessions(_)
            | SessionRpc::Renew(_) => anyone(),
        }
    }
}

/// Destroying or renewing needs `session:write` on the session's node (a
/// session that does not exist needs nothing: the call is a no-op or a 404).
pub(super) fn check_on_session(
    server: &Server,
    ctx: &RequestCtx,
    id: &str,
) -> Result<(), RpcError> {
    let snap = server.store().snapshot();
    match snap.session_get(&mut WatchSet::new(), id) {
        Ok((_, Some(s))) => check(&ctx.identity, |a| a.session_write(&s.node)),
        _ => anyone(),
    }
}
