//! consul-api.
