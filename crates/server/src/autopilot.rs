//! Autopilot on the leader, after Consul's (raft-autopilot): server health
//! and dead-server cleanup.
//!
//! * **Input** — the server crate does not see gossip: the agent hands every
//!   membership view to [`observe`] (the same [`Member`]s it feeds
//!   `membership::reconcile_*`). A server member turning failed or left
//!   wakes the loop at once.
//! * **Health** — every [`HEALTH_INTERVAL`] (and on each
//!   `/v1/operator/autopilot/health`), the leader asks every Raft member for
//!   its Raft progress (`Status.RaftStats`) and applies Consul's rules: gossip
//!   status alive, stats answered, last contact with the leader within
//!   `LastContactThreshold`, same term as the leader, at most
//!   `MaxTrailingLogs` entries behind. `StableSince` is when a server's
//!   verdict last changed.
//! * **Cleanup** — with `CleanupDeadServers`, every [`CLEANUP_INTERVAL`] and
//!   on a failure event, the leader removes Raft members whose gossip member
//!   is failed or left, but never the leader itself, never more than
//!   `(voters - 1) / 2` voters at once, never so many that fewer than a quorum
//!   of the current voters remain, and never below `MinQuorum` voters
//!   ([`prune_plan`]). Members gossip does not know of are left alone.
//! * **Configuration** — in the replicated state (`state/src/autopilot.rs`,
//!   written by `Command::Autopilot` with Consul's `?cas`), so every server
//!   and every new leader apply the same settings; the defaults until first
//!   set (`CreateIndex`/`ModifyIndex` 0).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::sync::{watch, Notify};

use crate::endpoints::operator::{
    self, AutopilotConfig, OperatorHealthReply, ServerHealth, ServerStats,
};
use crate::endpoints::status::StatusRpc;
use crate::membership::{Member, MemberState};
use crate::rpc::{RpcRequest, RpcResponse};
use crate::Server;

/// How often the leader refreshes server health (Consul: 2 s).
pub const HEALTH_INTERVAL: Duration = Duration::from_secs(2);
/// How often the leader looks for dead servers to remove (Consul: 10 s).
pub const CLEANUP_INTERVAL: Duration = Duration::from_secs(10);
/// How long the leader waits for one server's Raft stats.
pub const STATS_TIMEOUT: Duration = Duration::from_secs(1);

/// The autopilot configuration in this server's state.
pub fn config_of(server: &Server) -> AutopilotConfig {
    let mut ws = consul_state::WatchSet::new();
    server.store().snapshot().autopilot_config(&mut ws).1
}

/// Autopilot's state on one server (held by [`Server`]).
pub struct Autopilot {
    /// The last gossip view; `None` until the agent fed one.
    members: Mutex<Option<Vec<Member>>>,
    /// Per Raft id: the last health verdict and since when (unix seconds).
    stable: Mutex<BTreeMap<u64, (bool, u64)>>,
    wake: Notify,
    stop: watch::Sender<bool>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl Default for Autopilot {
    fn default() -> Self {
        Autopilot {
            members: Mutex::new(None),
            stable: Mutex::new(BTreeMap::new()),
            wake: Notify::new(),
            stop: watch::channel(false).0,
        }
    }
}

impl Autopilot {
    /// The last gossip view of our datacenter's servers (empty if never fed).
    pub fn members(&self) -> Vec<Member> {
        lock(&self.members).clone().unwrap_or_default()
    }

