//! What Consul checks of each operation before a transaction is applied or
//! read (`Txn.preCheck`: `kvsPreApply`, `nodePreApply`, `servicePreApply`,
//! `checkPreApply`). Every failing operation is reported with its position;
//! the service and check defaults (ID from the name) are filled in here.

use consul_types::command::TxnOpError;
use consul_types::txn::{CatalogVerb, KvVerb, TxnOp};

use crate::Server;

/// Check (and complete) every operation; the errors of those that fail.
pub(super) fn run(server: &Server, ops: &mut [TxnOp]) -> Vec<TxnOpError> {
    ops.iter_mut()
        .enumerate()
        .filter_map(|(op_index, op)| {
            check(server, op)
                .err()
                .map(|what| TxnOpError { op_index, what })
        })
        .collect()
}

fn check(server: &Server, op: &mut TxnOp) -> Result<(), String> {
    match op {
        TxnOp::Kv(op) => {
            let key = &op.dir_ent.key;
            if key.is_empty() && op.verb != KvVerb::DeleteTree {
                return Err("Must provide key".into());
            }
            if op.verb == KvVerb::Lock && lock_delayed(server, key) {
                return Err(format!("failed to lock key {key:?} due to lock delay"));
            }
            Ok(())
        }
        TxnOp::Node(op) if op.verb != CatalogVerb::Get => {
            if op.node.node.is_empty() {
                return Err("Must provide node".into());
            }
            if !op.node.id.is_empty() {
                check_uuid(&op.node.id).map_err(|why| format!("Bad node ID: {why}"))?;
            }
            Ok(())
        }
        TxnOp::Service(op) if op.verb != CatalogVerb::Get => {
            let svc = &mut op.service;
            if svc.id.is_empty() && !svc.service.is_empty() {
                svc.id = svc.service.clone();
            }
            if !svc.id.is_empty() && svc.service.is_empty() {
                return Err("Must provide service name with ID".into());
            }
            if matches!(svc.address.as_str(), "0.0.0.0" | "::" | "[::]") {
                return Err("Invalid service address".into());
            }
            Ok(())
        }
        TxnOp::Check(op) if op.verb != CatalogVerb::Get => {
            let hc = &mut op.check;
            if hc.check_id.is_empty() && !hc.name.is_empty() {
                hc.check_id = hc.name.clone();
            }
            Ok(())
        }
        TxnOp::Node(_) | TxnOp::Service(_) | TxnOp::Check(_) => Ok(()),
    }
}

/// Whether `key` is inside its lock-delay window, checked on the leader
/// before the write enters Raft (Consul's `KVSLockDelay`), as `KVS.Apply` does.
fn lock_delayed(server: &Server, key: &str) -> bool {
    server.lock_delays().blocked(key)
}

/// Consul's `uuid.ParseUUID`: 36 characters, hex in 8-4-4-4-12 groups.
fn check_uuid(id: &str) -> Result<(), &'static str> {
    if id.len() != 36 {
        return Err("uuid string is wrong length");
    }
    let ok = id.bytes().enumerate().all(|(i, b)| match i {
        8 | 13 | 18 | 23 => b == b'-',
        _ => b.is_ascii_hexdigit(),
    });
    if ok {
        Ok(())
    } else {
        Err("uuid is improperly formatted")
    }
}

#[cfg(test)]
mod tests {
    use super::check_uuid;

    #[test]
    fn node_ids_must_be_uuids() {
        assert!(check_uuid("0b0e0f4c-4a61-4f8a-9d2b-8a9b2f6c1d3e").is_ok());
        assert_eq!(check_uuid("abc"), Err("uuid string is wrong length"));
        assert_eq!(
            check_uuid("0b0e0f4c-4a61-4f8a-9d2b_8a9b2f6c1d3e"),
            Err("uuid is improperly formatted")
        );
    }
}
