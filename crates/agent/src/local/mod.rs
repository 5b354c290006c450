//! The agent's local state: the services and checks this agent owns. They are
//! the source of truth for its node; every change is pushed to the catalog
//! (full anti-entropy comes with the agent/checks issue).

pub mod checks;
pub mod maintenance;
pub mod persist;
pub mod register;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use consul_types::catalog::{HealthCheck, NodeService};

/// Output-only changes reach the catalog at most this often (Consul's
/// `check_update_interval`); status changes go at once.
pub const CHECK_UPDATE_INTERVAL: Duration = Duration::from_secs(300);

pub use checks::{check_from_definition, service_checks_from_definition, MAX_OUTPUT_BYTES};
pub use register::{LocalError, Source};

/// One locally registered check and how it is kept up to date.
#[derive(Debug, Clone)]
pub struct LocalCheck {
    /// The check as the catalog sees it.
    pub check: HealthCheck,
    /// TTL, for TTL checks: without an update within it, the check turns critical.
    pub ttl: Option<Duration>,
    /// Bumped on every status update, so a stale TTL timer knows it lost.
    pub generation: u64,
    /// When a probe result was last pushed to the catalog.
    pub last_sync: Option<Instant>,
    /// Since when the check has been critical (`None` while it is not).
    pub critical_since: Option<Instant>,
    /// Remove the check's service once it has been critical this long
    /// (`deregister_critical_service_after`).
    pub deregister_after: Option<Duration>,
}

impl LocalCheck {
    /// Set the status, keeping track of when it became critical.
    fn set_status(&mut self, status: &str) {
        let critical = status == consul_types::catalog::status::CRITICAL;
        match (critical, self.critical_since) {
            (true, None) => self.critical_since = Some(Instant::now()),
            (false, Some(_)) => self.critical_since = None,
            _ => {}
        }
        self.check.status = status.to_string();
    }
}

/// Services and checks owned by this agent, plus a version counter that moves
/// on every change (for hash-style blocking on `/v1/agent/*`).
#[derive(Default)]
pub struct LocalState {
    inner: Mutex<Inner>,
    persist: std::sync::OnceLock<persist::Persist>,
    version: tokio::sync::watch::Sender<u64>,
    /// Ids of the services and checks the config files define (replaced on reload).
    file_ids: Mutex<FileIds>,
}

/// Service and check ids registered from config files.
#[derive(Default)]
struct FileIds {
    services: BTreeSet<String>,
    checks: BTreeSet<String>,
}

#[derive(Default)]
struct Inner {
    services: BTreeMap<String, NodeService>,
    checks: BTreeMap<String, LocalCheck>,
    monitors: HashMap<String, crate::checks::Monitor>,
}

impl LocalState {
    fn changed(&self) {
        self.version.send_modify(|v| *v += 1);
    }

    /// Keep API registrations under a data dir from now on.
    pub fn set_persist(&self, p: persist::Persist) {
        let _ = self.persist.set(p);
    }

    /// Where API registrations are kept, if anywhere (not in `-dev`).
    pub fn persist(&self) -> Option<&persist::Persist> {
        self.persist.get()
    }

    /// Take the ids of the services and checks the last config load
    /// registered, leaving none.
    pub fn take_file_ids(&self) -> (BTreeSet<String>, BTreeSet<String>) {
        let mut ids = self.file_ids.lock().expect("file ids lock");
        let ids = std::mem::take(&mut *ids);
        (ids.services, ids.checks)
    }

    /// Record the ids of the services and checks config files define.
    pub fn set_file_ids(&self, services: BTreeSet<String>, checks: BTreeSet<String>) {
        *self.file_ids.lock().expect("file ids lock") = FileIds { services, checks };
    }

    /// Subscribe to changes.
    pub fn subscribe(&self) -> tokio::sync::watch::Receiver<u64> {
        self.version.subscribe()
    }

    /// All services by id.
    pub fn services(&self) -> BTreeMap<String, NodeService> {
        self.inner
            .lock()
            .expect("local state lock")
            .services
            .clone()
    }

