//! consul-config.
