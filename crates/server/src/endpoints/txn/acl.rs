//! What `Txn.*` needs, per operation as Consul's `txn_endpoint.go` decides:
//! a write (KV `key:write`, `key_write_prefix` for a tree delete; node,
//! service and check writes `node:write`/`service:write` on what they
//! change) or a KV check (`check-index`, `check-session`,
//! `check-not-exists`: `key:read`, their outcome reveals the key) that the
//! token lacks fails that operation with "Permission denied" (the whole
//! transaction is refused with 409 and the failing positions); reads are
//! not refused but their results filtered to what the token may read.

use consul_acl::{Authorize, Authorizer, Decision};
use consul_types::command::{TxnOpError, TxnOpResult, TxnResult};
use consul_types::txn::{CatalogVerb, KvVerb, TxnOp};

use super::TxnRpc;
use crate::acl_check::{anyone, AclRequirement};
use crate::{AclSettings, Identity, RpcError};

impl AclRequirement for TxnRpc {
    /// Decided per operation in the endpoint (`denied`, `filter_results`).
    fn check_acl(&self, _: &Identity, _: &AclSettings) -> Result<(), RpcError> {
        anyone()
    }
}

/// The operations `authz` may not perform, as transaction errors.
pub(super) fn denied(authz: &Authorizer, ops: &[TxnOp]) -> Vec<TxnOpError> {
    ops.iter()
        .enumerate()
        .filter(|(_, op)| op_decision(authz, op).is_some_and(|d| !d.allowed()))
        .map(|(op_index, _)| TxnOpError {
            op_index,
            what: "Permission denied".into(),
        })
        .collect()
}

/// `result` without the entries `authz` may not read.
pub(super) fn filter_results(authz: &Authorizer, mut result: TxnResult) -> TxnResult {
    result.results.retain(|r| match r {
        TxnOpResult::Kv(e) => authz.key_read(&e.key).allowed(),
        TxnOpResult::Node(n) => authz.node_read(&n.node).allowed(),
        TxnOpResult::Service(s) => authz.service_read(&s.service).allowed(),
        TxnOpResult::Check(c) => {
            authz.node_read(&c.node).allowed()
                && (c.service_name.is_empty() || authz.service_read(&c.service_name).allowed())
        }
    });
    result
}

/// The decision an operation needs before it runs; `None` for reads, whose
/// results are filtered instead.
fn op_decision(a: &Authorizer, op: &TxnOp) -> Option<Decision> {
    let reads = |verb: CatalogVerb| verb == CatalogVerb::Get;
    Some(match op {
        TxnOp::Kv(k) => {
            let key = &k.dir_ent.key;
            match k.verb {
                KvVerb::Get | KvVerb::GetTree => return None,
                KvVerb::CheckIndex | KvVerb::CheckSession | KvVerb::CheckNotExists => {
                    a.key_read(key)
                }
                KvVerb::DeleteTree => a.key_write_prefix(key),
                KvVerb::Set
                | KvVerb::Cas
                | KvVerb::Lock
                | KvVerb::Unlock
                | KvVerb::Delete
                | KvVerb::DeleteCas => a.key_write(key),
            }
        }
        TxnOp::Node(n) if reads(n.verb) => return None,
        TxnOp::Node(n) => a.node_write(&n.node.node),
        TxnOp::Service(s) if reads(s.verb) => return None,
        TxnOp::Service(s) => a.service_write(&s.service.service),
        TxnOp::Check(c) if reads(c.verb) => return None,
        TxnOp::Check(c) if c.check.service_name.is_empty() => a.node_write(&c.check.node),
        TxnOp::Check(c) => a.service_write(&c.check.service_name),
    })
}
