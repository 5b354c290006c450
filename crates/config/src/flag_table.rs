//! The flags `consul agent` defines, and where each one lands in the config.
//!
//! Like Consul's `agent/config/flags.go`, most flags are a config key in
//! disguise: their value becomes a source shaped like a config file, merged
//! after every file. The few that are not (config paths, `-dev`, `-hcl`,
//! `-config-format`) are [`FlagTarget`]s of their own.

/// How a flag's value is parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlagKind {
    /// `-x` alone means true; `-x=false` sets false. Never takes the next argument.
    Bool,
    /// A signed integer (Go's `strconv.ParseInt`).
    Int,
    /// Any string.
    Str,
    /// A Go duration such as `30s`.
    Duration,
    /// Repeatable; every value is appended to a list.
    List,
    /// Repeatable `key:value`; collected into a map.
    Map,
}

/// Where a parsed flag value goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlagTarget {
    /// A config key, as a path of object keys (`["ports", "http"]`).
    Key(&'static [&'static str]),
    /// `-config-file` / `-config-dir`: a path to read, in order.
    ConfigPath,
    /// `-config-format`: forces the format of every file.
    ConfigFormat,
    /// `-dev`: development mode.
    Dev,
    /// `-hcl`: an inline HCL fragment.
    Hcl,
}

/// One flag: its name (without dashes), kind and target.
#[derive(Debug, Clone, Copy)]
pub struct FlagSpec {
    /// The name as typed after the dash(es).
    pub name: &'static str,
    /// How its value parses.
    pub kind: FlagKind,
    /// Where the value goes.
    pub target: FlagTarget,
}

use FlagKind::*;
use FlagTarget::*;

/// Shorthand for a table row.
const fn f(name: &'static str, kind: FlagKind, target: FlagTarget) -> FlagSpec {
    FlagSpec { name, kind, target }
}

/// Every flag of `consul agent`.
pub const AGENT_FLAGS: &[FlagSpec] = &[
    f("advertise", Str, Key(&["advertise_addr"])),
    f("advertise-wan", Str, Key(&["advertise_addr_wan"])),
    f(
        "allow-write-http-from",
        List,
        Key(&["http_config", "allow_write_http_from"]),
    ),
    f("alt-domain", Str, Key(&["alt_domain"])),
    f("auto-reload-config", Bool, Key(&["auto_reload_config"])),
    f("bind", Str, Key(&["bind_addr"])),
    f("bootstrap", Bool, Key(&["bootstrap"])),
    f("bootstrap-expect", Int, Key(&["bootstrap_expect"])),
    f(
        "check_output_max_size",
        Int,
        Key(&["check_output_max_size"]),
    ),
    f("client", Str, Key(&["client_addr"])),
    f("config-dir", List, ConfigPath),
    f("config-file", List, ConfigPath),
    f("config-format", Str, ConfigFormat),
    f("data-dir", Str, Key(&["data_dir"])),
    f("datacenter", Str, Key(&["datacenter"])),
    f("default-query-time", Duration, Key(&["default_query_time"])),
    f("dev", Bool, Dev),
    f("disable-host-node-id", Bool, Key(&["disable_host_node_id"])),
    f("disable-keyring-file", Bool, Key(&["disable_keyring_file"])),
    f("dns-port", Int, Key(&["ports", "dns"])),
    f("domain", Str, Key(&["domain"])),
    f(
        "enable-local-script-checks",
        Bool,
        Key(&["enable_local_script_checks"]),
    ),
    f("enable-script-checks", Bool, Key(&["enable_script_checks"])),
    f("encrypt", Str, Key(&["encrypt"])),
    f("grpc-port", Int, Key(&["ports", "grpc"])),
    f("grpc-tls-port", Int, Key(&["ports", "grpc_tls"])),
    f("hcl", List, Hcl),
    f("http-port", Int, Key(&["ports", "http"])),
    f("https-port", Int, Key(&["ports", "https"])),
    f("join", List, Key(&["start_join"])),
    f("join-wan", List, Key(&["start_join_wan"])),
    f("log-file", Str, Key(&["log_file"])),
    f("log-json", Bool, Key(&["log_json"])),
    f("log-level", Str, Key(&["log_level"])),
    f("log-rotate-bytes", Int, Key(&["log_rotate_bytes"])),
    f(
        "log-rotate-duration",
        Duration,
        Key(&["log_rotate_duration"]),
    ),
    f("log-rotate-max-files", Int, Key(&["log_rotate_max_files"])),
    f("max-query-time", Duration, Key(&["max_query_time"])),
    f("node", Str, Key(&["node_name"])),
    f("node-id", Str, Key(&["node_id"])),
    f("node-meta", Map, Key(&["node_meta"])),
    f("non-voting-server", Bool, Key(&["read_replica"])),
    f("pid-file", Str, Key(&["pid_file"])),
    f("primary-gateway", List, Key(&["primary_gateways"])),
    f("protocol", Int, Key(&["protocol"])),
    f("raft-protocol", Int, Key(&["raft_protocol"])),
    f("read-replica", Bool, Key(&["read_replica"])),
    f("recursor", List, Key(&["recursors"])),
    f("rejoin", Bool, Key(&["rejoin_after_leave"])),
    f("retry-interval", Duration, Key(&["retry_interval"])),
    f("retry-interval-wan", Duration, Key(&["retry_interval_wan"])),
    f("retry-join", List, Key(&["retry_join"])),
    f("retry-join-wan", List, Key(&["retry_join_wan"])),
    f("retry-max", Int, Key(&["retry_max"])),
    f("retry-max-wan", Int, Key(&["retry_max_wan"])),
    f("segment", Str, Key(&["segment"])),
    f(
        "serf-lan-allowed-cidrs",
        List,
        Key(&["serf_lan_allowed_cidrs"]),
    ),
    f("serf-lan-bind", Str, Key(&["serf_lan"])),
    f("serf-lan-port", Int, Key(&["ports", "serf_lan"])),
    f(
        "serf-wan-allowed-cidrs",
        List,
        Key(&["serf_wan_allowed_cidrs"]),
    ),
    f("serf-wan-bind", Str, Key(&["serf_wan"])),
    f("serf-wan-port", Int, Key(&["ports", "serf_wan"])),
    f("server", Bool, Key(&["server"])),
    f("server-port", Int, Key(&["ports", "server"])),
    f("syslog", Bool, Key(&["enable_syslog"])),
    f("ui", Bool, Key(&["ui_config", "enabled"])),
    f("ui-content-path", Str, Key(&["ui_config", "content_path"])),
    f("ui-dir", Str, Key(&["ui_config", "dir"])),
];

/// Looks up a flag by name.
pub fn lookup(name: &str) -> Option<&'static FlagSpec> {
    AGENT_FLAGS.iter().find(|s| s.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_sorted() {
        for pair in AGENT_FLAGS.windows(2) {
            assert!(
                pair[0].name < pair[1].name,
                "{} / {}",
                pair[0].name,
                pair[1].name
            );
        }
    }
}
