//! The finite state machine Raft drives: decodes each committed [`Command`]
//! and applies it to the state store at its log index.
//!
//! A command this server cannot decode (written by a newer version) is
//! skipped only when its header marks it ignorable; otherwise applying stops
//! with a fatal error, as Consul's FSM panics: skipping it would make this
//! server silently diverge from the ones that applied it.

mod acl;
mod autopilot;
mod catalog;
mod kv;
mod session;
mod snapshot;
mod txn;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use consul_state::{StateError, Store};
use consul_types::command::{Command, CommandError, CommandResult};

/// Applies committed commands to the in-memory state store.
pub struct Fsm {
    store: Arc<Store>,
    /// Lock-delays armed by applied session invalidations.
    lock_delays: Arc<crate::lock_delay::LockDelays>,
    /// The highest index a restored snapshot archive carried (0: none yet);
    /// Raft numbers later commands above it.
    index_floor: AtomicU64,
}

impl Fsm {
    /// An FSM writing into `store`.
    pub fn new(store: Arc<Store>) -> Self {
        Fsm {
            store,
            lock_delays: Arc::default(),
            index_floor: AtomicU64::new(0),
        }
    }

    /// The lock-delays this FSM arms as it applies invalidations.
    pub fn lock_delays(&self) -> Arc<crate::lock_delay::LockDelays> {
        self.lock_delays.clone()
    }

    /// Apply one decoded command at `index`.
    pub fn apply_command(&self, index: u64, cmd: &Command) -> CommandResult {
        match cmd {
            Command::Kv(req) => kv::apply(&self.store, index, req),
            Command::Register(req) => catalog::register(&self.store, index, req),
            Command::Deregister(req) => catalog::deregister(&self.store, index, req),
            Command::TombstoneReap { index: up_to } => kv::reap(&self.store, index, *up_to),
            Command::Barrier => CommandResult::Ok,
            Command::Session(req) => session::apply(&self.store, index, req),
            Command::Txn(req) => txn::apply(&self.store, index, req),
            Command::Acl(req) => acl::apply(&self.store, index, req),
            Command::Autopilot(req) => autopilot::apply(&self.store, index, req),
            Command::SnapshotRestore { image } => {
                match snapshot::restore(&self.store, &self.index_floor, index, image) {
                    Ok(()) => CommandResult::Ok,
                    Err(e) => rejected(e),
                }
            }
        }
    }
}

/// The typed refusal for a state-store error. Every refusal the store makes
/// today is one Consul answers with a 500 and the message.
pub(crate) fn rejected(e: StateError) -> CommandResult {
    let msg = e.to_string();
    CommandResult::Rejected(match e {
        StateError::Unsupported(_) => CommandError::Unsupported(msg),
        StateError::MissingNode(_)
        | StateError::MissingService(_)
        | StateError::InvalidRequest(_)
        | StateError::NewerFormat { .. }
        | StateError::UnknownTable(_)
        | StateError::Corrupt(_) => CommandError::Failed(msg),
    })
}

impl consul_raft::StateMachine for Fsm {
    fn apply(&self, index: u64, command: &[u8]) -> Result<Vec<u8>, consul_raft::ApplyError> {
        match Command::decode(command) {
            // The leader verified the image, so a server that cannot
            // restore it (older than the image's format) must stop rather
            // than keep serving the state every other server replaced.
            Ok(Command::SnapshotRestore { image }) => {
                snapshot::restore(&self.store, &self.index_floor, index, &image).map_err(|e| {
                    tracing::error!(index, error = %e, "fsm: cannot restore a committed snapshot; stopping: upgrade this server");
                    consul_raft::ApplyError(format!("cannot restore snapshot: {e}; upgrade this server"))
                })?;
                Ok(CommandResult::Ok.encode())
            }
            Ok(cmd) => {
                let result = self.apply_command(index, &cmd);
                // Any write may invalidate sessions (a check going critical…).
                let armed = self.store.take_lock_delays();
                self.lock_delays.arm_all(armed, std::time::Instant::now());
                Ok(result.encode())
            }
            Err(e) if Command::marked_ignorable(command) => {
                tracing::warn!(
                    index,
                    error = %e,
                    "fsm: skipping a command this server cannot decode (marked ignorable)"
                );
                Ok(CommandResult::Rejected(CommandError::Unsupported(format!(
                    "command not supported by this server: {e}"
                )))
                .encode())
            }
            Err(e) => {
                tracing::error!(
                    index,
                    error = %e,
                    "fsm: cannot decode a committed command that is not marked ignorable \
                     (written by a newer version?); stopping: upgrade this server"
                );
                Err(consul_raft::ApplyError(format!(
                    "cannot decode command: {e}; upgrade this server to a version that \
                     knows it"
                )))
            }
        }
    }

    fn index_floor(&self) -> u64 {
        self.index_floor.load(Ordering::Acquire)
    }

    fn snapshot(&self) -> Vec<u8> {
        self.store.persist()
    }

    fn restore(&self, _index: u64, data: &[u8]) -> Result<(), String> {
        let restored = self
            .store
            .restore_reporting(data)
            .map_err(|e| e.to_string())?;
        for table in restored.skipped {
            tracing::warn!(%table, "fsm: snapshot has a table this server does not know; skipped (marked ignorable)");
        }
        Ok(())
    }
}
