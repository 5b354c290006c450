//! consul-gossip.
