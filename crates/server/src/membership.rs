//! Leader duty: keep the catalog and the Raft configuration in line with
//! gossip membership, as Consul's `leader.go` reconcile does. Every member is
//! a node with a `serfHealth` check — passing while alive, critical when
//! failed, deregistered when it left or was reaped; servers of our datacenter
//! become Raft voters (learner first, then promoted) and leave the
//! configuration when they leave. Sessions, KV and services are untouched.
//! This module knows nothing of the gossip library: the agent feeds it
//! [`Member`]s.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use consul_types::catalog::{
    status, DeregisterRequest, HealthCheck, NodeService, RegisterRequest, CONSUL_SERVICE,
    SERF_CHECK_ID, SERF_CHECK_NAME,
};

use crate::endpoints::catalog;
use crate::endpoints::status::StatusRpc;
use crate::rpc::{DcSpecificRequest, RpcRequest, RpcResponse};
use crate::{QueryOptions, ReadMode, RpcError, Server};

/// Gossip state of a member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberState {
    /// Alive.
    Alive,
    /// Leaving gracefully.
    Leaving,
    /// Left gracefully.
    Left,
    /// Failed (unreachable).
    Failed,
    /// Reaped (forgotten by gossip).
    Reaped,
}

/// A gossip member as the leader needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// Node name.
    pub name: String,
    /// Node UUID (serf tag `id`).
    pub id: String,
    /// Gossip address.
    pub addr: IpAddr,
    /// State.
    pub state: MemberState,
    /// Datacenter (serf tag `dc`).
    pub datacenter: String,
    /// For servers: the server port (serf tag `port`).
    pub server_port: Option<u16>,
    /// A server started in bootstrap mode (serf tag `bootstrap=1`).
    pub bootstrap: bool,
}

impl Member {
    /// The member's server RPC address, if it is a server.
    pub fn rpc_addr(&self) -> Option<String> {
        self.server_port
            .map(|p| std::net::SocketAddr::new(self.addr, p).to_string())
    }
}

fn serf_check(node: &str, state: MemberState) -> HealthCheck {
    let (st, output) = match state {
        MemberState::Alive | MemberState::Leaving => (status::PASSING, "Agent alive and reachable"),
        _ => (status::CRITICAL, "Agent not live or unreachable"),
    };
    HealthCheck {
        node: node.to_string(),
        check_id: SERF_CHECK_ID.into(),
        name: SERF_CHECK_NAME.into(),
        status: st.into(),
        output: output.into(),
        ..Default::default()
    }
}

/// Bring the catalog (and, for servers, Raft) in line with one member.
pub async fn reconcile_member(server: &Server, m: &Member) -> Result<(), RpcError> {
    if !server.is_leader() || m.datacenter != server.config().datacenter {
        return Ok(());
    }
    let stale = QueryOptions {
        mode: ReadMode::Stale,
        ..Default::default()
    };
    match m.state {
        MemberState::Alive | MemberState::Failed | MemberState::Leaving => {
            let want = serf_check(&m.name, m.state);
            let (_, checks) =
                crate::endpoints::health::node_checks(server, &stale, &m.name).await?;
            let current = checks.iter().find(|c| c.check_id == SERF_CHECK_ID);
            // Servers carry the `consul` service, as Consul's leader registers it.
            let missing_service = match m.server_port {
                Some(_) => {
                    let (_, ns) = catalog::node_services(server, &stale, &m.name).await?;
                    !ns.is_some_and(|n| n.services.contains_key(CONSUL_SERVICE))
                }
                None => false,
            };
            if current.is_none_or(|c| c.status != want.status) || missing_service {
                let reg = RegisterRequest {
                    id: m.id.clone(),
                    node: m.name.clone(),
                    address: m.addr.to_string(),
                    // Keep what the node's own agent registered about itself.
                    skip_node_update: current.is_some(),
                    service: m
                        .server_port
                        .filter(|_| missing_service)
                        .map(|port| NodeService {
                            id: CONSUL_SERVICE.into(),
                            service: CONSUL_SERVICE.into(),
                            port,
                            ..Default::default()
                        }),
                    checks: vec![want],
                    ..Default::default()
                };
                catalog::register(server, reg).await?;
            }
            if m.state == MemberState::Alive {
                add_voter(server, m).await?;
            }
        }
        MemberState::Left | MemberState::Reaped => {
            if m.name != server.config().node_name {
                let req = DeregisterRequest {
                    node: m.name.clone(),
                    ..Default::default()
                };
                let (_, node) = catalog::node_services(server, &stale, &m.name).await?;
                if node.is_some() {
                    catalog::deregister(server, req).await?;
                }
                remove_voter(server, m).await?;
            }
        }
    }
    Ok(())
}

