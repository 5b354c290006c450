//! A server: owns the state store, the Raft node that feeds it, and the
//! leader duties; every endpoint goes through [`Server::apply`] (writes) or
//! [`Server::read`] (reads).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use consul_raft::{RaftConfig, RaftError, RaftNode};
use consul_state::{ReadTxn, Store, WatchSet};
use consul_types::command::{Command, CommandResult};

use crate::endpoints::operator::{OperatorRpc, RaftRemovePeerRequest};
use crate::error::RpcError;
use crate::fsm::Fsm;
use crate::query::{run_blocking, QueryMeta, QueryOptions, ReadMode};
use crate::rpc::{
    ConnPool, LateHandler, ListenerConfig, PoolConfig, RaftTransportConfig, RpcListener,
    RpcTransport,
};

/// How long a call waits for a leader before failing (Consul's `rpc_hold_timeout`).
pub const RPC_HOLD_TIMEOUT: Duration = Duration::from_secs(7);

/// Log entries between snapshots when the log lives in memory (`-dev`).
const IN_MEMORY_SNAPSHOT_THRESHOLD: u64 = 2048;
/// Log entries kept after a snapshot when the log lives in memory.
const IN_MEMORY_TRAILING_LOGS: u64 = 256;

/// What a server needs to know about itself.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Node name.
    pub node_name: String,
    /// Node UUID.
    pub node_id: String,
    /// Datacenter (lower case).
    pub datacenter: String,
    /// Durable state lives here; `None` keeps everything in memory (`-dev`).
    pub data_dir: Option<PathBuf>,
    /// Address other servers reach our RPC/Raft port on.
    pub rpc_addr: SocketAddr,
    /// `performance.raft_multiplier` (1–10).
    pub raft_multiplier: u32,
    /// Bootstrap a single-server cluster (`-bootstrap`, `-bootstrap-expect 1`, `-dev`).
    pub bootstrap: bool,
    /// Where the server port listens (default: `rpc_addr`).
    pub rpc_bind: Option<SocketAddr>,
    /// The agent's `node_meta`, carried by the server's own catalog node.
    pub node_meta: std::collections::BTreeMap<String, String>,
    /// The leader's KV tombstone GC (Consul's defaults: 15 min TTL, 30 s bins).
    pub tombstone_gc: crate::tombstone_gc::TombstoneGcConfig,
    /// ACL settings (disabled by default).
    pub acl: crate::acl_resolve::AclSettings,
}

/// A running server. Cheap to clone.
#[derive(Clone)]
pub struct Server {
    inner: Arc<Inner>,
}

struct Inner {
    config: ServerConfig,
    store: Arc<Store>,
    raft: RaftNode,
    pool: ConnPool,
    listener: RpcListener,
    /// How long a quorum round's confirmation lets the leader serve default
    /// reads without another round (below the election timeout, with margin
    /// for clock drift).
    lease: Duration,
    /// Until when default reads need no quorum round (monotonic clock).
    lease_until: std::sync::Mutex<Option<std::time::Instant>>,
    /// Autopilot's configuration, gossip view and health tracking.
    autopilot: crate::autopilot::Autopilot,
    /// Set at shutdown; the server's own tasks end on it.
    stopping: tokio::sync::watch::Sender<bool>,
    /// The Raft term in which this server's leadership barrier was applied
    /// (0: none yet); see `barrier.rs`.
    established: tokio::sync::watch::Sender<u64>,
    /// Snapshot archives this server restored as leader (leader duties
    /// re-run after each, as after a gain of leadership).
    restores: std::sync::atomic::AtomicU64,
    /// Where `Internal.EventFire` broadcasts (the agent's LAN pool), once installed.
    user_events: std::sync::OnceLock<crate::endpoints::internal::SharedSink>,
    /// The leader's session TTL timers.
    session_timers: crate::session_timers::SessionTimers,
    /// Keys within their lock-delay (armed by the FSM on every server).
    lock_delays: Arc<crate::lock_delay::LockDelays>,
    /// Token resolutions, per secret, valid for one ACL index.
    acl_cache: crate::acl_resolve::ResolveCache,
}

/// Raft node ids are u64; derive ours from the node UUID so it is stable.
fn raft_id(node_id: &str) -> u64 {
    let hex: String = node_id
        .chars()
        .filter(|c| c.is_ascii_hexdigit())
        .take(16)
        .collect();
    u64::from_str_radix(&hex, 16).unwrap_or(1).max(1)
}

