//! consul-state: Consul's in-memory state store (the go-memdb analogue).
//!
//! Tables live in persistent `imbl` maps inside one [`Tables`](tables) root, so
//! a read snapshot is an `Arc` clone. One writer at a time clones the root,
//! mutates it inside a [`WriteTxn`] and publishes it on commit, then wakes
//! exactly the [`WatchSet`]s whose reads the commit touched. Pure library: no
//! I/O, no async runtime.

mod acl;
mod acl_auth;
mod autopilot;
mod catalog;
mod catalog_txn;
mod error;
mod health;
mod index;
mod kv;
mod persist;
mod registry;
mod session;
mod store;
mod table;
mod table_set;
mod tables;
mod tombstone;
mod txn;
mod txn_ops;
mod watch;

pub use acl::TokenFilter;
pub use error::StateError;
pub use persist::{image_stats, ImageStats, Restored, TableStats, SNAPSHOT_FORMAT};
pub use session::ArmedLockDelays;
pub use store::Store;
pub use table::Table;
pub use txn::{ReadTxn, WriteTxn};
pub use watch::{WaitFuture, WatchSet};
