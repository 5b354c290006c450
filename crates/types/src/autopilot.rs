//! Autopilot's configuration (`structs.AutopilotConfig`), kept in the
//! replicated state so every server applies the same settings and a leader
//! change keeps them; written through Raft with Consul's `?cas` semantics.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Go's `time.Duration` inside our msgpack requests: signed nanoseconds.
mod nanos {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        Ok(Duration::from_nanos(i64::deserialize(d)?.max(0) as u64))
    }
}

/// Autopilot settings (`structs.AutopilotConfig`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AutopilotConfig {
    /// Remove failed servers from the Raft configuration.
    pub cleanup_dead_servers: bool,
    /// A follower that has not heard from the leader for longer is unhealthy.
    #[serde(with = "nanos")]
    pub last_contact_threshold: Duration,
    /// A follower more entries than this behind the leader is unhealthy.
    pub max_trailing_logs: u64,
    /// Never let dead-server cleanup shrink the voters below this (0 = no floor).
    pub min_quorum: u32,
    /// How long a server must stay healthy to count as stable.
    #[serde(with = "nanos")]
    pub server_stabilization_time: Duration,
    /// Enterprise: redundancy-zone node-meta key (kept, unused).
    pub redundancy_zone_tag: String,
    /// Enterprise: disable upgrade migrations (kept, unused).
    pub disable_upgrade_migration: bool,
    /// Enterprise: upgrade version tag (kept, unused).
    pub upgrade_version_tag: String,
    /// Index at which the configuration was first set (0 = defaults, never set).
    pub create_index: u64,
    /// Index of the last change; `?cas` compares against it.
    pub modify_index: u64,
}

impl Default for AutopilotConfig {
    fn default() -> Self {
        AutopilotConfig {
            cleanup_dead_servers: true,
            last_contact_threshold: Duration::from_millis(200),
            max_trailing_logs: 250,
            min_quorum: 0,
            server_stabilization_time: Duration::from_secs(10),
            redundancy_zone_tag: String::new(),
            disable_upgrade_migration: false,
            upgrade_version_tag: String::new(),
            create_index: 0,
            modify_index: 0,
        }
    }
}

/// A write of the autopilot configuration (Consul's `AutopilotRequestType`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AutopilotSetRequest {
    /// The new configuration.
    pub config: AutopilotConfig,
    /// Store only if `config.modify_index` is the stored one's.
    pub cas: bool,
}
