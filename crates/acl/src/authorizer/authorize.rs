//! The questions an authorizer answers: one method per check of Consul's
//! `acl.Authorizer` interface (OSS, 1.10), named alike.

use super::Decision;

/// Everything the API asks of a token. Each implementation answers
/// [`Decision::Default`] where it has no rule, so implementations chain
/// (see [`crate::Authorizer`]).
pub trait Authorize: Send + Sync + std::fmt::Debug {
    /// Reading ACL objects (tokens, policies, roles, …).
    fn acl_read(&self) -> Decision;
    /// Changing ACL objects; Consul's test for a management token.
    fn acl_write(&self) -> Decision;
    /// Reading the agent endpoints of node `node`.
    fn agent_read(&self, node: &str) -> Decision;
    /// Changing things through the agent endpoints of node `node`.
    fn agent_write(&self, node: &str) -> Decision;
    /// Seeing user event `name`.
    fn event_read(&self, name: &str) -> Decision;
    /// Firing user event `name`.
    fn event_write(&self, name: &str) -> Decision;
    /// Whether no matching intention means allow (only the default
    /// authorizers decide this).
    fn intention_default_allow(&self) -> Decision;
    /// Reading intentions whose destination is `name` (`"*"`: any).
    fn intention_read(&self, name: &str) -> Decision;
    /// Changing intentions whose destination is `name` (`"*"`: all).
    fn intention_write(&self, name: &str) -> Decision;
    /// Listing keys under `key` (only enforced with `acl.enable_key_list_policy`).
    fn key_list(&self, key: &str) -> Decision;
    /// Reading key `key`.
    fn key_read(&self, key: &str) -> Decision;
    /// Writing key `key`.
    fn key_write(&self, key: &str) -> Decision;
    /// Writing every key under `prefix` (recursive delete): refused if any
    /// rule at or under the prefix does not grant write.
    fn key_write_prefix(&self, prefix: &str) -> Decision;
    /// Reading the gossip keyring.
    fn keyring_read(&self) -> Decision;
    /// Changing the gossip keyring.
    fn keyring_write(&self) -> Decision;
    /// Seeing node `name`.
    fn node_read(&self, name: &str) -> Decision;
    /// Seeing every node (no rule may refuse any).
    fn node_read_all(&self) -> Decision;
    /// Registering node `name`.
    fn node_write(&self, name: &str) -> Decision;
    /// Read-only operator endpoints.
    fn operator_read(&self) -> Decision;
    /// State-changing operator endpoints.
    fn operator_write(&self) -> Decision;
    /// Reading prepared query `name` (its definition, not executing it).
    fn prepared_query_read(&self, name: &str) -> Decision;
    /// Creating, changing or deleting prepared query `name`.
    fn prepared_query_write(&self, name: &str) -> Decision;
    /// Seeing service `name`.
    fn service_read(&self, name: &str) -> Decision;
    /// Seeing every service (no rule may refuse any).
    fn service_read_all(&self) -> Decision;
    /// Registering service `name`.
    fn service_write(&self, name: &str) -> Decision;
    /// Reading the sessions of node `node`.
    fn session_read(&self, node: &str) -> Decision;
    /// Creating sessions on node `node`.
    fn session_write(&self, node: &str) -> Decision;
    /// Saving and restoring snapshots (needs `acl = "write"`).
    fn snapshot(&self) -> Decision;
}
