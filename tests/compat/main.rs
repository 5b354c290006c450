//! Compatibility details real clients and their test harnesses rely on:
//! `null` and snake_case in request bodies, response shapes of the agent and
//! catalog endpoints, node metadata, node-level checks from config files,
//! empty keys, empty config files, unix sockets and `/v1/agent/self`.

#[path = "../common/mod.rs"]
mod common;

mod bodies;
mod config_files;
mod output_pipes;
mod readiness;
mod self_info;
mod shapes;
mod unix_socket;