impl Server {
    /// Start the server: open the Raft log (restoring the newest snapshot and
    /// replaying the log into the store), and bootstrap if configured.
    pub async fn start(config: ServerConfig) -> Result<Server, RpcError> {
        let store = Arc::new(Store::new());
        let fsm = Arc::new(Fsm::new(store.clone()));
        let lock_delays = fsm.lock_delays();
        let (session_timers, timer_inbox) = crate::session_timers::SessionTimers::channel();
        let id = raft_id(&config.node_id);
        let addr = config.rpc_addr.to_string();
        // The port must listen before Raft starts; requests wait for the server.
        let late = Arc::new(LateHandler::default());
        let bind = config.rpc_bind.unwrap_or(config.rpc_addr);
        let listener = RpcListener::bind(bind, late.clone(), ListenerConfig::default())
            .await
            .map_err(|e| RpcError::Internal(format!("Failed to start RPC layer on {bind}: {e}")))?;
        let pool = ConnPool::new(PoolConfig::default());
        let mut raft_cfg = RaftConfig::consul_defaults(
            id,
            addr.clone(),
            config.data_dir.clone(),
            config.raft_multiplier,
        );
        if config.data_dir.is_none() {
            // In memory (`-dev`) the log has no disk to fall back on: snapshot
            // and trim it sooner so it does not hold thousands of batches.
            raft_cfg.snapshot_threshold = IN_MEMORY_SNAPSHOT_THRESHOLD;
            raft_cfg.trailing_logs = IN_MEMORY_TRAILING_LOGS;
        }
        let lease = raft_cfg.election_timeout_min.mul_f64(0.8);
        let transport = RpcTransport::new(pool.clone(), RaftTransportConfig::default());
        let raft = RaftNode::start(raft_cfg, fsm, Arc::new(transport))
            .await
            .map_err(raft_err)?;
        listener.raft_slot().set(raft.clone());
        if config.bootstrap {
            raft.bootstrap(BTreeMap::from([(id, addr)]))
                .await
                .map_err(raft_err)?;
        }
        let server = Server {
            inner: Arc::new(Inner {
                config,
                store,
                raft,
                pool,
                listener,
                lease,
                lease_until: std::sync::Mutex::new(None),
                autopilot: crate::autopilot::Autopilot::default(),
                stopping: tokio::sync::watch::channel(false).0,
                established: tokio::sync::watch::channel(0).0,
                restores: std::sync::atomic::AtomicU64::new(0),
                user_events: std::sync::OnceLock::new(),
                session_timers,
                lock_delays,
                acl_cache: Default::default(),
            }),
        };
        late.set(Arc::new(server.clone()));
        tokio::spawn(crate::barrier::run(server.clone()));
        tokio::spawn(crate::autopilot::run(server.clone()));
        let gc = server.inner.config.tombstone_gc;
        tokio::spawn(crate::tombstone_gc::run(server.clone(), gc));
        tokio::spawn(crate::session_timers::run(server.clone(), timer_inbox));
        tokio::spawn(crate::acl_init::run(server.clone()));
        tokio::spawn(crate::acl_token_reap::run(server.clone()));
        Ok(server)
    }

    /// Bootstrap Raft with these voters (`-bootstrap-expect` once enough
    /// servers are known); a no-op on a cluster that already has a configuration.
    pub async fn bootstrap_with(&self, voters: BTreeMap<u64, String>) -> Result<(), RpcError> {
        self.inner.raft.bootstrap(voters).await.map_err(raft_err)
    }

    /// The Raft id of a server with this node UUID.
    pub fn raft_id_of(node_id: &str) -> u64 {
        raft_id(node_id)
    }

    /// Pooled connections to other servers.
    pub fn pool(&self) -> &ConnPool {
        &self.inner.pool
    }

    /// Where the server port listens.
    pub fn rpc_listen_addr(&self) -> SocketAddr {
        self.inner.listener.local_addr()
    }

    /// Install where user events are broadcast (the agent's LAN pool; once, later calls
    /// are ignored).
    pub fn set_user_event_sink(&self, sink: crate::endpoints::internal::SharedSink) {
        let _ = self.inner.user_events.set(sink);
    }

