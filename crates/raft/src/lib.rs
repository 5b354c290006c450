//! consul-raft.
