//! consul-server.
