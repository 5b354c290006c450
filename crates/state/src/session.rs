//! Sessions: create, destroy and invalidation (with the release/delete of
//! every lock the session holds and the lock-delays that arms), the reads of
//! `/v1/session/*`, and the KV lock/unlock operations that depend on them.
//!
//! Invalidation always runs inside the write transaction of its cause — a
//! destroy, a bound check going critical or deregistered, the node
//! deregistered — so no reader ever sees a lock held by a dead session.
//!
//! Indexes kept beside the `sessions` table: sessions by node, sessions by
//! bound `(node, check)`, and, per session, the keys it ever locked while it
//! lives (a superset: each key's `Session` field is checked again before a
//! release, so a key deleted or re-locked since is left alone).

use std::sync::Arc;
use std::time::Duration;

use consul_types::catalog::status;
use consul_types::kv::DirEntry;
use consul_types::session::{validate_uuid, Session, SessionBehavior, SessionOp, SessionRequest};

use crate::error::StateError;
use crate::table::Table;
use crate::tables::Tables;
use crate::txn::{ReadTxn, WriteTxn};
use crate::watch::WatchSet;

/// The lookup error Consul answers for a malformed session ID.
fn lookup_error(id: &str) -> Option<StateError> {
    validate_uuid(id)
        .err()
        .map(|e| StateError::InvalidRequest(format!("failed session lookup: index error: {e}")))
}

/// Add `s` to the secondary indexes (not the lock index).
pub(crate) fn index_session(t: &mut Tables, s: &Session) {
    t.sessions_by_node.insert((s.node.clone(), s.id.clone()));
    for check in s.check_ids() {
        t.session_checks
            .insert((s.node.clone(), check, s.id.clone()));
    }
}

