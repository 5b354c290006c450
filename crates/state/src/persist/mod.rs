//! Whole-state snapshots for Raft (`Store::persist` / `Store::restore`).
//!
//! Versioning rule: every image is a msgpack map with a `version` field.
//! * v2 (written now): `{version: 2, sections: [{table, ignorable, index, rows}]}`,
//!   one section per table, named by [`Table::name`]; `rows` is that table's
//!   own msgpack encoding (`sections.rs`). Adding a table adds a section and
//!   needs no new version: an image without it restores the table empty.
//!   A section this server does not know is refused (its rows would be
//!   lost) unless the writer marked it `ignorable`, then it is skipped.
//! * v1 (read only): the fixed-field image of the first release (`v1.rs`).
//! * A version above [`SNAPSHOT_FORMAT`] is refused with a message saying
//!   to upgrade. Bump the version only for a change older servers must not
//!   misread (a different section layout, a changed row encoding).

mod outside;
mod sections;
mod v1;

pub use outside::{image_stats, ImageStats, TableStats};

use serde::{Deserialize, Serialize};

use crate::error::StateError;
use crate::store::Store;
use crate::table::Table;
use crate::table_set::TableMap;
use crate::tables::Tables;

/// The format version [`Store::persist`] writes.
pub const SNAPSHOT_FORMAT: u8 = 2;

/// What a successful [`Store::restore`] reports.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Restored {
    /// Format version of the image.
    pub version: u8,
    /// Sections of tables this server does not know that their writer
    /// marked ignorable, skipped.
    pub skipped: Vec<String>,
}

/// Just the version of an image (every version has it).
#[derive(Deserialize)]
struct Probe {
    version: u8,
}

/// A v2 image as written.
#[derive(Serialize)]
struct ImageOut<'a> {
    version: u8,
    sections: Vec<SectionOut<'a>>,
}

#[derive(Serialize)]
struct SectionOut<'a> {
    table: &'static str,
    ignorable: bool,
    index: u64,
    rows: &'a serde_bytes::Bytes,
}

/// A v2 image as read (rows borrowed from the input).
#[derive(Deserialize)]
struct ImageIn<'a> {
    #[serde(borrow)]
    sections: Vec<SectionIn<'a>>,
}

#[derive(Deserialize)]
struct SectionIn<'a> {
    table: String,
    #[serde(default)]
    ignorable: bool,
    #[serde(default)]
    index: u64,
    #[serde(borrow)]
    rows: &'a serde_bytes::Bytes,
}

fn corrupt(e: impl std::fmt::Display) -> StateError {
    StateError::Corrupt(e.to_string())
}

impl Store {
    /// The whole state as a versioned msgpack image, for a Raft snapshot.
    pub fn persist(&self) -> Vec<u8> {
        persist_tables(&self.snapshot().t)
    }

    /// Replace the whole state with a [`Store::persist`] image of this or an
    /// older format; every waiter wakes. On error the state is left unchanged.
    pub fn restore(&self, bytes: &[u8]) -> Result<(), StateError> {
        self.restore_reporting(bytes).map(|_| ())
    }

    /// [`Store::restore`], answering the image's version and the ignorable
    /// sections it skipped (for the caller to log).
    pub fn restore_reporting(&self, bytes: &[u8]) -> Result<Restored, StateError> {
        let (fresh, restored) = decode_image(bytes)?;
        self.replace(fresh);
        Ok(restored)
    }

    /// Publish `fresh` as the whole state and wake every waiter.
    pub(crate) fn replace(&self, mut fresh: Tables) {
        let mut tx = self.write(0);
        fresh.seq = tx.t.seq;
        tx.t = fresh;
        tx.changes.all = true;
        tx.commit();
    }
}

/// The v2 image of one version of the tables.
pub(crate) fn persist_tables(t: &Tables) -> Vec<u8> {
    let rows: Vec<(Table, Vec<u8>)> = Table::ALL
        .into_iter()
        .map(|table| (table, sections::dump(t, table)))
        .collect();
    let image = ImageOut {
        version: SNAPSHOT_FORMAT,
        sections: rows
            .iter()
            .map(|(table, rows)| SectionOut {
                table: table.name(),
                ignorable: sections::ignorable(*table),
                index: t.indexes.get(*table),
                rows: serde_bytes::Bytes::new(rows),
            })
            .collect(),
    };
    // Plain data with string map keys always serializes into a Vec.
    rmp_serde::to_vec_named(&image).expect("state snapshot encodes")
}

/// Decode an image of any supported version into fresh tables.
pub(crate) fn decode_image(bytes: &[u8]) -> Result<(Tables, Restored), StateError> {
    // Without a version it is no image of ours at all (e.g. the state of a
    // HashiCorp Consul snapshot archive, whose layout ours shares).
    let version = rmp_serde::from_slice::<Probe>(bytes)
        .map_err(|e| corrupt(format!("not a state image this server writes ({e})")))?
        .version;
    let mut fresh = Tables::default();
    let skipped = match version {
        1 => {
            v1::load(&mut fresh, bytes)?;
            Vec::new()
        }
        2 => load_v2(&mut fresh, bytes)?,
        v if v > SNAPSHOT_FORMAT => {
            return Err(StateError::NewerFormat {
                found: v,
                supported: SNAPSHOT_FORMAT,
            })
        }
        v => return Err(corrupt(format!("unknown snapshot format v{v}"))),
    };
    Ok((fresh, Restored { version, skipped }))
}

/// Load every section of a v2 image, in [`Table::ALL`] order; answers the
/// names of the ignorable unknown sections it skipped.
fn load_v2(t: &mut Tables, bytes: &[u8]) -> Result<Vec<String>, StateError> {
    let image: ImageIn = rmp_serde::from_slice(bytes).map_err(corrupt)?;
    let mut by_table: TableMap<Option<SectionIn>> = TableMap::default();
    let mut skipped = Vec::new();
    for s in image.sections {
        match Table::from_name(&s.table) {
            Some(table) if by_table[table].is_some() => {
                return Err(corrupt(format!("table {:?} appears twice", s.table)))
            }
            Some(table) => by_table[table] = Some(s),
            None if s.ignorable => skipped.push(s.table),
            None => return Err(StateError::UnknownTable(s.table)),
        }
    }
    for table in Table::ALL {
        // An absent section is an empty table (an image older than the table).
        if let Some(s) = by_table[table].take() {
            sections::load(t, table, s.rows)?;
            t.indexes.set(table, s.index);
        }
    }
    Ok(skipped)
}
