//! consul-gossip: HashiCorp memberlist and serf, wire-compatible, as a
//! sans-IO protocol core plus a tokio driver.
//!
//! - [`codec`]: the wire format (msgpack messages, compound, CRC, LZW,
//!   AES-GCM keyring, labels, TCP stream framing).
//! - [`memberlist`]: the sans-IO SWIM + Lifeguard core.
//! - [`sim`]: a deterministic simulator (virtual time, lossy network).
//! - [`serf`]: serf on top (tags, intents, member status, user events,
//!   queries and the `_serf_` key-management queries).
//! - [`driver`]: the tokio UDP/TCP driver (with [`driver::Handle::query`]
//!   streaming a query's acks and responses).
//!
//! Running a LAN serf member:
//!
//! ```no_run
//! use consul_gossip::{driver, memberlist::Config, serf::{Serf, SerfConfig}};
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let bind = "127.0.0.1:8301".parse()?;
//! let mut cfg = SerfConfig::new(Config::lan("node1", bind));
//! cfg.tags.insert("role".into(), "node".into());
//! let (handle, mut events) = driver::spawn(bind, Serf::new(cfg, rand::random())?).await?;
//! handle.join(vec!["127.0.0.2:8301".parse()?]).await?;
//! let members = handle
//!     .with::<Serf, _>(|s, _, _| s.members().cloned().collect::<Vec<_>>())
//!     .await?;
//! while let Some(ev) = events.recv().await { /* Event::Serf(SerfEvent::MemberJoin(..)) … */ }
//! handle.leave(std::time::Duration::from_secs(5)).await?;
//! # Ok(()) }
//! ```

pub mod codec;
pub mod driver;
pub mod memberlist;
pub mod serf;
pub mod sim;