impl WriteTxn<'_> {
    /// Apply a session write.
    pub fn session_apply(&mut self, req: &SessionRequest) -> Result<(), StateError> {
        match req.op {
            SessionOp::Create => self.session_create(req.session.clone()),
            SessionOp::Destroy => self.session_destroy(&req.session.id),
        }
    }

    /// Create a session: its node must exist and every bound check must
    /// exist on that node and not be critical.
    pub fn session_create(&mut self, mut s: Session) -> Result<(), StateError> {
        if s.id.is_empty() {
            return Err(StateError::InvalidRequest("Missing session ID".into()));
        }
        if !self.t.nodes.contains_key(&s.node) {
            return Err(StateError::MissingNode(s.node.clone()));
        }
        for check in s.check_ids() {
            match self.t.checks.get(&(s.node.clone(), check.clone())) {
                None => {
                    return Err(StateError::InvalidRequest(format!(
                        "Missing check '{check}' registration"
                    )))
                }
                Some(hc) if hc.status == status::CRITICAL => {
                    return Err(StateError::InvalidRequest(format!(
                        "Check '{check}' is in {} state",
                        hc.status
                    )))
                }
                Some(_) => {}
            }
        }
        s.create_index = self.index;
        s.modify_index = self.index;
        index_session(&mut self.t, &s);
        self.t.sessions.insert(s.id.clone(), Arc::new(s));
        self.touch(Table::Sessions);
        Ok(())
    }

    /// Destroy a session (invalidating it); an unknown one is a no-op.
    pub fn session_destroy(&mut self, id: &str) -> Result<(), StateError> {
        if let Some(e) = lookup_error(id) {
            return Err(e);
        }
        self.invalidate_session(id);
        Ok(())
    }

    /// Remove session `id` and apply its behavior to every lock it holds,
    /// arming each key's lock-delay.
    pub(crate) fn invalidate_session(&mut self, id: &str) {
        let Some(s) = self.t.sessions.remove(id) else {
            return;
        };
        self.t
            .sessions_by_node
            .remove(&(s.node.clone(), s.id.clone()));
        for check in s.check_ids() {
            self.t
                .session_checks
                .remove(&(s.node.clone(), check, s.id.clone()));
        }
        let keys = self.t.session_locks.remove(id).unwrap_or_default();
        let delay = s.effective_lock_delay();
        for key in keys {
            let Some(e) = self.t.kvs.get(&*key).cloned() else {
                continue;
            };
            if e.session != id {
                continue;
            }
            match s.behavior {
                SessionBehavior::Release => {
                    let mut e = DirEntry::clone(&e);
                    e.session.clear();
                    self.kv_set_inner(e, true);
                }
                SessionBehavior::Delete => {
                    // Deleting a key cannot fail.
                    let _ = self.kv_delete(&key);
                }
            }
            if !delay.is_zero() {
                self.lock_delays.push((key.to_string(), delay));
            }
        }
        self.touch(Table::Sessions);
    }

    /// Invalidate every session bound to check `check` of `node`.
    pub(crate) fn invalidate_check_sessions(&mut self, node: &str, check: &str) {
        let ids: Vec<String> = self
            .t
            .session_checks
            .range((node.to_string(), check.to_string(), String::new())..)
            .take_while(|(n, c, _)| n == node && c == check)
            .map(|(_, _, id)| id.clone())
            .collect();
        for id in ids {
            self.invalidate_session(&id);
        }
    }

    /// Invalidate every session of `node`.
    pub(crate) fn invalidate_node_sessions(&mut self, node: &str) {
        let ids: Vec<String> = self
            .t
            .sessions_by_node
            .range((node.to_string(), String::new())..)
            .take_while(|(n, _)| n == node)
            .map(|(_, id)| id.clone())
            .collect();
        for id in ids {
            self.invalidate_session(&id);
        }
    }

    /// Check a lock request's session: present, well-formed, existing.
    fn lock_session(&self, session: &str) -> Result<(), StateError> {
        if session.is_empty() {
            return Err(StateError::InvalidRequest("missing session".into()));
        }
        if let Some(e) = lookup_error(session) {
            return Err(e);
        }
        if !self.t.sessions.contains_key(session) {
            return Err(StateError::InvalidRequest(format!(
                "invalid session {session:?}"
            )));
        }
        Ok(())
    }

    /// Acquire `entry.key`'s lock for `entry.session`, writing the entry's
    /// value and flags: `true` when the key was free (LockIndex + 1) or
    /// already held by that session, `false` when another session holds it.
    pub fn kv_lock(&mut self, mut entry: DirEntry) -> Result<bool, StateError> {
        self.lock_session(&entry.session)?;
        match self.t.kvs.get(entry.key.as_str()) {
            Some(e) if e.session == entry.session => entry.lock_index = e.lock_index,
            Some(e) if !e.session.is_empty() => return Ok(false),
            Some(e) => entry.lock_index = e.lock_index + 1,
            None => entry.lock_index = 1,
        }
        let key: Arc<str> = Arc::from(entry.key.as_str());
        let mut held = self
            .t
            .session_locks
            .get(&entry.session)
            .cloned()
            .unwrap_or_default();
        held.insert(key);
        self.t.session_locks.insert(entry.session.clone(), held);
        self.kv_set_inner(entry, true);
        Ok(true)
    }

    /// Release `entry.key`'s lock, writing the entry's value and flags:
    /// `true` only when `entry.session` holds it.
    pub fn kv_unlock(&mut self, mut entry: DirEntry) -> Result<bool, StateError> {
        if entry.session.is_empty() {
            return Err(StateError::InvalidRequest("missing session".into()));
        }
        let Some(e) = self.t.kvs.get(entry.key.as_str()) else {
            return Ok(false);
        };
        if e.session != entry.session {
            return Ok(false);
        }
        entry.lock_index = e.lock_index;
        entry.session.clear();
        self.kv_set_inner(entry, true);
        Ok(true)
    }
}

impl ReadTxn {
    /// The sessions table's index.
    fn sessions_index(&self) -> u64 {
        self.table_index(Table::Sessions)
    }

