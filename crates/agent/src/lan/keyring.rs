//! The gossip keyring: the `-encrypt` key, persisted at
//! `<data-dir>/serf/local.keyring` (a JSON list of base64 keys, the first
//! one primary) so key rotations survive restarts. As in Consul, an
//! existing keyring file wins over `-encrypt`.

use std::path::Path;

use base64::Engine;
use consul_gossip::codec::{Key, Keyring};

use super::LanError;

/// Where the LAN keyring lives under the data directory.
pub const LAN_KEYRING: &str = "serf/local.keyring";

fn decode(key: &str) -> Result<Key, LanError> {
    let raw = base64::engine::general_purpose::STANDARD
        .decode(key.trim())
        .map_err(|e| LanError::Keyring(format!("Failed to decode key: {e}")))?;
    Key::new(&raw).map_err(|e| LanError::Keyring(format!("Invalid key: {e}")))
}

fn keyring_of(keys: &[String]) -> Result<Option<Keyring>, LanError> {
    let mut it = keys.iter();
    let Some(first) = it.next() else {
        return Ok(None);
    };
    let primary = decode(first)?;
    let others = it.map(|k| decode(k)).collect::<Result<Vec<_>, _>>()?;
    Ok(Some(Keyring::new(primary, others)))
}

/// The keyring to gossip with: the file under `data_dir` if present
/// (written from `encrypt` on first use), else `encrypt` alone, else none.
pub fn load(encrypt: Option<&str>, data_dir: Option<&Path>) -> Result<Option<Keyring>, LanError> {
    let Some(dir) = data_dir else {
        return keyring_of(&encrypt.map(str::to_string).into_iter().collect::<Vec<_>>());
    };
    let path = dir.join(LAN_KEYRING);
    if !path.exists() {
        let Some(key) = encrypt else {
            return Ok(None);
        };
        decode(key)?;
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| LanError::Keyring(format!("{}: {e}", parent.display())))?;
        }
        let body = serde_json::to_string(&[key.trim()]).unwrap_or_default();
        std::fs::write(&path, body)
            .map_err(|e| LanError::Keyring(format!("{}: {e}", path.display())))?;
        restrict(&path);
    } else if encrypt.is_some() {
        tracing::warn!("agent: WARNING: LAN keyring exists but -encrypt given, using keyring");
    }
    let text = std::fs::read_to_string(&path)
        .map_err(|e| LanError::Keyring(format!("{}: {e}", path.display())))?;
    let keys: Vec<String> = serde_json::from_str(&text)
        .map_err(|e| LanError::Keyring(format!("{}: {e}", path.display())))?;
    keyring_of(&keys)
}

/// Keys are secrets: owner-only permissions.
fn restrict(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
}

#[cfg(test)]
mod tests {
    use super::*;

    const K1: &str = "pUqJrVyVRj5jsiYEkM/tFQYfWyJIv4s3XkvDwy7Cu5s=";
    const K2: &str = "HH8MsHEqYGuDlLZS0Zz5z+Gi5zm6vuVtvZNNlDtcuWQ=";

    #[test]
    fn file_is_written_once_and_wins() {
        let dir = std::env::temp_dir().join(format!("lan-keyring-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        assert!(load(None, Some(&dir)).unwrap().is_none());
        let k = load(Some(K1), Some(&dir)).unwrap().unwrap();
        assert_eq!(k.primary(), &decode(K1).unwrap());
        let text = std::fs::read_to_string(dir.join(LAN_KEYRING)).unwrap();
        assert_eq!(text, format!("[\"{K1}\"]"));
        let k = load(Some(K2), Some(&dir)).unwrap().unwrap();
        assert_eq!(k.primary(), &decode(K1).unwrap());
        assert!(load(Some("not base64!"), None).is_err());
        assert!(load(Some(K2), None).unwrap().is_some());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