    /// Where user events are broadcast, once the agent installed it.
    pub fn user_event_sink(&self) -> Option<crate::endpoints::internal::SharedSink> {
        self.inner.user_events.get().cloned()
    }

    /// This server's configuration.
    pub fn config(&self) -> &ServerConfig {
        &self.inner.config
    }

    /// The state store (reads only; writes go through [`Server::apply`]).
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The Raft node.
    pub fn raft(&self) -> &RaftNode {
        &self.inner.raft
    }

    /// Autopilot's state on this server.
    pub fn autopilot(&self) -> &crate::autopilot::Autopilot {
        &self.inner.autopilot
    }

    /// The leader's session TTL timers (resets and clears from endpoints).
    pub fn session_timers(&self) -> &crate::session_timers::SessionTimers {
        &self.inner.session_timers
    }

    /// Token resolutions (see `acl_resolve.rs`).
    pub(crate) fn acl_cache(&self) -> &crate::acl_resolve::ResolveCache {
        &self.inner.acl_cache
    }

    /// The keys within their lock-delay.
    pub fn lock_delays(&self) -> &crate::lock_delay::LockDelays {
        &self.inner.lock_delays
    }

    /// Whether this server is the leader.
    pub fn is_leader(&self) -> bool {
        self.inner.raft.is_leader()
    }

    /// The leader's RPC address, if one is known.
    pub fn leader_addr(&self) -> Option<String> {
        self.inner.raft.leader().map(|(_, addr)| addr)
    }

    /// RPC addresses of the Raft voters.
    pub fn peers(&self) -> Vec<String> {
        self.inner
            .raft
            .members()
            .into_iter()
            .filter(|m| m.2)
            .map(|m| m.1)
            .collect()
    }

    /// Replicate `cmd` through Raft; returns its log index and the FSM's answer
    /// once it is committed on a quorum, fsynced and applied. A refusal by the
    /// state store comes back as the [`RpcError`] of its kind.
    /// On a leader, the write waits for the leadership barrier of its term
    /// (see `barrier.rs`), so nothing is written before the leader has
    /// applied every earlier entry.
    pub async fn apply(&self, cmd: Command) -> Result<(u64, CommandResult), RpcError> {
        self.hold_for_leader().await?;
        if self.is_leader() {
            // Boxed: it keeps the layout of every caller's future shallow.
            Box::pin(self.wait_established()).await?;
        }
        self.write_raw(cmd).await
    }

    /// Write `cmd` through Raft without waiting for the leadership barrier.
    pub(crate) async fn write_raw(&self, cmd: Command) -> Result<(u64, CommandResult), RpcError> {
        let (index, resp) = self
            .inner
            .raft
            .write(cmd.encode())
            .await
            .map_err(raft_err)?;
        match CommandResult::decode(&resp) {
            CommandResult::Rejected(e) => Err(e.into()),
            ok => Ok((index, ok)),
        }
    }

    /// The term whose leadership barrier this server applied (0: none).
    pub(crate) fn established_term(&self) -> u64 {
        *self.inner.established.borrow()
    }

    /// Record that the barrier of `term` was applied.
    pub(crate) fn set_established(&self, term: u64) {
        self.inner.established.send_replace(term);
    }

    /// How many snapshot archives this server restored as leader; leader
    /// duties re-run when it changes (Consul re-asserts leadership after a
    /// restore), since the restored state may lack what they maintain.
    pub(crate) fn restores(&self) -> u64 {
        self.inner
            .restores
            .load(std::sync::atomic::Ordering::Acquire)
    }

    /// Record a restore (see [`Server::restores`]).
    pub(crate) fn count_restore(&self) {
        self.inner
            .restores
            .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
    }

    /// Subscribe to [`Server::established_term`].
    pub(crate) fn established_watch(&self) -> tokio::sync::watch::Receiver<u64> {
        self.inner.established.subscribe()
    }

    /// Run a (possibly blocking) read with the consistency `opts` ask for.
    pub async fn read<T>(
        &self,
        opts: &QueryOptions,
        read: impl FnMut(&ReadTxn, &mut WatchSet) -> (u64, T),
    ) -> Result<(QueryMeta, T), RpcError> {
        match opts.mode {
            ReadMode::Stale => {
                let (index, result) = run_blocking(&self.inner.store, opts, read).await;
                Ok((self.query_meta(index), result))
            }
            ReadMode::Consistent => {
                self.hold_for_leader().await?;
                self.confirm_leadership().await?;
                let (index, result) = run_blocking(&self.inner.store, opts, read).await;
                Ok((self.query_meta(index), result))
            }
            ReadMode::Default => self.leased_read(opts, read).await,
        }
    }

