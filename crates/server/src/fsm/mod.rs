//! The finite state machine Raft drives: decodes each committed [`Command`]
//! and applies it to the state store at its log index.

mod catalog;
mod kv;

use std::sync::Arc;

use consul_state::Store;
use consul_types::command::{Command, CommandResult};

/// Applies committed commands to the in-memory state store.
pub struct Fsm {
    store: Arc<Store>,
}

impl Fsm {
    /// An FSM writing into `store`.
    pub fn new(store: Arc<Store>) -> Self {
        Fsm { store }
    }

    /// Apply one decoded command at `index`.
    pub fn apply_command(&self, index: u64, cmd: &Command) -> CommandResult {
        match cmd {
            Command::Kv(req) => kv::apply(&self.store, index, req),
            Command::Register(req) => catalog::register(&self.store, index, req),
            Command::Deregister(req) => catalog::deregister(&self.store, index, req),
            Command::TombstoneReap { index: up_to } => kv::reap(&self.store, index, *up_to),
        }
    }
}

impl consul_raft::StateMachine for Fsm {
    fn apply(&self, index: u64, command: &[u8]) -> Vec<u8> {
        let result = match Command::decode(command) {
            Ok(cmd) => self.apply_command(index, &cmd),
            // A command we cannot decode was written by a newer server; it must
            // not stop the log, but the client learns it failed.
            Err(e) => {
                tracing::error!(index, error = %e, "fsm: cannot decode command");
                CommandResult::Error(e.to_string())
            }
        };
        result.encode()
    }

    fn snapshot(&self) -> Vec<u8> {
        self.store.persist()
    }

    fn restore(&self, _index: u64, data: &[u8]) -> Result<(), String> {
        self.store.restore(data).map_err(|e| e.to_string())
    }
}