async fn add_voter(server: &Server, m: &Member) -> Result<(), RpcError> {
    let Some(addr) = m.rpc_addr() else {
        return Ok(());
    };
    if m.bootstrap && server.config().bootstrap && m.name != server.config().node_name {
        // Each bootstrapped a cluster of its own; joining them would fork one.
        tracing::error!(
            member = %m.name,
            "leader: Two nodes are in bootstrap mode. Only one node should be in bootstrap mode, not adding Raft peer."
        );
        return Ok(());
    }
    let id = Server::raft_id_of(&m.id);
    let raft = server.raft();
    let voters = raft.voters();
    if voters.contains(&id) {
        return Ok(());
    }
    tracing::info!(server = %m.name, %addr, "leader: adding server as a voter");
    raft.add_learner(id, addr, true)
        .await
        .map_err(|e| RpcError::Internal(e.to_string()))?;
    let mut next = voters;
    next.insert(id);
    raft.change_membership(next, false)
        .await
        .map_err(|e| RpcError::Internal(e.to_string()))
}

async fn remove_voter(server: &Server, m: &Member) -> Result<(), RpcError> {
    if m.server_port.is_none() {
        return Ok(());
    }
    let id = Server::raft_id_of(&m.id);
    let raft = server.raft();
    let voters = raft.voters();
    if !voters.contains(&id) || voters.len() <= 1 {
        return Ok(());
    }
    tracing::info!(server = %m.name, "leader: removing server from the Raft configuration");
    let next: BTreeSet<u64> = voters.into_iter().filter(|v| *v != id).collect();
    raft.change_membership(next, false)
        .await
        .map_err(|e| RpcError::Internal(e.to_string()))
}

/// A full pass: reconcile every member, and deregister catalog nodes that
/// carry a `serfHealth` check but are no longer members (reaped).
pub async fn reconcile_all(server: &Server, members: &[Member]) -> Result<(), RpcError> {
    if !server.is_leader() {
        return Ok(());
    }
    for m in members {
        reconcile_member(server, m).await?;
    }
    let known: BTreeSet<&str> = members.iter().map(|m| m.name.as_str()).collect();
    let stale = QueryOptions {
        mode: ReadMode::Stale,
        ..Default::default()
    };
    let (_, checks) = crate::endpoints::health::checks_in_state(server, &stale, "any", &[]).await?;
    let gossip_nodes: BTreeMap<&str, ()> = checks
        .iter()
        .filter(|c| c.check_id == SERF_CHECK_ID)
        .map(|c| (c.node.as_str(), ()))
        .collect();
    for node in gossip_nodes.keys() {
        if !known.contains(node) && *node != server.config().node_name {
            let req = DeregisterRequest {
                node: node.to_string(),
                ..Default::default()
            };
            catalog::deregister(server, req).await?;
        }
    }
    Ok(())
}

/// `-bootstrap-expect`: once `expect` alive servers of our datacenter are
/// known, bootstrap Raft with all of them (a no-op if this server already
/// has a configuration, so a restarted cluster never bootstraps again).
/// Returns whether the expectation was met.
pub async fn try_bootstrap(
    server: &Server,
    members: &[Member],
    expect: usize,
) -> Result<bool, RpcError> {
    let servers: Vec<&Member> = members
        .iter()
        .filter(|m| {
            m.state == MemberState::Alive
                && m.server_port.is_some()
                && m.datacenter == server.config().datacenter
        })
        .collect();
    // A server in bootstrap mode owns the bootstrap: never start a second.
    if let Some(b) = servers
        .iter()
        .find(|m| m.bootstrap && m.name != server.config().node_name)
    {
        tracing::error!(
            member = %b.name,
            "agent: Member is in bootstrap mode. Disabling bootstrap."
        );
        return Ok(true);
    }
    if servers.len() < expect {
        return Ok(false);
    }
    if !server.peers().is_empty() {
        return Ok(true); // already part of a configuration
    }
    // As Consul's maybeBootstrap: if any other server already has peers, a
    // cluster exists and its leader will add us; bootstrapping would fork it.
    for m in &servers {
        let Some(addr) = m.rpc_addr() else { continue };
        if m.name == server.config().node_name {
            continue;
        }
        let Ok(sock) = addr.parse() else { continue };
        let req = RpcRequest::Status(StatusRpc::Peers(DcSpecificRequest::default()));
        match server
            .pool()
            .call(sock, &req, std::time::Duration::from_secs(5))
            .await
        {
            Ok(RpcResponse::Strings(peers)) if !peers.is_empty() => {
                tracing::info!(server = %m.name, "agent: existing Raft peers reported, will not bootstrap");
                return Ok(true);
            }
            Ok(_) => {}
            // Not answering yet: try again on the next membership change.
            Err(_) => return Ok(false),
        }
    }
    let voters: BTreeMap<u64, String> = servers
        .iter()
        .filter_map(|m| Some((Server::raft_id_of(&m.id), m.rpc_addr()?)))
        .collect();
    tracing::info!(
        count = voters.len(),
        "agent: found expected number of peers, bootstrapping Raft"
    );
    server.bootstrap_with(voters).await?;
    Ok(true)
}
