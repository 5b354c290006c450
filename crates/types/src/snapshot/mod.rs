//! Snapshot archives (`/v1/snapshot`, `consul snapshot`): the archive's
//! layout and its metadata. Pure: bytes in, bytes out.

pub mod archive;
pub mod meta;
pub mod tar;

pub use archive::{read, write, Archive, ArchiveError, MAX_UNPACKED};
pub use meta::{SnapshotMeta, META_VERSION};
