//! FSM: catalog registrations and deregistrations.

use consul_state::Store;
use consul_types::catalog::{DeregisterRequest, RegisterRequest};
use consul_types::command::CommandResult;

/// Apply a registration.
pub(super) fn register(store: &Store, index: u64, req: &RegisterRequest) -> CommandResult {
    match store.ensure_registration(index, req) {
        Ok(()) => CommandResult::Ok,
        Err(e) => super::rejected(e),
    }
}

/// Apply a deregistration.
pub(super) fn deregister(store: &Store, index: u64, req: &DeregisterRequest) -> CommandResult {
    match store.deregister(index, req) {
        Ok(()) => CommandResult::Ok,
        Err(e) => super::rejected(e),
    }
}
