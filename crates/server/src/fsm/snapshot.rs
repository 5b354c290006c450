//! Applying a restored snapshot archive (`Command::SnapshotRestore`): the
//! image replaces the whole state as the write at `index`, and the highest
//! index it then carries becomes the floor Raft numbers later commands above.

use std::sync::atomic::{AtomicU64, Ordering};

use consul_state::{StateError, Store};

/// Restore `image` as the write at `index`; on error nothing changed.
pub(super) fn restore(
    store: &Store,
    floor: &AtomicU64,
    index: u64,
    image: &[u8],
) -> Result<(), StateError> {
    let (restored, highest) = store.restore_above(image, index)?;
    floor.fetch_max(highest, Ordering::AcqRel);
    for table in restored.skipped {
        tracing::warn!(%table, "fsm: restored snapshot has a table this server does not know; skipped (marked ignorable)");
    }
    tracing::info!(index, highest, "fsm: state replaced by a restored snapshot");
    Ok(())
}
