//! DNS settings (`dns_config` plus `domain`, `alt_domain`, `recursors` and the
//! local datacenter), with Consul's defaults.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

/// Hard cap on `udp_answer_limit` for answers without EDNS (Consul's
/// `maxUDPAnswerLimit`).
pub const MAX_UDP_ANSWER_LIMIT: usize = 8;

/// Order in which recursors are tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RecursorStrategy {
    /// In the configured order.
    #[default]
    Sequential,
    /// In a fresh random order for every query.
    Random,
}

impl RecursorStrategy {
    /// Parse Consul's `recursor_strategy` value (`sequential` or `random`).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "" | "sequential" => Some(RecursorStrategy::Sequential),
            "random" => Some(RecursorStrategy::Random),
            _ => None,
        }
    }
}

/// Numbers of the SOA record served for the domain (`dns_config.soa`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SoaConfig {
    /// Refresh interval, seconds.
    pub refresh: u32,
    /// Retry interval, seconds.
    pub retry: u32,
    /// Expiry, seconds.
    pub expire: u32,
    /// Minimum (negative-caching) TTL, seconds.
    pub min_ttl: u32,
}

impl Default for SoaConfig {
    fn default() -> Self {
        SoaConfig {
            refresh: 3600,
            retry: 600,
            expire: 86400,
            min_ttl: 0,
        }
    }
}

/// Everything the DNS server needs to know besides the backend.
#[derive(Debug, Clone, PartialEq)]
pub struct DnsConfig {
    /// Datacenter of this agent; names without a datacenter label use it.
    pub datacenter: String,
    /// Domain served, e.g. `consul.` (a trailing dot is optional).
    pub domain: String,
    /// Second domain answered like `domain` ("" or `None` = none).
    pub alt_domain: Option<String>,
    /// TTL of node records (`node_ttl`).
    pub node_ttl: Duration,
    /// TTL of service records by service name (`service_ttl`); keys ending
    /// in `*` are prefixes, and `*` alone matches every service.
    pub service_ttl: BTreeMap<String, Duration>,
    /// Most answers in a UDP response without EDNS (`udp_answer_limit`).
    pub udp_answer_limit: usize,
    /// Most A/AAAA answers for a service (`a_record_limit`, 0 = no limit).
    pub a_record_limit: usize,
    /// Set the TC bit when records were dropped to fit (`enable_truncate`).
    pub enable_truncate: bool,
    /// Drop instances with a warning check too (`only_passing`).
    pub only_passing: bool,
    /// Let the backend read from any server (`allow_stale`).
    pub allow_stale: bool,
    /// How stale a read may be (`max_stale`).
    pub max_stale: Duration,
    /// Put node meta TXT records in the additional section
    /// (`enable_additional_node_meta_txt`).
    pub node_meta_txt: bool,
    /// Upstream resolvers for names outside the domain.
    pub recursors: Vec<SocketAddr>,
    /// Order in which recursors are tried.
    pub recursor_strategy: RecursorStrategy,
    /// Timeout of one attempt at one recursor.
    pub recursor_timeout: Duration,
    /// Do not compress names in responses.
    pub disable_compression: bool,
    /// SOA numbers.
    pub soa: SoaConfig,
    /// This agent's node name: the `node` label of the query timers.
    pub node_name: String,
}

impl Default for DnsConfig {
    fn default() -> Self {
        DnsConfig {
            datacenter: "dc1".to_string(),
            domain: "consul.".to_string(),
            alt_domain: None,
            node_ttl: Duration::ZERO,
            service_ttl: BTreeMap::new(),
            udp_answer_limit: 3,
            a_record_limit: 0,
            enable_truncate: false,
            only_passing: false,
            allow_stale: true,
            max_stale: Duration::from_secs(87600 * 3600),
            node_meta_txt: true,
            recursors: Vec::new(),
            recursor_strategy: RecursorStrategy::Sequential,
            recursor_timeout: Duration::from_secs(2),
            disable_compression: false,
            soa: SoaConfig::default(),
            node_name: String::new(),
        }
    }
}

impl DnsConfig {
    /// TTL in seconds for records of `service`: an exact key wins, then the
    /// longest matching `prefix*` key (`*` matches all), else 0.
    pub fn service_ttl_secs(&self, service: &str) -> u32 {
        if let Some(ttl) = self.service_ttl.get(service) {
            return secs(*ttl);
        }
        self.service_ttl
            .iter()
            .filter_map(|(k, v)| k.strip_suffix('*').map(|p| (p, v)))
            .filter(|(prefix, _)| service.starts_with(prefix))
            .max_by_key(|(prefix, _)| prefix.len())
            .map(|(_, ttl)| secs(*ttl))
            .unwrap_or(0)
    }

    /// TTL in seconds for node records.
    pub fn node_ttl_secs(&self) -> u32 {
        secs(self.node_ttl)
    }

    /// The UDP answer limit in force without EDNS.
    pub fn effective_udp_answer_limit(&self) -> usize {
        self.udp_answer_limit.min(MAX_UDP_ANSWER_LIMIT)
    }
}

fn secs(d: Duration) -> u32 {
    u32::try_from(d.as_secs()).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_ttl_exact_then_longest_prefix_then_star() {
        let mut c = DnsConfig::default();
        assert_eq!(c.service_ttl_secs("web"), 0);
        c.service_ttl.insert("*".into(), Duration::from_secs(5));
        c.service_ttl.insert("db*".into(), Duration::from_secs(7));
        c.service_ttl
            .insert("db-main*".into(), Duration::from_secs(9));
        c.service_ttl.insert("db".into(), Duration::from_secs(1));
        assert_eq!(c.service_ttl_secs("web"), 5);
        assert_eq!(c.service_ttl_secs("db"), 1);
        assert_eq!(c.service_ttl_secs("dbx"), 7);
        assert_eq!(c.service_ttl_secs("db-main-1"), 9);
    }

    #[test]
    fn udp_answer_limit_is_capped() {
        let c = DnsConfig {
            udp_answer_limit: 20,
            ..DnsConfig::default()
        };
        assert_eq!(c.effective_udp_answer_limit(), 8);
    }
}
