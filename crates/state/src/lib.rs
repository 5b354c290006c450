//! consul-state.
