//! The serf tags Consul 1.10 puts on a LAN member (`server_serf.go`,
//! `client.go`), so other agents and tools can tell servers from clients.

use std::collections::BTreeMap;

/// Consul's protocol version (`vsn`) and the range it speaks.
const PROTOCOL_VERSION: &str = "2";
const PROTOCOL_VERSION_MIN: &str = "2";
const PROTOCOL_VERSION_MAX: &str = "3";
/// Raft protocol (`raft_vsn`).
const RAFT_PROTOCOL: &str = "3";

/// What the tags are computed from.
#[derive(Debug, Clone)]
pub struct TagInputs {
    /// Server (`role=consul`) or client (`role=node`).
    pub server: bool,
    /// Datacenter.
    pub datacenter: String,
    /// Node UUID.
    pub node_id: String,
    /// `<version>:<revision>`.
    pub build: String,
    /// Server RPC port (servers only).
    pub rpc_port: u16,
    /// WAN serf port, if the WAN pool is enabled (servers only).
    pub wan_port: Option<u16>,
    /// Bootstrap mode (`-bootstrap`, `-dev`, or `-bootstrap-expect 1`).
    pub bootstrap: bool,
    /// `-bootstrap-expect` when above 1.
    pub expect: u32,
    /// ACLs enabled.
    pub acls: bool,
}

/// The tags, exactly as Consul sets them.
pub fn consul_tags(t: &TagInputs) -> BTreeMap<String, String> {
    let mut m = BTreeMap::new();
    let mut set = |k: &str, v: String| {
        m.insert(k.to_string(), v);
    };
    set("role", if t.server { "consul" } else { "node" }.into());
    set("dc", t.datacenter.clone());
    set("segment", String::new());
    set("id", t.node_id.clone());
    set("vsn", PROTOCOL_VERSION.into());
    set("vsn_min", PROTOCOL_VERSION_MIN.into());
    set("vsn_max", PROTOCOL_VERSION_MAX.into());
    set("build", t.build.clone());
    // ACL mode: "0" disabled, "1" enabled (the legacy-compat tag of 1.4–1.10).
    set("acls", if t.acls { "1" } else { "0" }.into());
    if t.server {
        if let Some(p) = t.wan_port {
            set("wan_join_port", p.to_string());
        }
        set("raft_vsn", RAFT_PROTOCOL.into());
        set("port", t.rpc_port.to_string());
        if t.bootstrap {
            set("bootstrap", "1".into());
        }
        if t.expect > 1 {
            set("expect", t.expect.to_string());
        }
        // Feature flags: federation states and service-intentions.
        set("ft_fs", "1".into());
        set("ft_si", "1".into());
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs(server: bool) -> TagInputs {
        TagInputs {
            server,
            datacenter: "dc1".into(),
            node_id: "id-1".into(),
            build: "1.10.12:".into(),
            rpc_port: 8300,
            wan_port: Some(8302),
            bootstrap: true,
            expect: 0,
            acls: false,
        }
    }

    #[test]
    fn server_tags() {
        let t = consul_tags(&inputs(true));
        let keys: Vec<&str> = t.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "acls",
                "bootstrap",
                "build",
                "dc",
                "ft_fs",
                "ft_si",
                "id",
                "port",
                "raft_vsn",
                "role",
                "segment",
                "vsn",
                "vsn_max",
                "vsn_min",
                "wan_join_port"
            ]
        );
        assert_eq!(t["role"], "consul");
        assert_eq!(t["port"], "8300");
        assert_eq!(t["wan_join_port"], "8302");
    }

    #[test]
    fn client_and_expect_tags() {
        let t = consul_tags(&inputs(false));
        assert_eq!(t["role"], "node");
        assert!(!t.contains_key("port") && !t.contains_key("bootstrap"));
        let mut i = inputs(true);
        i.bootstrap = false;
        i.expect = 3;
        let t = consul_tags(&i);
        assert_eq!(t["expect"], "3");
        assert!(!t.contains_key("bootstrap"));
    }
}
