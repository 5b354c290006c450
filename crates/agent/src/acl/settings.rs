//! The agent's ACL configuration handed to its server (`acl` block →
//! [`consul_server::AclSettings`]).

use consul_config::AclConfig;
use consul_server::AclSettings;

/// The server's ACL settings from the agent's merged `acl` configuration.
pub fn server_settings(cfg: &AclConfig) -> AclSettings {
    AclSettings {
        enabled: cfg.enabled,
        default_allow: cfg.default_policy != "deny",
        initial_management: cfg.initial_management.clone().filter(|t| !t.is_empty()),
        enable_key_list_policy: cfg.enable_key_list_policy,
    }
}
