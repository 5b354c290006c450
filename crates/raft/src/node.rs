//! [`RaftNode`]: one server's Raft instance with its log, snapshots and state machine.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use openraft::error::{
    CheckIsLeaderError, ClientWriteError, InitializeError, RaftError as ORaftError,
};
use openraft::{BasicNode, ChangeMembers, ServerState, Snapshot};
use tokio::sync::{mpsc, oneshot, watch};

use crate::batcher::{self, Limits, WriteReq};
use crate::log_store::LogStore;
use crate::network::{InstallSnapshotRequestFull, NetworkFactory};
use crate::state_machine::StateMachineStore;
use crate::types::{
    AppendEntriesRequest, AppendEntriesResponse, Metrics, Node, NodeId, Raft, SnapshotResponse,
    VoteRequest, VoteResponse,
};
use crate::{RaftConfig, RaftError, StateMachine, Transport};

/// Batches being committed at once (one being fsynced, one queued behind it).
const IN_FLIGHT_BATCHES: usize = 2;

/// One server's Raft instance. Cheap to clone.
#[derive(Clone)]
pub struct RaftNode {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    id: NodeId,
    addr: String,
    raft: Raft,
    writes: Mutex<Option<mpsc::UnboundedSender<WriteReq>>>,
    log: LogStore,
    last_contact: Mutex<Option<Instant>>,
    metrics: watch::Receiver<Metrics>,
    /// The peers, for calls openraft does not make itself (leadership transfer).
    pub(crate) transport: Arc<dyn Transport>,
    /// Held shared by every write batch and linearizable read, exclusively by a
    /// leadership transfer (which must keep the followers' leases from being renewed).
    pub(crate) gate: Arc<tokio::sync::RwLock<()>>,
    /// openraft's leader lease (its maximum election timeout) and heartbeat interval.
    pub(crate) lease: Duration,
    pub(crate) heartbeat: Duration,
}

/// A short summary of this server's Raft state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RaftStats {
    /// "Leader", "Follower", "Candidate", "Learner" or "Shutdown".
    pub state: String,
    /// Current term.
    pub term: u64,
    /// Index of the last log entry.
    pub last_log_index: u64,
    /// Index of the last applied log entry.
    pub applied_index: u64,
    /// Last log index included in the newest snapshot.
    pub snapshot_index: u64,
    /// Known leader id.
    pub leader: Option<NodeId>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Maps openraft's client-write error.
pub(crate) fn map_write_error(e: &ORaftError<NodeId, ClientWriteError<NodeId, Node>>) -> RaftError {
    match e {
        ORaftError::APIError(ClientWriteError::ForwardToLeader(f)) => {
            match (f.leader_id, &f.leader_node) {
                (Some(id), Some(n)) => RaftError::NotLeader {
                    leader: Some((id, n.addr.clone())),
                },
                _ => RaftError::NoLeader,
            }
        }
        ORaftError::APIError(ClientWriteError::ChangeMembershipError(c)) => {
            RaftError::Membership(c.to_string())
        }
        ORaftError::Fatal(f) => RaftError::from_fatal(f),
    }
}

fn map_fatal<E>(e: ORaftError<NodeId, E>) -> RaftError
where
    E: std::error::Error,
{
    match e {
        ORaftError::Fatal(f) => RaftError::from_fatal(&f),
        ORaftError::APIError(e) => RaftError::Other(e.to_string()),
    }
}

