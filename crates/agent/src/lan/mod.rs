//! The agent's LAN gossip pool: a serf member on `-bind`:`ports.serf_lan`
//! (UDP and TCP) with Consul's tags, joined through `-join` /
//! `-retry-join` or the snapshot of known members, left gracefully on
//! `leave`.
//!
//! - [`config`]: runtime config → [`LanOptions`] (profile, addresses, key).
//! - [`tags`]: the tags Consul sets.
//! - [`keyring`]: `-encrypt` and `<data-dir>/serf/local.keyring`.
//! - [`keyops`]: cluster-wide key operations (serf's key queries).
//! - [`join`]: address resolution and the retry-join loop.
//! - [`events`]: logging, snapshot and event fan-out.
//! - [`member`]: members as `/v1/agent/members` shows them.
//! - [`user_event`]: broadcasting user events; the pool as the server's event sink.

pub mod config;
pub mod events;
pub mod join;
pub mod keyops;
pub mod keyring;
pub mod member;
pub mod tags;
pub mod user_event;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use consul_gossip::driver::{self, DriverError, Handle};
use consul_gossip::memberlist::Config;
use consul_gossip::serf::snapshot::{Replay, Snapshotter};
use consul_gossip::serf::{Serf, SerfConfig, SerfEvent, SerfMember};
use rand::seq::SliceRandom;
use tokio::sync::broadcast;

pub use config::LanOptions;

/// Longest wait for our leave to spread (serf's broadcast timeout for the
/// intent, then memberlist's for the dead message).
const LEAVE_TIMEOUT: Duration = Duration::from_secs(10);
/// Consul's `LeavePropagateDelay`: keep answering probes after leaving so
/// the `left` status reaches everyone before we go silent.
const LEAVE_PROPAGATE_DELAY: Duration = Duration::from_secs(3);

/// What can go wrong in the LAN pool.
#[derive(Debug, thiserror::Error)]
pub enum LanError {
    /// The UDP/TCP listeners could not be set up.
    #[error("Failed to start LAN Serf: Failed to create memberlist: Could not set up network transport: failed to obtain an address: Failed to start listener on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The tags do not fit memberlist's meta limit.
    #[error("Failed to start LAN Serf: {0}")]
    Serf(String),
    /// The keyring is unusable.
    #[error("Failed to configure keyring: {0}")]
    Keyring(String),
    /// The snapshot file is unusable.
    #[error("Failed to start LAN Serf: {0}")]
    Snapshot(String),
    /// No address could be joined (Go's multierror text).
    #[error("{0}")]
    Join(String),
    /// No member has that name.
    #[error("agent: No node found with name '{0}'")]
    NoSuchNode(String),
    /// The pool has shut down.
    #[error("serf: pool is shut down")]
    Stopped,
}

impl From<DriverError> for LanError {
    fn from(e: DriverError) -> Self {
        match e {
            DriverError::Stopped => LanError::Stopped,
            other => LanError::Join(other.to_string()),
        }
    }
}

/// A running LAN serf member.
pub struct LanPool {
    handle: Handle,
    name: String,
    default_port: u16,
    snapshot: Option<Arc<Mutex<Snapshotter>>>,
    events: broadcast::Sender<SerfEvent>,
    left: tokio::sync::Mutex<bool>,
    stopped: AtomicBool,
    encrypted: bool,
}

impl LanPool {
    /// Bind, start gossiping, and return the pool with what the snapshot
    /// remembered (for [`LanPool::rejoin`]).
    pub async fn start(opts: LanOptions) -> Result<(Arc<LanPool>, Replay), LanError> {
        let mut ml = if opts.dev {
            Config::dev(opts.node_name.clone(), opts.advertise)
        } else {
            Config::lan(opts.node_name.clone(), opts.advertise)
        };
        ml.wire.keyring = opts.keyring.clone();
        let encrypted = opts.keyring.is_some();
        let mut sc = SerfConfig::new(ml);
        sc.tags = opts.tags.clone();
        sc.keyring_file = opts.keyring_file.clone();
        let (snapshot, replay) = match &opts.snapshot_path {
            Some(path) => {
                let (s, r) = Snapshotter::open(path, opts.rejoin_after_leave)
                    .map_err(|e| LanError::Snapshot(e.to_string()))?;
                (Some(Arc::new(Mutex::new(s))), r)
            }
            None => (None, Replay::default()),
        };
        let mut serf = Serf::new(sc, rand::random()).map_err(|e| LanError::Serf(e.to_string()))?;
        serf.restore_clocks(replay.clock, replay.event_clock, replay.query_clock);
        let (handle, rx) = driver::spawn(opts.bind, serf).await.map_err(|e| match e {
            DriverError::Io(source) => LanError::Bind {
                addr: opts.bind,
                source,
            },
            other => LanError::Serf(other.to_string()),
        })?;
        let (tx, _) = broadcast::channel(1024);
        tokio::spawn(events::run(
            handle.clone(),
            rx,
            snapshot.clone(),
            tx.clone(),
        ));
        tracing::info!(
            "agent: Started LAN serf on {} (advertise {})",
            handle.local_addr,
            opts.advertise
        );
        let pool = Arc::new(LanPool {
            handle,
            name: opts.node_name,
            default_port: opts.advertise.port(),
            snapshot,
            events: tx,
            left: tokio::sync::Mutex::new(false),
            stopped: AtomicBool::new(false),
            encrypted,
        });
        Ok((pool, replay))
    }