    /// Stop the loop.
    pub(crate) fn stop(&self) {
        self.stop.send_replace(true);
    }
}

/// Hand autopilot the current gossip members (the agent calls this on every
/// membership pass). Cheap: no I/O; a server member newly failed or left
/// wakes the cleanup at once.
pub fn observe(server: &Server, members: &[Member]) {
    let dc = &server.config().datacenter;
    let servers: Vec<Member> = members
        .iter()
        .filter(|m| m.server_port.is_some() && &m.datacenter == dc)
        .cloned()
        .collect();
    let ap = server.autopilot();
    let mut cur = lock(&ap.members);
    let gone = |s: MemberState| {
        matches!(
            s,
            MemberState::Failed | MemberState::Left | MemberState::Reaped
        )
    };
    let newly_dead = servers.iter().any(|m| {
        gone(m.state)
            && !cur
                .as_ref()
                .and_then(|old| old.iter().find(|o| o.name == m.name))
                .is_some_and(|o| o.state == m.state)
    });
    *cur = Some(servers);
    drop(cur);
    if newly_dead {
        ap.wake.notify_one();
    }
}

/// The leader's loop, spawned by [`Server::start`]; ends at shutdown.
pub(crate) async fn run(server: Server) {
    let mut stop = server.autopilot().stop.subscribe();
    let mut last_cleanup: Option<tokio::time::Instant> = None;
    loop {
        let woken = tokio::select! {
            _ = tokio::time::sleep(HEALTH_INTERVAL) => false,
            _ = server.autopilot().wake.notified() => true,
            _ = stop.changed() => return,
        };
        if *stop.borrow() {
            return;
        }
        if !server.is_leader() {
            continue;
        }
        if woken || last_cleanup.is_none_or(|t| t.elapsed() >= CLEANUP_INTERVAL) {
            prune_dead_servers(&server).await;
            last_cleanup = Some(tokio::time::Instant::now());
        }
        refresh_health(&server).await;
    }
}

/// The gossip member behind a Raft member, by derived id, then by address.
fn member_of<'a>(members: &'a [Member], rid: u64, addr: &str) -> Option<&'a Member> {
    members
        .iter()
        .find(|m| !m.id.is_empty() && Server::raft_id_of(&m.id) == rid)
        .or_else(|| {
            members
                .iter()
                .find(|m| m.rpc_addr().as_deref() == Some(addr))
        })
}

/// Which dead members to remove: every dead non-voter, and dead voters only
/// while Consul's limits hold (see the module docs). `self_id` is never removed.
pub fn prune_plan(
    voters: &BTreeSet<u64>,
    dead: &BTreeSet<u64>,
    self_id: u64,
    min_quorum: usize,
) -> Vec<u64> {
    let mut out: Vec<u64> = dead
        .iter()
        .filter(|id| !voters.contains(id) && **id != self_id)
        .copied()
        .collect();
    let dead_voters: Vec<u64> = voters
        .iter()
        .filter(|id| dead.contains(id) && **id != self_id)
        .copied()
        .collect();
    let n = voters.len();
    if dead_voters.is_empty() || dead_voters.len() > (n - 1) / 2 {
        if !dead_voters.is_empty() {
            tracing::warn!(
                failed = dead_voters.len(),
                voters = n,
                "autopilot: too many failed voters to remove safely"
            );
        }
        return out;
    }
    let quorum = n / 2 + 1;
    let floor = quorum.max(min_quorum);
    let removable = n.saturating_sub(floor);
    out.extend(dead_voters.into_iter().take(removable));
    out
}

