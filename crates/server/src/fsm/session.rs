//! FSM: session creates and destroys.

use consul_state::Store;
use consul_types::command::CommandResult;
use consul_types::session::SessionRequest;

/// Apply a session write.
pub(super) fn apply(store: &Store, index: u64, req: &SessionRequest) -> CommandResult {
    match store.session_apply(index, req) {
        Ok(()) => CommandResult::Ok,
        Err(e) => super::rejected(e),
    }
}
