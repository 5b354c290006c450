//! Operator endpoint: the Raft configuration (list and remove peers, move
//! the leadership) and
//! autopilot (configuration and server health), as Consul's `Operator.*`.
//!
//! Raft identifies members by a `u64` id derived from the node UUID
//! ([`Server::raft_id_of`]) and stores only their address, so names and
//! UUIDs are recovered from the catalog (nodes carrying the `consul`
//! service, matched by derived id, then by address), then from the gossip
//! members autopilot was last fed. A member found nowhere is listed with
//! Node `(unknown)` and its raft id as 16 hex digits, which
//! [`Server::raft_id_of`] maps back to the same id, so it can still be removed.
//!
//! `Index` of the configuration is the **Raft log index** of the entry that
//! holds it (as Consul's `GetConfiguration().Index()`; the bootstrap
//! configuration, at openraft's index 0, is reported as 1), not the
//! application index the rest of the API reports.

mod acl;
mod request;
mod transfer;
mod types;

pub use request::{
    AutopilotSetConfigRequest, OperatorRpc, RaftRemovePeerRequest, RaftTransferLeaderRequest,
};
pub use transfer::transfer_leader;
pub use types::{
    AutopilotConfig, OperatorHealthReply, RaftConfigurationResponse, RaftServer, ServerHealth,
    ServerStats, RAFT_PROTOCOL,
};

use std::collections::BTreeMap;

use consul_types::autopilot::AutopilotSetRequest;
use consul_types::catalog::CONSUL_SERVICE;
use consul_types::command::{Command, CommandResult};

use crate::autopilot;
use crate::dispatch::RequestCtx;
use crate::membership::Member;
use crate::rpc::RpcResponse;
use crate::{RpcError, Server};

/// Serve one `Operator.*` call (routed here by the dispatcher).
pub(crate) async fn serve(
    server: &Server,
    _ctx: &RequestCtx,
    req: OperatorRpc,
) -> Result<RpcResponse, RpcError> {
    Ok(match req {
        OperatorRpc::RaftGetConfiguration(_) => {
            RpcResponse::RaftConfiguration(raft_configuration(server))
        }
        OperatorRpc::RaftRemovePeerById(r) => {
            remove_peer_by_id(server, &r.id).await?;
            RpcResponse::Empty
        }
        OperatorRpc::RaftRemovePeerByAddress(r) => {
            remove_peer_by_address(server, &r.address).await?;
            RpcResponse::Empty
        }
        OperatorRpc::AutopilotGetConfiguration(_) => {
            RpcResponse::AutopilotConfig(autopilot_get_config(server))
        }
        OperatorRpc::AutopilotSetConfiguration(r) => {
            RpcResponse::Bool(autopilot_set_config(server, r.config, r.cas).await?)
        }
        OperatorRpc::ServerHealth(_) => RpcResponse::OperatorHealth(server_health(server).await?),
        OperatorRpc::RaftTransferLeader(r) => {
            transfer_leader(server, &r.id).await?;
            RpcResponse::Bool(true)
        }
    })
}

/// A catalog or gossip identity of a Raft member.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Identity {
    pub id: String,
    pub node: String,
    pub version: String,
}

/// Names and UUIDs of the Raft members `(raft id, address)`; see the module docs.
pub(crate) fn identities(
    server: &Server,
    members: &[(u64, String)],
    gossip: &[Member],
) -> BTreeMap<u64, Identity> {
    let snap = server.store().snapshot();
    let mut ws = consul_state::WatchSet::new();
    let (_, consul_nodes) = snap.service_nodes(&mut ws, CONSUL_SERVICE, &[], &[]);
    members
        .iter()
        .map(|(rid, addr)| {
            let by_id = consul_nodes
                .iter()
                .find(|sn| !sn.id.is_empty() && Server::raft_id_of(&sn.id) == *rid);
            let by_addr = || {
                consul_nodes
                    .iter()
                    .find(|sn| format!("{}:{}", sn.address, sn.service_port) == *addr)
            };
            let found = by_id.or_else(by_addr).map(|sn| Identity {
                id: sn.id.clone(),
                node: sn.node.clone(),
                version: sn.service_meta.get("version").cloned().unwrap_or_default(),
            });
            let gossip_found = || {
                gossip
                    .iter()
                    .find(|m| {
                        (!m.id.is_empty() && Server::raft_id_of(&m.id) == *rid)
                            || m.rpc_addr().as_deref() == Some(addr.as_str())
                    })
                    .map(|m| Identity {
                        id: m.id.clone(),
                        node: m.name.clone(),
                        version: String::new(),
                    })
            };
            let ident = found.or_else(gossip_found).unwrap_or_else(|| Identity {
                id: format!("{rid:016x}"),
                node: "(unknown)".into(),
                version: String::new(),
            });
            (*rid, ident)
        })
        .collect()
}