/// Remove dead servers now (leader only; a no-op unless `CleanupDeadServers`
/// is set and the agent has fed a gossip view). Returns the removed Raft ids.
pub async fn prune_dead_servers(server: &Server) -> Vec<u64> {
    let ap = server.autopilot();
    let config = config_of(server);
    let Some(members) = lock(&ap.members).clone() else {
        return Vec::new();
    };
    if !config.cleanup_dead_servers || !server.is_leader() {
        return Vec::new();
    }
    let raft = server.raft();
    let all = raft.members();
    let voters: BTreeSet<u64> = all.iter().filter(|m| m.2).map(|m| m.0).collect();
    let dead: BTreeSet<u64> = all
        .iter()
        .filter(|(rid, addr, _)| {
            member_of(&members, *rid, addr).is_some_and(|m| {
                matches!(
                    m.state,
                    MemberState::Failed | MemberState::Left | MemberState::Reaped
                )
            })
        })
        .map(|m| m.0)
        .collect();
    let plan = prune_plan(&voters, &dead, raft.id(), config.min_quorum as usize);
    let mut removed = Vec::new();
    for rid in plan {
        let name = all
            .iter()
            .find(|m| m.0 == rid)
            .and_then(|(_, addr, _)| member_of(&members, rid, addr))
            .map(|m| m.name.clone())
            .unwrap_or_default();
        tracing::info!(server = %name, id = rid, "autopilot: removing dead server");
        match raft.remove_member(rid).await {
            Ok(()) => removed.push(rid),
            Err(e) => {
                tracing::warn!(server = %name, error = %e, "autopilot: failed to remove dead server");
                break;
            }
        }
    }
    removed
}

fn serf_status(m: Option<&Member>) -> &'static str {
    match m.map(|m| m.state) {
        Some(MemberState::Alive) => "alive",
        Some(MemberState::Leaving) => "leaving",
        Some(MemberState::Left) => "left",
        Some(MemberState::Failed) => "failed",
        Some(MemberState::Reaped) | None => "none",
    }
}

/// Consul's health rules for one server, given the leader's stats.
pub fn is_healthy(
    config: &AutopilotConfig,
    serf_alive: bool,
    stats: Option<&ServerStats>,
    leader: &ServerStats,
) -> bool {
    let Some(s) = stats else { return false };
    let Some(contact) = s.last_contact() else {
        return false;
    };
    serf_alive
        && contact <= config.last_contact_threshold
        && s.last_term == leader.last_term
        && s.last_index.saturating_add(config.max_trailing_logs) >= leader.last_index
}

async fn stats_of(server: &Server, rid: u64, addr: &str) -> Option<ServerStats> {
    if rid == server.raft().id() {
        return Some(operator::raft_stats(server));
    }
    let sock = addr.parse().ok()?;
    let req = RpcRequest::Status(StatusRpc::RaftStats);
    match server.pool().call(sock, &req, STATS_TIMEOUT).await {
        Ok(RpcResponse::RaftStats(s)) => Some(s),
        _ => None,
    }
}

