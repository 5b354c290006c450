//! Wire and API types shared by every layer: serde structs with Consul's
//! PascalCase field names, and the versioned Raft command enum. No I/O.

pub mod acl;
pub mod acl_auth;
pub mod agent;
pub mod autopilot;
pub mod bytes_b64;
pub mod catalog;
pub mod command;
pub mod command_result;
pub mod duration;
pub mod hcl;
pub mod json;
pub mod kv;
pub mod session;
pub mod snapshot;
pub mod timestamp;
pub mod txn;