    /// One service.
    pub fn service(&self, id: &str) -> Option<NodeService> {
        self.inner
            .lock()
            .expect("local state lock")
            .services
            .get(id)
            .cloned()
    }

    /// All checks by id.
    pub fn checks(&self) -> BTreeMap<String, HealthCheck> {
        let inner = self.inner.lock().expect("local state lock");
        inner
            .checks
            .iter()
            .map(|(k, v)| (k.clone(), v.check.clone()))
            .collect()
    }

    /// How many checks have a running probe.
    pub fn monitor_count(&self) -> usize {
        self.inner.lock().expect("local state lock").monitors.len()
    }

    /// How many checks are TTL checks.
    pub fn ttl_count(&self) -> usize {
        let inner = self.inner.lock().expect("local state lock");
        inner.checks.values().filter(|c| c.ttl.is_some()).count()
    }

    /// One check with its TTL bookkeeping.
    pub fn check(&self, id: &str) -> Option<LocalCheck> {
        self.inner
            .lock()
            .expect("local state lock")
            .checks
            .get(id)
            .cloned()
    }

    /// Checks bound to a service.
    pub fn checks_of_service(&self, service_id: &str) -> Vec<HealthCheck> {
        let inner = self.inner.lock().expect("local state lock");
        inner
            .checks
            .values()
            .filter(|c| c.check.service_id == service_id)
            .map(|c| c.check.clone())
            .collect()
    }

    /// Add or replace a service.
    pub fn add_service(&self, svc: NodeService) {
        self.inner
            .lock()
            .expect("local state lock")
            .services
            .insert(svc.id.clone(), svc);
        self.changed();
    }

    /// Remove a service and the checks bound to it; returns the removed check ids.
    pub fn remove_service(&self, id: &str) -> Option<Vec<String>> {
        let mut inner = self.inner.lock().expect("local state lock");
        inner.services.remove(id)?;
        let ids: Vec<String> = inner
            .checks
            .iter()
            .filter(|(_, c)| c.check.service_id == id)
            .map(|(k, _)| k.clone())
            .collect();
        for cid in &ids {
            inner.checks.remove(cid);
            inner.monitors.remove(cid);
        }
        drop(inner);
        self.changed();
        Some(ids)
    }

    /// Add or replace a check; returns its generation.
    pub fn add_check(&self, check: HealthCheck, ttl: Option<Duration>) -> u64 {
        let mut inner = self.inner.lock().expect("local state lock");
        let generation = inner
            .checks
            .get(&check.check_id)
            .map_or(0, |c| c.generation + 1);
        // A re-registered check starts over: its old probe stops.
        inner.monitors.remove(&check.check_id);
        let mut local = LocalCheck {
            check,
            ttl,
            generation,
            last_sync: None,
            critical_since: None,
            deregister_after: None,
        };
        let status = local.check.status.clone();
        local.set_status(&status);
        inner.checks.insert(local.check.check_id.clone(), local);
        drop(inner);
        self.changed();
        generation
    }

    /// Remove a check.
    pub fn remove_check(&self, id: &str) -> bool {
        let mut inner = self.inner.lock().expect("local state lock");
        inner.monitors.remove(id);
        let removed = inner.checks.remove(id).is_some();
        drop(inner);
        if removed {
            self.changed();
        }
        removed
    }

    /// Set a check's status and output; `None` if the check is unknown.
    /// Returns the updated check and its new generation.
    pub fn update_check(&self, id: &str, status: &str, output: &str) -> Option<(HealthCheck, u64)> {
        let mut inner = self.inner.lock().expect("local state lock");
        let c = inner.checks.get_mut(id)?;
        c.set_status(status);
        c.check.output = truncate_output(output);
        c.generation += 1;
        let out = (c.check.clone(), c.generation);
        drop(inner);
        self.changed();
        Some(out)
    }

    /// Keep the probe running `id` (replacing any previous one).
    pub fn set_monitor(&self, id: &str, monitor: crate::checks::Monitor) {
        let mut inner = self.inner.lock().expect("local state lock");
        if inner.checks.contains_key(id) {
            inner.monitors.insert(id.to_string(), monitor);
        }
    }

