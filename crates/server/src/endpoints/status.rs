//! Status endpoint: the Raft leader and peers, as `host:port` strings.

use crate::Server;

/// The leader's RPC address, or "" when none is known (Consul answers `""`).
pub fn leader(server: &Server) -> String {
    server.leader_addr().unwrap_or_default()
}

/// RPC addresses of the Raft voters.
pub fn peers(server: &Server) -> Vec<String> {
    server.peers()
}