    /// A default-mode read, linearizable (beyond Consul, whose deposed leader
    /// may answer from stale state): served only while this leader holds a
    /// lease — a quorum confirmed it less than `lease` ago on the monotonic
    /// clock — checked *after* the read's snapshot was taken, so a pause
    /// (SIGSTOP, GC, swap) between check and read cannot slip stale data out.
    async fn leased_read<T>(
        &self,
        opts: &QueryOptions,
        mut read: impl FnMut(&ReadTxn, &mut WatchSet) -> (u64, T),
    ) -> Result<(QueryMeta, T), RpcError> {
        self.hold_for_leader().await?;
        if !self.lease_valid() {
            self.confirm_leadership().await?;
        }
        let (mut index, mut result) = run_blocking(&self.inner.store, opts, &mut read).await;
        while !self.lease_valid() {
            // The lease ran out while we read (or blocked): confirm again and
            // read once more without blocking.
            self.confirm_leadership().await?;
            let now = QueryOptions {
                min_index: 0,
                ..opts.clone()
            };
            (index, result) = run_blocking(&self.inner.store, &now, &mut read).await;
        }
        Ok((self.query_meta(index), result))
    }

    fn lease_valid(&self) -> bool {
        let until = *self.inner.lease_until.lock().expect("lease lock");
        self.is_leader() && until.is_some_and(|u| std::time::Instant::now() < u)
    }

    /// A quorum round (ReadIndex); on success the leader holds a lease
    /// counted from when the round started.
    async fn confirm_leadership(&self) -> Result<(), RpcError> {
        let started = std::time::Instant::now();
        match tokio::time::timeout(RPC_HOLD_TIMEOUT, self.inner.raft.ensure_linearizable()).await {
            Ok(r) => r.map_err(raft_err)?,
            // No quorum answers: we cannot prove we still lead.
            Err(_) => return Err(RpcError::NoLeader),
        }
        let mut until = self.inner.lease_until.lock().expect("lease lock");
        let candidate = started + self.inner.lease;
        if until.is_none_or(|u| u < candidate) {
            *until = Some(candidate);
        }
        Ok(())
    }

    /// The meta a read reports for a result at `index`.
    pub fn query_meta(&self, index: u64) -> QueryMeta {
        let raft = &self.inner.raft;
        QueryMeta {
            index: index.max(1),
            known_leader: raft.leader().is_some(),
            last_contact: if raft.is_leader() {
                Duration::ZERO
            } else {
                raft.last_contact().unwrap_or_default()
            },
        }
    }

    /// Turns `true` at shutdown (for the server's own tasks).
    pub(crate) fn stopping(&self) -> tokio::sync::watch::Receiver<bool> {
        self.inner.stopping.subscribe()
    }

    /// Resolves with the reason once Raft stopped on this server on its own
    /// (e.g. a committed command it cannot apply); never after [`Server::shutdown`].
    pub async fn failed(&self) -> String {
        self.inner.raft.failed().await
    }

    /// Stop Raft and close the server port.
    pub async fn shutdown(&self) {
        self.inner.stopping.send_replace(true);
        self.inner.autopilot.stop();
        self.inner.raft.shutdown().await;
        self.inner.listener.shutdown();
        self.inner.pool.shutdown();
    }
}

fn raft_err(e: RaftError) -> RpcError {
    match e {
        RaftError::NoLeader => RpcError::NoLeader,
        RaftError::Shutdown => RpcError::Shutdown,
        other => RpcError::Internal(other.to_string()),
    }
}

impl Server {
    /// Resolve when leadership may have changed, or after `max` at the latest.
    pub async fn leadership_changed(&self, max: Duration) {
        let was = self.is_leader();
        let mut metrics = self.inner.raft.metrics();
        let changed = async {
            while self.is_leader() == was {
                if metrics.changed().await.is_err() {
                    // Raft stopped: nothing will change any more.
                    std::future::pending::<()>().await;
                }
            }
        };
        let _ = tokio::time::timeout(max, changed).await;
    }

