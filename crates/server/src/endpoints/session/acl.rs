//! What `Session.*` needs: creating a session needs `session:write` on its
//! node. Destroy, renew and the reads (which Consul checks against the
//! session's node) are not checked yet (see ARCHITECTURE.md, "ACL
//! enforcement: what is checked so far").

use consul_acl::Authorize;
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
