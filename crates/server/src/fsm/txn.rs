//! FSM: transactions. The store runs every operation in one write
//! transaction and commits only when all succeeded; the per-operation
//! results or errors travel back as [`CommandResult::Txn`].

use consul_state::Store;
use consul_types::command::CommandResult;
use consul_types::txn::TxnRequest;

/// Apply a transaction (all or nothing).
pub(super) fn apply(store: &Store, index: u64, req: &TxnRequest) -> CommandResult {
    CommandResult::Txn(store.txn_apply(index, &req.ops))
}
