//! What `Txn.*` needs: every operation its own permission — KV reads
//! `key:read`, KV writes `key:write` (`key_write_prefix` for a tree delete),
//! node operations `node:read`/`node:write`, service operations
//! `service:read`/`service:write`, check operations the same on the check's
//! service, or its node for a node-level check. One missing permission
//! refuses the whole transaction with 403 (Consul reports it per
//! operation in a 409; see ARCHITECTURE.md).

use consul_acl::{Authorize, Authorizer, Decision};
use consul_types::txn::{CatalogVerb, KvVerb, TxnOp};

use super::TxnRpc;
use crate::acl_check::{require, AclRequirement};
use crate::{AclSettings, Identity, RpcError};

impl AclRequirement for TxnRpc {
    fn check_acl(&self, id: &Identity, _: &AclSettings) -> Result<(), RpcError> {
        let ops = match self {
            TxnRpc::Apply(r) => &r.ops,
            TxnRpc::Read(r) => &r.ops,
        };
        ops.iter()
            .try_for_each(|op| require(op_decision(&id.authz, op)))
    }
}

fn op_decision(a: &Authorizer, op: &TxnOp) -> Decision {
    let reads = |verb: CatalogVerb| verb == CatalogVerb::Get;
    match op {
        TxnOp::Kv(k) => {
            let key = &k.dir_ent.key;
            match k.verb {
                KvVerb::Get
                | KvVerb::GetTree
                | KvVerb::CheckIndex
                | KvVerb::CheckSession
                | KvVerb::CheckNotExists => a.key_read(key),
                KvVerb::DeleteTree => a.key_write_prefix(key),
                KvVerb::Set
                | KvVerb::Cas
                | KvVerb::Lock
                | KvVerb::Unlock
                | KvVerb::Delete
                | KvVerb::DeleteCas => a.key_write(key),
            }
        }
        TxnOp::Node(n) if reads(n.verb) => a.node_read(&n.node.node),
        TxnOp::Node(n) => a.node_write(&n.node.node),
        TxnOp::Service(s) if reads(s.verb) => a.service_read(&s.service.service),
        TxnOp::Service(s) => a.service_write(&s.service.service),
        TxnOp::Check(c) => {
            let on_service = !c.check.service_name.is_empty();
            match (reads(c.verb), on_service) {
                (true, true) => a.service_read(&c.check.service_name),
                (true, false) => a.node_read(&c.check.node),
                (false, true) => a.service_write(&c.check.service_name),
                (false, false) => a.node_write(&c.check.node),
            }
        }
    }
}