impl RaftNode {
    /// Opens the log and snapshots (restoring the newest snapshot into `sm`) and starts Raft;
    /// openraft then re-applies committed log entries after the snapshot.
    pub async fn start(
        cfg: RaftConfig,
        sm: Arc<dyn StateMachine>,
        transport: Arc<dyn Transport>,
    ) -> Result<RaftNode, RaftError> {
        let config = Arc::new(cfg.openraft_config()?);
        let raft_dir = cfg.data_dir.as_ref().map(|d| d.join("raft"));
        let log = match &raft_dir {
            Some(dir) => {
                if dir.join("raft.db").exists() {
                    return Err(RaftError::Storage(format!(
                        "{}: a raft log in the old redb format; this version keeps it in \
                         {}, remove the data directory to start over",
                        dir.join("raft.db").display(),
                        dir.join("wal").display()
                    )));
                }
                let path = dir.join("wal");
                tokio::task::spawn_blocking(move || LogStore::open(&path))
                    .await
                    .map_err(|e| RaftError::Storage(e.to_string()))??
            }
            None => LogStore::in_memory(),
        };
        let snap_dir = raft_dir.as_ref().map(|d| d.join("snapshots"));
        let sm_store = StateMachineStore::open(sm, snap_dir.as_deref()).await?;
        let raft = Raft::new(
            cfg.node_id,
            config.clone(),
            NetworkFactory(transport.clone()),
            log.clone(),
            sm_store,
        )
        .await
        .map_err(|e| RaftError::Storage(e.to_string()))?;
        let gate = Arc::new(tokio::sync::RwLock::new(()));
        let writes = batcher::spawn(
            raft.clone(),
            gate.clone(),
            Limits {
                max_batch: cfg.max_batch,
                max_bytes: cfg.max_batch_bytes,
                in_flight: IN_FLIGHT_BATCHES,
            },
        );
        let metrics = raft.metrics();
        tokio::spawn(crate::telemetry::run(metrics.clone()));
        let node = RaftNode {
            inner: Arc::new(Inner {
                id: cfg.node_id,
                addr: cfg.addr.clone(),
                raft,
                writes: Mutex::new(Some(writes)),
                log,
                last_contact: Mutex::new(None),
                metrics,
                transport,
                gate,
                lease: Duration::from_millis(config.election_timeout_max),
                heartbeat: Duration::from_millis(config.heartbeat_interval),
            }),
        };
        // A restarted single-voter cluster need not wait an election timeout.
        if node.voters() == BTreeSet::from([cfg.node_id]) && !node.is_leader() {
            let _ = node.inner.raft.trigger().elect().await;
        }
        Ok(node)
    }

    /// Initializes the cluster with `members` (id → address) as voters. A no-op when this
    /// server already has state (a restarted server never bootstraps again).
    pub async fn bootstrap(&self, members: BTreeMap<NodeId, String>) -> Result<(), RaftError> {
        let nodes: BTreeMap<NodeId, BasicNode> = members
            .into_iter()
            .map(|(id, a)| (id, BasicNode::new(a)))
            .collect();
        match self.inner.raft.initialize(nodes).await {
            Ok(()) => Ok(()),
            Err(ORaftError::APIError(InitializeError::NotAllowed(_))) => Ok(()),
            Err(ORaftError::APIError(e @ InitializeError::NotInMembers(_))) => {
                Err(RaftError::Invalid(e.to_string()))
            }
            Err(e) => Err(map_fatal(e)),
        }
    }

    /// Replicates `command` and applies it; returns its application index and the state
    /// machine's response, only after it is committed (fsynced on a quorum) and applied here.
    pub async fn write(&self, command: Vec<u8>) -> Result<(u64, Vec<u8>), RaftError> {
        consul_telemetry::incr_counter(&["raft", "apply"], 1.0);
        let (tx, rx) = oneshot::channel();
        {
            let guard = lock(&self.inner.writes);
            let Some(w) = guard.as_ref() else {
                return Err(RaftError::Shutdown);
            };
            w.send(WriteReq { command, reply: tx })
                .map_err(|_| RaftError::Shutdown)?;
        }
        rx.await.map_err(|_| RaftError::Shutdown)?
    }

    /// Confirms leadership with a quorum and waits until everything committed before the call
    /// is applied locally (ReadIndex): a read after this is linearizable.
    pub async fn ensure_linearizable(&self) -> Result<(), RaftError> {
        let _gate = self.inner.gate.read().await;
        match self.inner.raft.ensure_linearizable().await {
            Ok(_) => Ok(()),
            Err(ORaftError::APIError(CheckIsLeaderError::ForwardToLeader(f))) => {
                match (f.leader_id, f.leader_node) {
                    (Some(id), Some(n)) => Err(RaftError::NotLeader {
                        leader: Some((id, n.addr)),
                    }),
                    _ => Err(RaftError::NoLeader),
                }
            }
            Err(ORaftError::APIError(CheckIsLeaderError::QuorumNotEnough(_))) => {
                Err(RaftError::NoLeader)
            }
            Err(ORaftError::Fatal(f)) => Err(RaftError::from_fatal(&f)),
        }
    }

