//! consul-gossip: HashiCorp memberlist and serf, wire-compatible, as a
//! sans-IO protocol core plus a tokio driver.
//!
//! - [`codec`]: the wire format (msgpack messages, compound, CRC, LZW,
//!   AES-GCM keyring, labels, TCP stream framing).
//! - [`memberlist`]: the sans-IO SWIM + Lifeguard core.
//! - [`sim`]: a deterministic simulator (virtual time, lossy network).
//! - [`serf`]: serf on top (tags, intents, member status, user events).
//! - [`driver`]: the tokio UDP/TCP driver.

pub mod codec;
pub mod driver;
pub mod memberlist;
pub mod serf;
pub mod sim;
