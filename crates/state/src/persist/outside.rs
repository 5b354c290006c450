//! Images from outside this server's own Raft log: a snapshot archive a user
//! restores (`PUT /v1/snapshot`), or one `consul snapshot inspect` reads.
//!
//! Restoring one must keep every index a client has seen monotonic, although
//! the image may come from a younger cluster: [`Store::restore_above`] raises
//! every table's index (and each service name's) to at least the index of
//! the write that restores it, and answers the highest index the state then
//! carries, which the next write must be numbered above.

use super::{decode_image, sections, Restored};
use crate::error::StateError;
use crate::store::Store;
use crate::table::Table;

/// One table of an image, for `consul snapshot inspect`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableStats {
    /// The table's name ([`Table::name`]).
    pub name: &'static str,
    /// Its rows.
    pub count: usize,
    /// Its index in the image.
    pub index: u64,
    /// Bytes its rows take in the image.
    pub size: usize,
}

/// What an image holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageStats {
    /// The image's format version.
    pub version: u8,
    /// Every table this server knows, in [`Table::ALL`] order.
    pub tables: Vec<TableStats>,
    /// Every KV entry's key and the bytes its row takes, in key order (for
    /// `consul snapshot inspect -kvdetails`).
    pub kvs: Vec<(String, usize)>,
}

/// Decode an image (checking it as a restore would) and count its rows.
pub fn image_stats(bytes: &[u8]) -> Result<ImageStats, StateError> {
    let (t, restored) = decode_image(bytes)?;
    Ok(ImageStats {
        version: restored.version,
        tables: Table::ALL
            .into_iter()
            .map(|table| TableStats {
                name: table.name(),
                count: sections::count(&t, table),
                index: t.indexes.get(table),
                size: sections::dump(&t, table).len(),
            })
            .collect(),
        kvs: t
            .kvs
            .iter()
            .map(|(k, e)| (k.to_string(), sections::row_size(&**e)))
            .collect(),
    })
}

impl Store {
    /// Replace the whole state with an outside image, as the write at
    /// `index`: every table's and service name's index becomes at least
    /// `index`. Answers what was restored and the highest index the state
    /// now carries (≥ `index`). On error nothing changes.
    pub fn restore_above(&self, bytes: &[u8], index: u64) -> Result<(Restored, u64), StateError> {
        let (mut fresh, restored) = decode_image(bytes)?;
        let ix = &mut fresh.indexes;
        for table in Table::ALL {
            ix.bump(table, index);
        }
        ix.services = ix
            .services
            .iter()
            .map(|(k, v)| (k.clone(), (*v).max(index)))
            .collect();
        ix.service_extinction = ix.service_extinction.max(index);
        let highest = Table::ALL
            .into_iter()
            .map(|t| ix.get(t))
            .chain(ix.services.values().copied())
            .max()
            .unwrap_or(index);
        self.replace(fresh);
        Ok((restored, highest))
    }

    /// The whole state's image with its highest table index, taken from one
    /// version of the state (for a snapshot archive's `Index`).
    pub fn persist_indexed(&self) -> (u64, Vec<u8>) {
        let snap = self.snapshot();
        let index = Table::ALL
            .into_iter()
            .map(|table| snap.t.indexes.get(table))
            .max()
            .unwrap_or(0);
        (index, super::persist_tables(&snap.t))
    }

    /// The highest table index of the current state (the index of the last
    /// write that changed anything).
    pub fn max_index(&self) -> u64 {
        let t = &self.snapshot().t;
        Table::ALL
            .into_iter()
            .map(|table| t.indexes.get(table))
            .max()
            .unwrap_or(0)
    }
}