    /// This server's id.
    pub fn id(&self) -> NodeId {
        self.inner.id
    }

    /// This server's RPC address.
    pub fn addr(&self) -> &str {
        &self.inner.addr
    }

    /// Whether this server is currently the leader.
    pub fn is_leader(&self) -> bool {
        let m = self.inner.metrics.borrow();
        m.state == ServerState::Leader && m.current_leader == Some(self.inner.id)
    }

    /// The known leader as (id, address).
    pub fn leader(&self) -> Option<(NodeId, String)> {
        let m = self.inner.metrics.borrow();
        let id = m.current_leader?;
        let addr = m.membership_config.membership().get_node(&id)?.addr.clone();
        Some((id, addr))
    }

    /// Members of the effective configuration as (id, address, is voter).
    pub fn members(&self) -> Vec<(NodeId, String, bool)> {
        let voters = self.voters();
        let m = self.inner.metrics.borrow();
        m.membership_config
            .membership()
            .nodes()
            .map(|(id, n)| (*id, n.addr.clone(), voters.contains(id)))
            .collect()
    }

    /// Ids of the voters of the effective configuration.
    pub fn voters(&self) -> BTreeSet<NodeId> {
        self.inner
            .metrics
            .borrow()
            .membership_config
            .membership()
            .voter_ids()
            .collect()
    }

    /// Time since the last contact with the leader (zero on the leader; `None` if never).
    pub fn last_contact(&self) -> Option<Duration> {
        if self.is_leader() {
            return Some(Duration::ZERO);
        }
        lock(&self.inner.last_contact).map(|t| t.elapsed())
    }

    /// Why Raft stopped on its own on this server (a storage or state-machine failure, e.g.
    /// a committed command the state machine cannot apply); `None` while it runs and after
    /// a requested shutdown.
    pub fn fatal_error(&self) -> Option<String> {
        match &self.inner.metrics.borrow().running_state {
            Err(openraft::error::Fatal::Stopped) | Ok(()) => None,
            Err(f) => Some(f.to_string()),
        }
    }

    /// Resolves with [`RaftNode::fatal_error`] once Raft stopped on a failure; never after a
    /// requested shutdown.
    pub async fn failed(&self) -> String {
        let mut rx = self.inner.metrics.clone();
        loop {
            if let Some(reason) = self.fatal_error() {
                return reason;
            }
            if rx.changed().await.is_err() {
                // The metrics sender is gone: read the final state once more.
                return match self.fatal_error() {
                    Some(reason) => reason,
                    None => std::future::pending().await,
                };
            }
        }
    }

    /// openraft's metrics stream.
    pub fn metrics(&self) -> watch::Receiver<Metrics> {
        self.inner.metrics.clone()
    }

    /// A short summary of the current state.
    pub fn stats(&self) -> RaftStats {
        let m = self.inner.metrics.borrow();
        RaftStats {
            state: format!("{:?}", m.state),
            term: m.current_term,
            last_log_index: m.last_log_index.unwrap_or(0),
            applied_index: m.last_applied.map(|l| l.index).unwrap_or(0),
            snapshot_index: m.snapshot.map(|l| l.index).unwrap_or(0),
            leader: m.current_leader,
        }
    }

    /// Number of fsynced log commits so far (0 without a data dir).
    pub fn log_fsyncs(&self) -> u64 {
        self.inner.log.fsyncs()
    }

    /// Waits until a leader is known; returns it as (id, address).
    pub async fn wait_for_leader(&self, timeout: Duration) -> Result<(NodeId, String), RaftError> {
        let mut rx = self.inner.metrics.clone();
        let wait = async {
            loop {
                if let Some(l) = self.leader() {
                    return Ok(l);
                }
                if rx.changed().await.is_err() {
                    return Err(RaftError::Shutdown);
                }
            }
        };
        tokio::time::timeout(timeout, wait)
            .await
            .map_err(|_| RaftError::Timeout(format!("no leader after {timeout:?}")))?
    }

    /// Stops Raft, then closes the log file (the data dir can be reopened afterwards).
    pub async fn shutdown(&self) {
        lock(&self.inner.writes).take();
        let _ = self.inner.raft.shutdown().await;
        let log = self.inner.log.clone();
        let _ = tokio::task::spawn_blocking(move || log.close()).await;
    }

