//! FSM: KV commands.

use consul_state::Store;
use consul_types::command::CommandResult;
use consul_types::kv::KvRequest;

/// Apply a KV write; set/CAS/delete answer a boolean.
pub(super) fn apply(store: &Store, index: u64, req: &KvRequest) -> CommandResult {
    match store.kv_apply(index, req) {
        Ok(b) => CommandResult::Bool(b),
        Err(e) => super::rejected(e),
    }
}

/// Drop tombstones at or below `up_to`.
pub(super) fn reap(store: &Store, index: u64, up_to: u64) -> CommandResult {
    match store.tombstone_reap(index, up_to) {
        Ok(()) => CommandResult::Ok,
        Err(e) => super::rejected(e),
    }
}
