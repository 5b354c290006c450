//! FSM: the autopilot configuration.

use consul_state::Store;
use consul_types::autopilot::AutopilotSetRequest;
use consul_types::command::CommandResult;

/// Apply a configuration write; `Bool(false)` when its `cas` did not match.
pub(super) fn apply(store: &Store, index: u64, req: &AutopilotSetRequest) -> CommandResult {
    let mut tx = store.write(index);
    let stored = tx.autopilot_set(req);
    tx.commit();
    CommandResult::Bool(stored)
}