    /// Record a probe result; returns the check when the catalog should hear
    /// of it (status changed, first result, or output changed and the last
    /// push is older than [`CHECK_UPDATE_INTERVAL`]).
    pub fn record_result(&self, id: &str, status: &str, output: &str) -> Option<HealthCheck> {
        let mut inner = self.inner.lock().expect("local state lock");
        let c = inner.checks.get_mut(id)?;
        let output = truncate_output(output);
        let status_changed = c.check.status != status;
        let output_changed = c.check.output != output;
        if !status_changed && !output_changed {
            return None;
        }
        c.set_status(status);
        c.check.output = output;
        let due = c
            .last_sync
            .is_none_or(|t| t.elapsed() >= CHECK_UPDATE_INTERVAL);
        let sync = status_changed || due;
        if sync {
            c.last_sync = Some(Instant::now());
        }
        let out = c.check.clone();
        drop(inner);
        self.changed();
        sync.then_some(out)
    }

    /// Remove `id`'s service once the check has been critical for `after`.
    pub fn set_deregister_after(&self, id: &str, after: Duration) {
        let mut inner = self.inner.lock().expect("local state lock");
        if let Some(c) = inner.checks.get_mut(id) {
            c.deregister_after = Some(after);
        }
    }

    /// Services with a check that has been critical longer than its
    /// `deregister_critical_service_after` at `now` (Consul's service reaper).
    pub fn services_to_reap(&self, now: Instant) -> Vec<(String, String)> {
        let inner = self.inner.lock().expect("local state lock");
        let mut out: Vec<(String, String)> = inner
            .checks
            .values()
            .filter(|c| !c.check.service_id.is_empty())
            .filter_map(|c| {
                let since = c.critical_since?;
                let after = c.deregister_after?;
                (now.saturating_duration_since(since) > after)
                    .then(|| (c.check.service_id.clone(), c.check.check_id.clone()))
            })
            .collect();
        out.sort();
        out.dedup_by(|a, b| a.0 == b.0);
        out
    }

    /// Mark a TTL check critical if no update arrived since `generation`.
    pub fn expire_ttl(&self, id: &str, generation: u64) -> Option<HealthCheck> {
        let mut inner = self.inner.lock().expect("local state lock");
        let c = inner.checks.get_mut(id)?;
        if c.generation != generation {
            return None;
        }
        c.set_status(consul_types::catalog::status::CRITICAL);
        c.check.output = "TTL expired".into();
        c.generation += 1;
        let out = c.check.clone();
        drop(inner);
        self.changed();
        Some(out)
    }
}

/// Cut check output to Consul's 4 KB default, on a character boundary.
pub fn truncate_output(s: &str) -> String {
    if s.len() <= MAX_OUTPUT_BYTES {
        return s.to_string();
    }
    let mut end = MAX_OUTPUT_BYTES;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{} ... (captured {} of {} bytes)", &s[..end], end, s.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use consul_types::catalog::status;

    fn check(id: &str, service: &str, st: &str) -> HealthCheck {
        HealthCheck {
            check_id: id.into(),
            service_id: service.into(),
            status: st.into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_service_is_reaped_only_after_its_check_stayed_critical_long_enough() {
        let local = LocalState::default();
        local.add_check(check("c1", "web", status::PASSING), None);
        local.add_check(check("c2", "db", status::CRITICAL), None);
        local.add_check(check("c3", "", status::CRITICAL), None);
        let after = Duration::from_secs(60);
        for id in ["c1", "c2", "c3"] {
            local.set_deregister_after(id, after);
        }
        let now = Instant::now();
        assert!(
            local.services_to_reap(now).is_empty(),
            "not critical long enough"
        );
        let later = now + Duration::from_secs(61);
        assert_eq!(
            local.services_to_reap(later),
            [("db".to_string(), "c2".to_string())],
            "only the critical service check counts; node checks never reap"
        );

        // Going critical starts the clock; recovering stops it.
        local.record_result("c1", status::CRITICAL, "down");
        assert_eq!(local.services_to_reap(later).len(), 2);
        local.record_result("c1", status::PASSING, "up");
        local.update_check("c2", status::WARNING, "meh");
        assert!(local.services_to_reap(later).is_empty());
    }
}
