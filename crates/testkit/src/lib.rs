//! consul-testkit.