    /// Our node name in the pool.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether gossip is encrypted (a keyring was configured).
    pub fn encrypted(&self) -> bool {
        self.encrypted
    }

    /// Where the pool's sockets are bound.
    pub fn local_addr(&self) -> SocketAddr {
        self.handle.local_addr
    }

    /// Whether the pool has shut down.
    pub fn is_stopped(&self) -> bool {
        self.stopped.load(Ordering::Relaxed)
    }

    /// Membership and user events from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<SerfEvent> {
        self.events.subscribe()
    }

    /// Every member serf knows (alive, leaving, left and failed ones until
    /// they are reaped).
    pub async fn members(&self) -> Result<Vec<SerfMember>, LanError> {
        let mut v = self
            .handle
            .with::<Serf, _>(|s, _, _| s.members().cloned().collect::<Vec<_>>())
            .await?;
        v.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(v)
    }

    /// This agent's own member record.
    pub async fn local_member(&self) -> Result<Option<SerfMember>, LanError> {
        let name = self.name.clone();
        Ok(self
            .handle
            .with::<Serf, _>(move |s, _, _| s.member(&name).cloned())
            .await?)
    }

    /// Our tags.
    pub async fn tags(&self) -> Result<BTreeMap<String, String>, LanError> {
        Ok(self
            .handle
            .with::<Serf, _>(|s, _, _| s.tags().clone())
            .await?)
    }

    /// Join the pool through any of `addrs`; returns how many answered.
    /// Fails (with memberlist's per-address reasons) if none did.
    pub async fn join(&self, addrs: &[String]) -> Result<usize, LanError> {
        tracing::info!(lan_addresses = ?addrs, "agent: (LAN) joining");
        let mut resolved = Vec::new();
        let mut errors = Vec::new();
        for a in addrs {
            match join::resolve(a, self.default_port).await {
                Ok(v) => resolved.extend(v),
                Err(e) => errors.push(e),
            }
        }
        let result = if resolved.is_empty() {
            Err(LanError::Join(multi_error(&errors)))
        } else {
            self.handle.join(resolved).await.map_err(LanError::from)
        };
        match &result {
            Ok(n) => tracing::info!(number_of_nodes = n, "agent: (LAN) joined"),
            Err(e) => tracing::warn!(number_of_nodes = 0, error = %e, "agent: (LAN) couldn't join"),
        }
        result
    }

    /// Rejoin the members a snapshot remembered, one at a time in random
    /// order until one answers (serf's `handleRejoin`).
    pub async fn rejoin(self: Arc<Self>, prev: Vec<(String, SocketAddr)>) {
        let mut prev: Vec<_> = prev.into_iter().filter(|(n, _)| *n != self.name).collect();
        if prev.is_empty() {
            return;
        }
        prev.shuffle(&mut rand::thread_rng());
        for (name, addr) in prev {
            if self.is_stopped() {
                return;
            }
            tracing::info!("serf: Attempting re-join to previously known node: {name}: {addr}");
            if self.handle.join(vec![addr]).await.is_ok() {
                tracing::info!("serf: Re-joined to previously known node: {name}: {addr}");
                return;
            }
        }
        tracing::warn!("serf: Failed to re-join any previously known node");
    }

    /// Move a member to `left` (and with `prune`, forget it at once).
    pub async fn force_leave(&self, node: &str, prune: bool) -> Result<(), LanError> {
        tracing::info!(node, prune, "agent: Force leaving node");
        let name = node.to_string();
        let found = self
            .handle
            .with::<Serf, _>(move |s, now, fx| {
                if s.member(&name).is_none() {
                    return false;
                }
                s.force_leave(&name, prune, now, fx);
                true
            })
            .await?;
        if !found {
            return Err(LanError::NoSuchNode(node.to_string()));
        }
        Ok(())
    }

    /// Leave gracefully: announce it, wait for it to spread, record it in
    /// the snapshot. Leaving twice is a no-op.
    pub async fn leave(&self) -> Result<(), LanError> {
        let mut left = self.left.lock().await;
        if *left {
            return Ok(());
        }
        tracing::info!("serf: Leaving LAN pool");
        self.handle.leave(LEAVE_TIMEOUT).await?;
        if let Some(Ok(mut s)) = self.snapshot.as_ref().map(|s| s.lock()) {
            if let Err(e) = s.record_leave() {
                tracing::warn!(error = %e, "serf: snapshot write failed");
            }
        }
        let peers =
            self.members().await?.iter().any(|m| {
                m.name != self.name && m.status == consul_gossip::serf::MemberStatus::Alive
            });
        if peers {
            tokio::time::sleep(LEAVE_PROPAGATE_DELAY).await;
        }
        *left = true;
        Ok(())
    }

    /// Stop gossiping (without leaving).
    pub fn shutdown(&self) {
        self.stopped.store(true, Ordering::Relaxed);
        self.handle.shutdown();
    }
}

/// Go's multierror text for a list of reasons.
pub(crate) fn multi_error(errs: &[String]) -> String {
    let mut s = if errs.len() == 1 {
        "1 error occurred:\n".to_string()
    } else {
        format!("{} errors occurred:\n", errs.len())
    };
    for e in errs {
        s.push_str(&format!("\t* {e}\n"));
    }
    s.push('\n');
    s
}

/// Where the snapshot lives under the data directory.
pub const LAN_SNAPSHOT: &str = "serf/local.snapshot";
