//! The one request type of the server port: an enum of **areas**, each variant holding that
//! area's own request enum. What an area accepts is defined next to how it is served, in
//! `crate::endpoints::<area>::request`; this file only names the areas. The cross-cutting facts
//! the dispatcher needs (datacenter, token, read options, leader-only) come through
//! [`RequestInfo`], which every area implements.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::info::RequestInfo;
use super::query::WireQueryOptions;
use super::raft::RaftRpc;
use super::token::Token;
use crate::endpoints::acl::AclRpc;
use crate::endpoints::catalog::CatalogRpc;
use crate::endpoints::health::HealthRpc;
use crate::endpoints::internal::InternalRpc;
use crate::endpoints::kv::KvRpc;
use crate::endpoints::operator::OperatorRpc;
use crate::endpoints::session::SessionRpc;
use crate::endpoints::snapshot::SnapshotRpc;
use crate::endpoints::status::StatusRpc;
use crate::endpoints::txn::TxnRpc;

/// Every request the server port answers. Routing is by variant, never by method name.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum RpcRequest {
    /// Raft between servers (routed to the Raft node, not to the [`super::RpcHandler`]).
    Raft(RaftRpc),
    /// `Status.*`.
    Status(StatusRpc),
    /// `KVS.*`.
    Kv(KvRpc),
    /// `Catalog.*`.
    Catalog(CatalogRpc),
    /// `Health.*`.
    Health(HealthRpc),
    /// `Operator.*`.
    Operator(OperatorRpc),
    /// `Internal.*`.
    Internal(InternalRpc),
    /// `Session.*`.
    Session(SessionRpc),
    /// `Txn.*`.
    Txn(TxnRpc),
    /// `ACL.*`: tokens, policies, roles, bootstrap.
    Acl(AclRpc),
    /// `Snapshot.*`: save and restore the whole state.
    Snapshot(SnapshotRpc),
}

impl RpcRequest {
    /// The area's request, seen through what every request tells the dispatcher.
    pub fn info(&self) -> &dyn RequestInfo {
        match self {
            RpcRequest::Raft(r) => r,
            RpcRequest::Status(r) => r,
            RpcRequest::Kv(r) => r,
            RpcRequest::Catalog(r) => r,
            RpcRequest::Health(r) => r,
            RpcRequest::Operator(r) => r,
            RpcRequest::Internal(r) => r,
            RpcRequest::Session(r) => r,
            RpcRequest::Txn(r) => r,
            RpcRequest::Acl(r) => r,
            RpcRequest::Snapshot(r) => r,
        }
    }

    /// What the request needs from the caller's token (each area declares it
    /// in `endpoints/<area>/acl.rs`). Raft traffic is server-to-server and is
    /// refused before it could be served here.
    pub fn acl_requirement(&self) -> Option<&dyn crate::acl_check::AclRequirement> {
        match self {
            RpcRequest::Raft(_) => None,
            RpcRequest::Status(r) => Some(r),
            RpcRequest::Kv(r) => Some(r),
            RpcRequest::Catalog(r) => Some(r),
            RpcRequest::Health(r) => Some(r),
            RpcRequest::Operator(r) => Some(r),
            RpcRequest::Internal(r) => Some(r),
            RpcRequest::Session(r) => Some(r),
            RpcRequest::Txn(r) => Some(r),
            RpcRequest::Acl(r) => Some(r),
            RpcRequest::Snapshot(r) => Some(r),
        }
    }

    /// The datacenter it targets ("" = the receiving server's own).
    pub fn datacenter(&self) -> &str {
        self.info().datacenter()
    }

    /// The caller's ACL token (its `Debug` form is redacted).
    pub fn token(&self) -> &Token {
        self.info().token()
    }

    /// The read options of a read request; `None` for writes, Raft and status calls.
    pub fn query_options(&self) -> Option<&WireQueryOptions> {
        self.info().query_options()
    }

    /// Whether only the leader may serve it (a follower forwards it).
    pub fn needs_leader(&self) -> bool {
        self.info().needs_leader()
    }

    /// Consul's client-side timeout rule: a blocking query may take `wait + wait/16` on the
    /// server plus `hold` (`rpc_hold_timeout`) to find a leader; anything else gets
    /// `default_timeout` (Consul's `RPCClientTimeout`, 60 s).
    pub fn timeout(&self, hold: Duration, default_timeout: Duration) -> Duration {
        match self.query_options().and_then(|q| q.blocking_timeout()) {
            Some(blocking) => blocking + hold,
            None => default_timeout,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoints::kv::{KeyRequest, KvsRequest};
    use crate::rpc::DcSpecificRequest;
    use consul_types::catalog::RegisterRequest;
    use consul_types::kv::{DirEntry, KvOp};

    fn stale(yes: bool) -> WireQueryOptions {
        WireQueryOptions {
            allow_stale: yes,
            token: "tok".into(),
            ..Default::default()
        }
    }

    fn dc(yes: bool) -> DcSpecificRequest {
        DcSpecificRequest {
            datacenter: "east".into(),
            query_options: stale(yes),
            ..Default::default()
        }
    }

    #[test]
    fn writes_and_non_stale_reads_need_the_leader() {
        let write = RpcRequest::Kv(KvRpc::Apply(KvsRequest {
            datacenter: "east".into(),
            op: KvOp::Set,
            dir_ent: DirEntry::default(),
            token: "tok".into(),
        }));
        let read = |s| {
            RpcRequest::Kv(KvRpc::Get(KeyRequest {
                datacenter: "east".into(),
                query_options: stale(s),
                ..Default::default()
            }))
        };
        let register = RpcRequest::Catalog(CatalogRpc::register(
            RegisterRequest {
                datacenter: "east".into(),
                ..Default::default()
            },
            "tok".into(),
        ));
        for (req, leader) in [
            (write, true),
            (register, true),
            (read(false), true),
            (read(true), false),
            (RpcRequest::Catalog(CatalogRpc::ListNodes(dc(true))), false),
            (
                RpcRequest::Health(HealthRpc::NodeChecks(Default::default())),
                true,
            ),
        ] {
            assert_eq!(req.needs_leader(), leader, "{req:?}");
            if req.datacenter() != "" {
                assert_eq!((req.datacenter(), req.token().secret()), ("east", "tok"));
            }
        }
    }

    #[test]
    fn area_rules_override_the_default() {
        // Status calls are answered by whoever receives them, and do not block.
        let leader = RpcRequest::Status(StatusRpc::Leader(dc(false)));
        assert!(!leader.needs_leader());
        assert!(leader.query_options().is_none());
        assert_eq!(leader.datacenter(), "east");
        assert!(!RpcRequest::Catalog(CatalogRpc::ListDatacenters).needs_leader());
        // Autopilot state lives on the leader, even for a stale read.
        assert!(RpcRequest::Operator(OperatorRpc::ServerHealth(dc(true))).needs_leader());
        assert!(!RpcRequest::Operator(OperatorRpc::RaftGetConfiguration(dc(true))).needs_leader());
        let ping = RpcRequest::Status(StatusRpc::Ping);
        assert_eq!((ping.datacenter(), ping.token().is_empty()), ("", true));
    }
}
