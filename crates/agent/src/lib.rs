//! consul-agent.
