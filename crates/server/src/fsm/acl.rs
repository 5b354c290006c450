//! FSM: ACL bootstrap, token, policy and role writes.

use consul_state::Store;
use consul_types::acl::AclRequest;
use consul_types::command::CommandResult;

/// Apply an ACL write.
pub(super) fn apply(store: &Store, index: u64, req: &AclRequest) -> CommandResult {
    match store.acl_apply(index, req) {
        Ok(()) => CommandResult::Ok,
        Err(e) => super::rejected(e),
    }
}
