//! What `KVS.*` needs: `key:write` on the key for a write (`key_write_prefix`
//! for a tree delete, so no denied key below it can go), `key:read` for a
//! get; lists are filtered in `serve` (and with `enable_key_list_policy`,
//! need `key:list` on the prefix).

use consul_acl::Authorize;
use consul_types::kv::KvOp;

use super::KvRpc;
use crate::acl_check::{check, AclRequirement};
use crate::{AclSettings, Identity, RpcError};

impl AclRequirement for KvRpc {
    fn check_acl(&self, id: &Identity, settings: &AclSettings) -> Result<(), RpcError> {
        match self {
            KvRpc::Apply(r) => match r.op {
                KvOp::DeleteTree => check(id, |a| a.key_write_prefix(&r.dir_ent.key)),
                KvOp::Set
                | KvOp::Delete
                | KvOp::DeleteCas
                | KvOp::Cas
                | KvOp::Lock
                | KvOp::Unlock => check(id, |a| a.key_write(&r.dir_ent.key)),
            },
            KvRpc::Get(r) => check(id, |a| a.key_read(&r.key)),
            KvRpc::List(r) => list(id, settings, &r.key),
            KvRpc::ListKeys(r) => list(id, settings, &r.prefix),
        }
    }
}

fn list(id: &Identity, settings: &AclSettings, prefix: &str) -> Result<(), RpcError> {
    if settings.enable_key_list_policy {
        return check(id, |a| a.key_list(prefix));
    }
    Ok(())
}