    /// One session by ID (a malformed ID is Consul's lookup error).
    pub fn session_get(
        &self,
        ws: &mut WatchSet,
        id: &str,
    ) -> Result<(u64, Option<Session>), StateError> {
        if let Some(e) = lookup_error(id) {
            return Err(e);
        }
        ws.add_table(Table::Sessions);
        let s = self.t.sessions.get(id).map(|s| Session::clone(s));
        Ok((self.sessions_index(), s))
    }

    /// Every session, by ID.
    pub fn session_list(&self, ws: &mut WatchSet) -> (u64, Vec<Session>) {
        ws.add_table(Table::Sessions);
        let all = self
            .t
            .sessions
            .values()
            .map(|s| Session::clone(s))
            .collect();
        (self.sessions_index(), all)
    }

    /// The sessions of one node, by ID.
    pub fn node_sessions(&self, ws: &mut WatchSet, node: &str) -> (u64, Vec<Session>) {
        ws.add_table(Table::Sessions);
        let out = self
            .t
            .sessions_by_node
            .range((node.to_string(), String::new())..)
            .take_while(|(n, _)| n == node)
            .filter_map(|(_, id)| self.t.sessions.get(id))
            .map(|s| Session::clone(s))
            .collect();
        (self.sessions_index(), out)
    }

    /// How many sessions exist.
    pub fn session_count(&self) -> usize {
        self.t.sessions.len()
    }
}

