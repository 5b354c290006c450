//! Sans-IO memberlist: SWIM failure detection with Lifeguard extensions.

pub mod awareness;
pub mod broadcast;
pub mod config;
mod core;
pub mod intern;
pub mod member;
mod probe;
pub mod runtime;
mod state;
pub mod suspicion;
mod sync;

pub use self::core::{Memberlist, Stats};
pub use config::Config;
pub use intern::Interner;
pub use member::Member;
pub use runtime::{Event, Runtime, Timer};