    /// Wait (up to `rpc_hold_timeout`) until a leader is known.
    pub(crate) async fn hold_for_leader(&self) -> Result<(), RpcError> {
        if self.inner.raft.leader().is_some() {
            return Ok(());
        }
        self.inner
            .raft
            .wait_for_leader(RPC_HOLD_TIMEOUT)
            .await
            .map(|_| ())
            .map_err(|_| RpcError::NoLeader)
    }
}

/// What [`Server::leave`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LeaveOutcome {
    /// This server is not in the Raft configuration: nothing to do.
    NotAMember,
    /// This server is the only voter; it stays (there is no one to hand over to).
    LastServer,
    /// A follower: the leader removed this server from the configuration.
    Removed,
    /// The leader removed itself: the smaller configuration is committed and
    /// this server stepped down. `successor` is the most caught-up remaining
    /// voter; the remaining voters elect a leader within an election timeout.
    SteppedDown {
        /// Address of the follower with the most replicated log.
        successor: String,
    },
}

impl Server {
    /// A graceful server leave: shrink the Raft configuration by this server,
    /// handing leadership over first when this server leads.
    ///
    /// * **Follower** — asks the leader (`Operator.RaftRemovePeerByAddress`,
    ///   forwarded like any write) to remove this server.
    /// * **Leader of several voters** — the hand-off is done by membership
    ///   (a leadership transfer first would cost a lease of unavailability
    ///   for nothing, as the server leaves anyway): the leader first checks that a quorum of the
    ///   remaining voters is caught up (within `MaxTrailingLogs` of its log —
    ///   otherwise it refuses and stays, as removing itself could stall the
    ///   cluster), then removes itself; openraft keeps it leading until the new
    ///   configuration is committed, then it steps down and the remaining
    ///   voters elect the most up-to-date of them within an election timeout.
    /// * **Only voter** — nothing changes ([`LeaveOutcome::LastServer`]).
    ///
    /// The caller should leave the gossip pool right afterwards, or the
    /// leader's reconciliation adds this still-alive server back as a voter.
    pub async fn leave(&self) -> Result<LeaveOutcome, RpcError> {
        let raft = &self.inner.raft;
        let me = raft.id();
        let members = raft.members();
        if !members.iter().any(|m| m.0 == me) {
            return Ok(LeaveOutcome::NotAMember);
        }
        let others: Vec<u64> = members
            .iter()
            .filter(|m| m.2 && m.0 != me)
            .map(|m| m.0)
            .collect();
        if others.is_empty() {
            return Ok(LeaveOutcome::LastServer);
        }
        if !self.is_leader() {
            let req = crate::rpc::RpcRequest::Operator(OperatorRpc::RaftRemovePeerByAddress(
                RaftRemovePeerRequest {
                    address: raft.addr().to_string(),
                    ..Default::default()
                },
            ));
            self.handle(req).await?;
            return Ok(LeaveOutcome::Removed);
        }
        // The leader: hand over only to a caught-up quorum of the others.
        let last = raft.stats().last_log_index;
        let slack = crate::autopilot::config_of(self).max_trailing_logs;
        let progress = raft.replication();
        let caught_up: Vec<(u64, u64)> = others
            .iter()
            .filter_map(|id| progress.get(id).map(|m| (*id, *m)))
            .filter(|(_, m)| m.saturating_add(slack) >= last)
            .collect();
        if caught_up.len() < others.len() / 2 + 1 {
            return Err(RpcError::Internal(format!(
                "cannot leave: only {} of {} remaining servers are caught up",
                caught_up.len(),
                others.len()
            )));
        }
        let successor = caught_up
            .iter()
            .max_by_key(|(_, m)| *m)
            .and_then(|(id, _)| members.iter().find(|m| m.0 == *id))
            .map(|m| m.1.clone())
            .unwrap_or_default();
        tracing::info!(%successor, "server: leaving, removing self from the Raft configuration");
        raft.remove_member(me).await.map_err(raft_err)?;
        // openraft steps down once the configuration without us is applied.
        let deadline = tokio::time::Instant::now() + RPC_HOLD_TIMEOUT;
        while self.is_leader() && tokio::time::Instant::now() < deadline {
            self.leadership_changed(Duration::from_millis(100)).await;
        }
        Ok(LeaveOutcome::SteppedDown { successor })
    }
}
