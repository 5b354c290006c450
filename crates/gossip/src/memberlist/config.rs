//! memberlist configuration and the LAN / WAN / dev profiles Consul uses.

use crate::codec::WireConfig;
use std::net::SocketAddr;
use std::time::Duration;

/// Protocol and delegate versions advertised in `Vsn`
/// (`[pmin, pmax, pcur, dmin, dmax, dcur]`).
pub const DEFAULT_VSN: [u8; 6] = [1, 5, 2, 2, 5, 4];

/// Largest node meta memberlist accepts.
pub const META_MAX_SIZE: usize = 512;

/// Tunables of the SWIM + Lifeguard protocol.
#[derive(Debug, Clone)]
pub struct Config {
    /// Unique node name.
    pub name: String,
    /// Address other members reach us at (UDP and TCP).
    pub advertise: SocketAddr,
    /// Node metadata (serf tags), at most [`META_MAX_SIZE`] bytes.
    pub meta: Vec<u8>,
    /// Versions advertised to peers.
    pub vsn: [u8; 6],
    /// Time between gossip rounds.
    pub gossip_interval: Duration,
    /// Members gossiped to per round.
    pub gossip_nodes: usize,
    /// How long dead members still receive gossip.
    pub gossip_to_the_dead_time: Duration,
    /// Time between probes.
    pub probe_interval: Duration,
    /// Wait for a direct ack before probing indirectly.
    pub probe_timeout: Duration,
    /// Members asked to probe indirectly.
    pub indirect_checks: usize,
    /// Suspicion timeout multiplier.
    pub suspicion_mult: u32,
    /// Upper bound of the suspicion timeout, as a multiple of the lower.
    pub suspicion_max_timeout_mult: u32,
    /// Broadcast retransmit multiplier.
    pub retransmit_mult: u32,
    /// Full state sync interval (0 disables).
    pub push_pull_interval: Duration,
    /// Stream (TCP) timeout.
    pub tcp_timeout: Duration,
    /// Local health awareness: maximum multiplier.
    pub awareness_max_multiplier: u32,
    /// After this long, a dead member's name may be reused by a new address.
    pub dead_node_reclaim_time: Duration,
    /// Largest UDP packet we build.
    pub udp_buffer_size: usize,
    /// Packet framing (label, keys, compression, CRC).
    pub wire: WireConfig,
}

impl Config {
    /// memberlist's `DefaultLANConfig` with Consul's overrides.
    pub fn lan(name: impl Into<String>, advertise: SocketAddr) -> Self {
        Config {
            name: name.into(),
            advertise,
            meta: Vec::new(),
            vsn: DEFAULT_VSN,
            gossip_interval: Duration::from_millis(200),
            gossip_nodes: 3,
            gossip_to_the_dead_time: Duration::from_secs(30),
            probe_interval: Duration::from_secs(1),
            probe_timeout: Duration::from_millis(500),
            indirect_checks: 3,
            suspicion_mult: 4,
            suspicion_max_timeout_mult: 6,
            retransmit_mult: 4,
            push_pull_interval: Duration::from_secs(30),
            tcp_timeout: Duration::from_secs(10),
            awareness_max_multiplier: 8,
            dead_node_reclaim_time: Duration::from_secs(30),
            udp_buffer_size: 1400,
            wire: WireConfig::plain(),
        }
    }

    /// memberlist's `DefaultWANConfig` with Consul's overrides.
    pub fn wan(name: impl Into<String>, advertise: SocketAddr) -> Self {
        Config {
            gossip_interval: Duration::from_millis(500),
            gossip_nodes: 4,
            gossip_to_the_dead_time: Duration::from_secs(60),
            probe_interval: Duration::from_secs(5),
            probe_timeout: Duration::from_secs(3),
            suspicion_mult: 6,
            push_pull_interval: Duration::from_secs(60),
            tcp_timeout: Duration::from_secs(30),
            ..Config::lan(name, advertise)
        }
    }

    /// Consul's `-dev` timings on top of the LAN profile.
    pub fn dev(name: impl Into<String>, advertise: SocketAddr) -> Self {
        Config {
            gossip_interval: Duration::from_millis(100),
            probe_interval: Duration::from_millis(100),
            probe_timeout: Duration::from_millis(100),
            suspicion_mult: 3,
            ..Config::lan(name, advertise)
        }
    }
}

/// Suspicion timeout for a cluster of `n` members:
/// `mult * max(1, log10(n)) * interval`.
pub fn suspicion_timeout(mult: u32, n: usize, interval: Duration) -> Duration {
    let scale = (n.max(1) as f64).log10().max(1.0);
    let ms = (scale * 1000.0) as u64;
    interval * mult * ms as u32 / 1000
}

/// Broadcast retransmit limit: `mult * ceil(log10(n + 1))`.
pub fn retransmit_limit(mult: u32, n: usize) -> u32 {
    mult * ((n + 1) as f64).log10().ceil() as u32
}

/// Push-pull interval scaled for large clusters (above 32 members).
pub fn push_pull_scale(interval: Duration, n: usize) -> Duration {
    const THRESHOLD: f64 = 32.0;
    if (n as f64) <= THRESHOLD {
        return interval;
    }
    let mult = ((n as f64).log2() - THRESHOLD.log2()).ceil() + 1.0;
    interval * mult as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_match_memberlist() {
        let s = Duration::from_secs(1);
        assert_eq!(suspicion_timeout(4, 1, s), Duration::from_secs(4));
        assert_eq!(suspicion_timeout(4, 100, s), Duration::from_secs(8));
        assert_eq!(suspicion_timeout(4, 1000, s), Duration::from_secs(12));
        assert_eq!(retransmit_limit(4, 0), 0);
        assert_eq!(retransmit_limit(4, 1), 4);
        assert_eq!(retransmit_limit(4, 99), 8);
        assert_eq!(retransmit_limit(4, 100), 12);
        let i = Duration::from_secs(30);
        assert_eq!(push_pull_scale(i, 32), i);
        assert_eq!(push_pull_scale(i, 33), i * 2);
        assert_eq!(push_pull_scale(i, 64), i * 2);
        assert_eq!(push_pull_scale(i, 65), i * 3);
    }
}