/// Ask every Raft member for its stats and judge it; updates `StableSince`.
pub async fn refresh_health(server: &Server) -> OperatorHealthReply {
    let ap = server.autopilot();
    let config = config_of(server);
    let members = ap.members();
    let raft = server.raft();
    let leader_id = raft.leader().map(|(id, _)| id);
    let all = raft.members();
    let stats = futures::future::join_all(
        all.iter()
            .map(|(rid, addr, _)| stats_of(server, *rid, addr.as_str())),
    )
    .await;
    let leader_stats = operator::raft_stats(server);
    let pairs: Vec<(u64, String)> = all.iter().map(|m| (m.0, m.1.clone())).collect();
    let ids = operator::identities(server, &pairs, &members);
    let now = unix_now();
    let mut stable = lock(&ap.stable);
    stable.retain(|rid, _| all.iter().any(|m| m.0 == *rid));
    let mut servers = Vec::with_capacity(all.len());
    for ((rid, addr, voter), st) in all.iter().zip(stats) {
        let m = member_of(&members, *rid, addr);
        let status = serf_status(m);
        let healthy = is_healthy(&config, status == "alive", st.as_ref(), &leader_stats);
        let entry = stable.entry(*rid).or_insert((healthy, now));
        if entry.0 != healthy {
            *entry = (healthy, now);
        }
        let ident = ids.get(rid).cloned().unwrap_or_default();
        let st = st.unwrap_or_default();
        servers.push(ServerHealth {
            id: ident.id,
            name: ident.node,
            address: addr.clone(),
            serf_status: status.into(),
            version: ident.version,
            leader: leader_id == Some(*rid),
            last_contact: st
                .last_contact
                .map(|n| i64::try_from(n).unwrap_or(i64::MAX))
                .unwrap_or(-1),
            last_term: st.last_term,
            last_index: st.last_index,
            healthy,
            voter: *voter,
            stable_since: entry.1,
        });
    }
    drop(stable);
    let voters = servers.iter().filter(|s| s.voter).count();
    let healthy_voters = servers.iter().filter(|s| s.voter && s.healthy).count();
    let quorum = voters / 2 + 1;
    OperatorHealthReply {
        healthy: !servers.is_empty() && servers.iter().all(|s| s.healthy),
        failure_tolerance: healthy_voters.saturating_sub(quorum) as u64,
        servers,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(ids: &[u64]) -> BTreeSet<u64> {
        ids.iter().copied().collect()
    }

    #[test]
    fn removes_one_of_three() {
        assert_eq!(prune_plan(&set(&[1, 2, 3]), &set(&[3]), 1, 0), vec![3]);
    }

    #[test]
    fn never_removes_a_majority_or_below_quorum() {
        // Two of three dead: removing either would leave one voter.
        assert!(prune_plan(&set(&[1, 2, 3]), &set(&[2, 3]), 1, 0).is_empty());
        // One of two dead: (2-1)/2 = 0 removals allowed.
        assert!(prune_plan(&set(&[1, 2]), &set(&[2]), 1, 0).is_empty());
        // Two of five dead: both go, three remain (the quorum of five).
        assert_eq!(
            prune_plan(&set(&[1, 2, 3, 4, 5]), &set(&[4, 5]), 1, 0),
            vec![4, 5]
        );
        // Three of five dead: none.
        assert!(prune_plan(&set(&[1, 2, 3, 4, 5]), &set(&[3, 4, 5]), 1, 0).is_empty());
    }

    #[test]
    fn min_quorum_is_a_floor() {
        assert_eq!(
            prune_plan(&set(&[1, 2, 3, 4, 5]), &set(&[4, 5]), 1, 4),
            vec![4]
        );
        assert!(prune_plan(&set(&[1, 2, 3]), &set(&[3]), 1, 3).is_empty());
    }

    #[test]
    fn never_removes_itself_and_always_drops_dead_learners() {
        assert!(prune_plan(&set(&[1, 2, 3]), &set(&[1]), 1, 0).is_empty());
        // 9 is a dead learner: removed even when no voter may go.
        assert_eq!(prune_plan(&set(&[1, 2]), &set(&[2, 9]), 1, 0), vec![9]);
    }

    #[test]
    fn health_rules() {
        let cfg = AutopilotConfig::default();
        let leader = ServerStats {
            last_contact: Some(0),
            last_term: 4,
            last_index: 1000,
        };
        let ok = ServerStats {
            last_contact: Some(50_000_000),
            last_term: 4,
            last_index: 900,
        };
        assert!(is_healthy(&cfg, true, Some(&ok), &leader));
        assert!(
            !is_healthy(&cfg, false, Some(&ok), &leader),
            "serf not alive"
        );
        assert!(!is_healthy(&cfg, true, None, &leader), "no stats");
        let slow = ServerStats {
            last_contact: Some(300_000_000),
            ..ok.clone()
        };
        assert!(!is_healthy(&cfg, true, Some(&slow), &leader));
        let old_term = ServerStats {
            last_term: 3,
            ..ok.clone()
        };
        assert!(!is_healthy(&cfg, true, Some(&old_term), &leader));
        let behind = ServerStats {
            last_index: 700,
            ..ok.clone()
        };
        assert!(!is_healthy(&cfg, true, Some(&behind), &leader));
        let never = ServerStats {
            last_contact: None,
            ..ok
        };
        assert!(!is_healthy(&cfg, true, Some(&never), &leader));
    }
}