/// The Raft configuration as this server knows it (`Operator.RaftGetConfiguration`).
pub fn raft_configuration(server: &Server) -> RaftConfigurationResponse {
    RaftConfigurationResponse {
        servers: listing(server).into_iter().map(|(_, s)| s).collect(),
        // openraft keeps the bootstrap configuration at log index 0; report it
        // as 1, where hashicorp/raft's bootstrap entry sits.
        index: server.raft().membership_index().max(1),
    }
}

/// Every member with its raft id.
fn listing(server: &Server) -> Vec<(u64, RaftServer)> {
    let raft = server.raft();
    let leader = raft.leader().map(|(id, _)| id);
    let members = raft.members();
    let pairs: Vec<(u64, String)> = members.iter().map(|m| (m.0, m.1.clone())).collect();
    let gossip = server.autopilot().members();
    let ids = identities(server, &pairs, &gossip);
    members
        .into_iter()
        .map(|(rid, addr, voter)| {
            let ident = ids.get(&rid).cloned().unwrap_or_default();
            let s = RaftServer {
                id: ident.id,
                node: ident.node,
                address: addr,
                leader: leader == Some(rid),
                protocol_version: RAFT_PROTOCOL.into(),
                voter,
            };
            (rid, s)
        })
        .collect()
}

/// The raft id of the member listed with this ID (as `list-peers` shows
/// it), or whose node UUID derives it.
fn raft_id_by_server_id(server: &Server, id: &str) -> Option<u64> {
    let members = listing(server);
    let by_listing = members
        .iter()
        .find(|(_, s)| s.id.eq_ignore_ascii_case(id))
        .map(|(rid, _)| *rid);
    let by_uuid = || {
        let rid = Server::raft_id_of(id);
        (looks_like_uuid(id) && members.iter().any(|m| m.0 == rid)).then_some(rid)
    };
    by_listing.or_else(by_uuid)
}

fn looks_like_uuid(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// Remove the member with this ID (`Operator.RaftRemovePeerByID`); must run on the leader.
pub async fn remove_peer_by_id(server: &Server, id: &str) -> Result<(), RpcError> {
    let Some(rid) = raft_id_by_server_id(server, id) else {
        return Err(RpcError::Internal(format!(
            "id {id:?} was not found in the Raft configuration"
        )));
    };
    remove(server, rid, id).await
}

/// Remove the member at this address (`Operator.RaftRemovePeerByAddress`); must run on the leader.
pub async fn remove_peer_by_address(server: &Server, address: &str) -> Result<(), RpcError> {
    let Some((rid, _, _)) = server.raft().members().into_iter().find(|m| m.1 == address) else {
        return Err(RpcError::Internal(format!(
            "address {address:?} was not found in the Raft configuration"
        )));
    };
    remove(server, rid, address).await
}

async fn remove(server: &Server, rid: u64, what: &str) -> Result<(), RpcError> {
    if !server.is_leader() {
        return Err(RpcError::NoLeader);
    }
    match server.raft().remove_member(rid).await {
        Ok(()) => {
            tracing::warn!(peer = %what, "operator: removed Raft peer");
            Ok(())
        }
        Err(e) => {
            tracing::warn!(peer = %what, error = %e, "operator: failed to remove Raft peer");
            Err(RpcError::Internal(e.to_string()))
        }
    }
}

/// This server's Raft progress (`Status.RaftStats`), answered locally.
pub fn raft_stats(server: &Server) -> ServerStats {
    let raft = server.raft();
    let stats = raft.stats();
    ServerStats {
        last_contact: raft
            .last_contact()
            .map(|d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)),
        last_term: stats.term,
        last_index: stats.last_log_index,
    }
}

/// The autopilot configuration (`Operator.AutopilotGetConfiguration`).
pub fn autopilot_get_config(server: &Server) -> AutopilotConfig {
    autopilot::config_of(server)
}

/// Replace the autopilot configuration (`Operator.AutopilotSetConfiguration`)
/// through Raft; with `cas`, only if its `ModifyIndex` equals
/// `config.modify_index`. Answers whether it was stored.
pub async fn autopilot_set_config(
    server: &Server,
    config: AutopilotConfig,
    cas: bool,
) -> Result<bool, RpcError> {
    let cmd = Command::Autopilot(AutopilotSetRequest { config, cas });
    match server.apply(cmd).await?.1 {
        CommandResult::Bool(stored) => Ok(stored),
        other => Err(RpcError::Internal(format!(
            "unexpected result of an autopilot write: {other:?}"
        ))),
    }
}

/// Health of every server (`Operator.ServerHealth`); must run on the leader.
pub async fn server_health(server: &Server) -> Result<OperatorHealthReply, RpcError> {
    if !server.is_leader() {
        return Err(RpcError::NoLeader);
    }
    Ok(autopilot::refresh_health(server).await)
}