/// The lock-delays a committed write armed: `(key, delay)`, to be timed by
/// the caller (the store keeps no clock).
pub type ArmedLockDelays = Vec<(String, Duration)>;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;
    use consul_types::catalog::{DeregisterRequest, HealthCheck, RegisterRequest};

    const S1: &str = "11111111-1111-1111-1111-111111111111";
    const S2: &str = "22222222-2222-2222-2222-222222222222";

    fn register(store: &Store, idx: u64, check_status: &str) {
        store
            .ensure_registration(
                idx,
                &RegisterRequest {
                    node: "n1".into(),
                    address: "127.0.0.1".into(),
                    checks: vec![HealthCheck {
                        node: "n1".into(),
                        check_id: "serfHealth".into(),
                        status: check_status.into(),
                        ..Default::default()
                    }],
                    ..Default::default()
                },
            )
            .unwrap();
    }

    fn session(id: &str, behavior: SessionBehavior) -> SessionRequest {
        SessionRequest {
            op: SessionOp::Create,
            session: Session {
                id: id.into(),
                node: "n1".into(),
                behavior,
                lock_delay: Duration::from_secs(15),
                node_checks: Some(vec!["serfHealth".into()]),
                ..Default::default()
            },
        }
    }

    fn lock(store: &Store, idx: u64, key: &str, sess: &str) -> bool {
        let mut tx = store.write(idx);
        let ok = tx
            .kv_lock(DirEntry {
                key: key.into(),
                session: sess.into(),
                value: Some(bytes::Bytes::from_static(b"v")),
                ..Default::default()
            })
            .unwrap();
        tx.commit();
        ok
    }

    fn entry(store: &Store, key: &str) -> Option<DirEntry> {
        store.snapshot().kv_get(&mut WatchSet::new(), key).1
    }

    #[test]
    fn create_refuses_unknown_nodes_and_missing_or_critical_checks() {
        let store = Store::new();
        let err = store.session_apply(1, &session(S1, SessionBehavior::Release));
        assert_eq!(err.unwrap_err().to_string(), "Missing node registration");
        register(&store, 2, "critical");
        let err = store.session_apply(3, &session(S1, SessionBehavior::Release));
        assert_eq!(
            err.unwrap_err().to_string(),
            "Check 'serfHealth' is in critical state"
        );
        let mut req = session(S1, SessionBehavior::Release);
        req.session.node_checks = Some(vec!["nope".into()]);
        assert_eq!(
            store.session_apply(4, &req).unwrap_err().to_string(),
            "Missing check 'nope' registration"
        );
    }

    #[test]
    fn lock_exclusion_and_release_on_check_failure() {
        let store = Store::new();
        register(&store, 1, "passing");
        store
            .session_apply(2, &session(S1, SessionBehavior::Release))
            .unwrap();
        store
            .session_apply(3, &session(S2, SessionBehavior::Delete))
            .unwrap();
        assert!(lock(&store, 4, "a", S1));
        assert!(lock(&store, 5, "a", S1), "the holder may re-acquire");
        assert!(!lock(&store, 6, "a", S2), "another session may not");
        assert_eq!(entry(&store, "a").unwrap().lock_index, 1);
        assert!(lock(&store, 7, "b", S2));
        // serfHealth goes critical: both sessions die in the same write.
        register(&store, 8, "critical");
        let snap = store.snapshot();
        assert_eq!(snap.session_count(), 0);
        let a = entry(&store, "a").unwrap();
        assert_eq!(
            (a.session.as_str(), a.lock_index, a.modify_index),
            ("", 1, 8)
        );
        assert!(entry(&store, "b").is_none(), "Behavior=delete deletes");
        let mut armed = store.take_lock_delays();
        armed.sort();
        assert_eq!(
            armed,
            vec![
                ("a".to_string(), Duration::from_secs(15)),
                ("b".to_string(), Duration::from_secs(15))
            ]
        );
    }

    #[test]
    fn node_and_check_deregistration_invalidate() {
        let store = Store::new();
        register(&store, 1, "passing");
        store
            .session_apply(2, &session(S1, SessionBehavior::Release))
            .unwrap();
        assert!(lock(&store, 3, "k", S1));
        let dereg = DeregisterRequest {
            node: "n1".into(),
            check_id: "serfHealth".into(),
            ..Default::default()
        };
        store.deregister(4, &dereg).unwrap();
        assert_eq!(store.snapshot().session_count(), 0);
        assert_eq!(entry(&store, "k").unwrap().session, "");
        register(&store, 5, "passing");
        let mut req = session(S2, SessionBehavior::Release);
        req.session.node_checks = Some(vec![]);
        store.session_apply(6, &req).unwrap();
        let dereg = DeregisterRequest {
            node: "n1".into(),
            ..Default::default()
        };
        store.deregister(7, &dereg).unwrap();
        assert_eq!(store.snapshot().session_count(), 0);
    }

    #[test]
    fn unlock_only_for_the_holder_and_sessions_survive_snapshots() {
        let store = Store::new();
        register(&store, 1, "passing");
        store
            .session_apply(2, &session(S1, SessionBehavior::Release))
            .unwrap();
        assert!(lock(&store, 3, "k", S1));
        let image = store.persist();
        let copy = Store::new();
        copy.restore(&image).unwrap();
        let (_, list) = copy.snapshot().session_list(&mut WatchSet::new());
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].create_index, 2);
        // The restored lock index still finds the key held by S1.
        copy.session_apply(
            4,
            &SessionRequest {
                op: SessionOp::Destroy,
                session: Session {
                    id: S1.into(),
                    ..Default::default()
                },
            },
        )
        .unwrap();
        assert_eq!(entry(&copy, "k").unwrap().session, "");
        let mut tx = store.write(5);
        let unlock = |tx: &mut WriteTxn<'_>, s: &str| {
            tx.kv_unlock(DirEntry {
                key: "k".into(),
                session: s.into(),
                ..Default::default()
            })
            .unwrap()
        };
        assert!(!unlock(&mut tx, S2));
        assert!(unlock(&mut tx, S1));
        tx.commit();
        assert_eq!(entry(&store, "k").unwrap().lock_index, 1);
        let mut tx = store.write(6);
        let err = tx.kv_lock(DirEntry {
            key: "k".into(),
            session: "zz".into(),
            ..Default::default()
        });
        assert_eq!(
            err.unwrap_err().to_string(),
            "failed session lookup: index error: UUID must be 36 characters"
        );
        let err = tx.kv_lock(DirEntry {
            key: "k".into(),
            session: S2.into(),
            ..Default::default()
        });
        assert_eq!(
            err.unwrap_err().to_string(),
            format!("invalid session \"{S2}\"")
        );
    }
}