    /// Adds a non-voting member; with `blocking` waits until it caught up.
    pub async fn add_learner(
        &self,
        id: NodeId,
        addr: String,
        blocking: bool,
    ) -> Result<(), RaftError> {
        self.inner
            .raft
            .add_learner(id, BasicNode::new(addr), blocking)
            .await
            .map(|_| ())
            .map_err(|e| map_write_error(&e))
    }

    /// Changes the voter set to `voters` (all must be members already); with `retain`,
    /// removed voters stay as learners.
    pub async fn change_membership(
        &self,
        voters: BTreeSet<NodeId>,
        retain: bool,
    ) -> Result<(), RaftError> {
        self.inner
            .raft
            .change_membership(voters, retain)
            .await
            .map(|_| ())
            .map_err(|e| map_write_error(&e))
    }

    /// Removes one member from the configuration: a voter leaves the voter set (and the
    /// cluster, not kept as a learner), a learner is dropped. A leader that removes itself
    /// keeps leading until the new configuration commits, then steps down.
    pub async fn remove_member(&self, id: NodeId) -> Result<(), RaftError> {
        let change = if self.voters().contains(&id) {
            ChangeMembers::RemoveVoters(BTreeSet::from([id]))
        } else {
            ChangeMembers::RemoveNodes(BTreeSet::from([id]))
        };
        self.inner
            .raft
            .change_membership(change, false)
            .await
            .map(|_| ())
            .map_err(|e| map_write_error(&e))
    }

    /// On the leader: the last log index known to be replicated to each other member
    /// (0 if none yet); empty on a follower.
    pub fn replication(&self) -> BTreeMap<NodeId, u64> {
        let m = self.inner.metrics.borrow();
        m.replication
            .as_ref()
            .map(|r| {
                r.iter()
                    .filter(|(id, _)| **id != self.inner.id)
                    .map(|(id, l)| (*id, l.map(|l| l.index).unwrap_or(0)))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Raft log index of the entry that holds the effective configuration (0 if none).
    pub fn membership_index(&self) -> u64 {
        self.inner
            .metrics
            .borrow()
            .membership_config
            .log_id()
            .map(|l| l.index)
            .unwrap_or(0)
    }

    /// Asks this server to start an election now (used for leadership transfer).
    pub async fn trigger_elect(&self) -> Result<(), RaftError> {
        self.inner
            .raft
            .trigger()
            .elect()
            .await
            .map_err(|f| RaftError::from_fatal(&f))
    }

    /// Asks this server to take a snapshot now.
    pub async fn trigger_snapshot(&self) -> Result<(), RaftError> {
        self.inner
            .raft
            .trigger()
            .snapshot()
            .await
            .map_err(|f| RaftError::from_fatal(&f))
    }

    /// The underlying openraft handle, for anything not wrapped here.
    pub fn raft(&self) -> &Raft {
        &self.inner.raft
    }

    /// Handles an incoming AppendEntries from the transport.
    pub async fn handle_append_entries(
        &self,
        req: AppendEntriesRequest,
    ) -> Result<AppendEntriesResponse, RaftError> {
        let resp = self
            .inner
            .raft
            .append_entries(req)
            .await
            .map_err(map_fatal)?;
        if !matches!(resp, AppendEntriesResponse::HigherVote(_)) {
            *lock(&self.inner.last_contact) = Some(Instant::now());
        }
        Ok(resp)
    }

    /// Handles an incoming RequestVote from the transport.
    pub async fn handle_vote(&self, req: VoteRequest) -> Result<VoteResponse, RaftError> {
        self.inner.raft.vote(req).await.map_err(map_fatal)
    }

    /// Handles an incoming whole snapshot from the transport.
    pub async fn handle_install_snapshot(
        &self,
        req: InstallSnapshotRequestFull,
    ) -> Result<SnapshotResponse, RaftError> {
        let snapshot = Snapshot {
            meta: req.meta,
            snapshot: Box::new(std::io::Cursor::new(req.data)),
        };
        let resp = self
            .inner
            .raft
            .install_full_snapshot(req.vote, snapshot)
            .await
            .map_err(|e| RaftError::from_fatal(&e))?;
        *lock(&self.inner.last_contact) = Some(Instant::now());
        Ok(resp)
    }
}
