//! Services and checks registered through the API survive restarts: each is
//! written as JSON under `<data-dir>/services/` or `<data-dir>/checks/`,
//! named by a hash of its id, with the ACL token it was registered with
//! (the file is readable by the agent's user only), and loaded again when
//! the agent starts.
//! Definitions from config files are not persisted (the files are the source).

use std::path::{Path, PathBuf};

use consul_types::agent::{CheckDefinition, ServiceDefinition};
use serde::{de::DeserializeOwned, Deserialize, Serialize};

/// Where persisted definitions live.
#[derive(Debug, Clone)]
pub struct Persist {
    services: PathBuf,
    checks: PathBuf,
}

/// A persisted service, in the envelope Consul writes.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PersistedService {
    service: ServiceDefinition,
    #[serde(default)]
    token: String,
}

/// A persisted check, in the envelope Consul writes.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PersistedCheck {
    check: CheckDefinition,
    #[serde(default)]
    token: String,
}

fn file_name(id: &str) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, id.as_bytes());
    digest
        .as_ref()
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Write `bytes` to `path` atomically (temp file, fsync, rename), mode
/// 0600: the file holds a token.
fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let tmp = path.with_extension("tmp");
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(&tmp, path)
}

fn load_dir<T: DeserializeOwned>(dir: &Path) -> Vec<T> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    paths
        .into_iter()
        .filter(|p| p.extension().is_none())
        .filter_map(|p| match std::fs::read(&p).map(|b| serde_json::from_slice::<T>(&b)) {
            Ok(Ok(v)) => Some(v),
            Ok(Err(e)) => {
                tracing::warn!(file = %p.display(), error = %e, "agent: ignoring unreadable persisted definition");
                None
            }
            Err(_) => None,
        })
        .collect()
}

impl Persist {
    /// Persistence under `data_dir`, creating the directories.
    pub fn open(data_dir: &Path) -> std::io::Result<Persist> {
        let p = Persist {
            services: data_dir.join("services"),
            checks: data_dir.join("checks"),
        };
        std::fs::create_dir_all(&p.services)?;
        std::fs::create_dir_all(&p.checks)?;
        Ok(p)
    }

    /// Remember a service registered through the API with `token`.
    pub fn save_service(
        &self,
        id: &str,
        def: &ServiceDefinition,
        token: &str,
    ) -> std::io::Result<()> {
        let body = serde_json::to_vec(&PersistedService {
            service: def.clone(),
            token: token.to_string(),
        })?;
        write_atomic(&self.services.join(file_name(id)), &body)
    }

    /// Forget a service.
    pub fn remove_service(&self, id: &str) {
        let _ = std::fs::remove_file(self.services.join(file_name(id)));
    }

    /// Remember a check registered through the API with `token`.
    pub fn save_check(&self, id: &str, def: &CheckDefinition, token: &str) -> std::io::Result<()> {
        let body = serde_json::to_vec(&PersistedCheck {
            check: def.clone(),
            token: token.to_string(),
        })?;
        write_atomic(&self.checks.join(file_name(id)), &body)
    }

    /// Forget a check.
    pub fn remove_check(&self, id: &str) {
        let _ = std::fs::remove_file(self.checks.join(file_name(id)));
    }

    /// Every persisted service definition, with its token.
    pub fn services(&self) -> Vec<(ServiceDefinition, String)> {
        load_dir::<PersistedService>(&self.services)
            .into_iter()
            .map(|p| (p.service, p.token))
            .collect()
    }

    /// Every persisted check definition, with its token.
    pub fn checks(&self) -> Vec<(CheckDefinition, String)> {
        load_dir::<PersistedCheck>(&self.checks)
            .into_iter()
            .map(|p| (p.check, p.token))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_definitions_load_back_with_their_tokens_and_removed_ones_do_not() {
        let dir = tempfile::tempdir().unwrap();
        let p = Persist::open(dir.path()).unwrap();
        let svc = ServiceDefinition {
            id: "web-1".into(),
            name: "web".into(),
            port: 80,
            ..Default::default()
        };
        p.save_service("web-1", &svc, "svc-secret").unwrap();
        let chk = CheckDefinition {
            id: "hb".into(),
            name: "hb".into(),
            ttl: Some(std::time::Duration::from_secs(5)),
            ..Default::default()
        };
        p.save_check("hb", &chk, "").unwrap();
        let again = Persist::open(dir.path()).unwrap();
        assert_eq!(again.services(), vec![(svc, "svc-secret".to_string())]);
        assert_eq!(again.checks(), vec![(chk, String::new())]);
        // The files hold tokens: only the agent's user may read them.
        use std::os::unix::fs::PermissionsExt;
        for e in std::fs::read_dir(dir.path().join("services")).unwrap() {
            let mode = e.unwrap().metadata().unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "mode {mode:o}");
        }
        again.remove_service("web-1");
        again.remove_check("hb");
        assert!(again.services().is_empty() && again.checks().is_empty());
    }
}
