//! The server port (8300): RPC between agents and servers, and Raft between servers.
//!
//! * **Demux** — the first byte of a connection picks the protocol, with Consul's
//!   `pool.RPCType` values ([`RpcType`]): `RPCMultiplexV2` (4) is a yamux session whose every
//!   stream carries one request frame and its response; `RPCRaft` (1) is a dedicated Raft
//!   connection carrying request/response frames in turn. Anything else is closed.
//! * **Frames** — a 4-byte big-endian length, then msgpack with named fields ([`frame`]);
//!   readers bound the length before allocating.
//! * **Typed requests** — [`RpcRequest`] has one variant per area (`Kv(KvRpc::Get(…))`, …);
//!   each area's request enum and argument structs live with the area, in
//!   `crate::endpoints::<area>::request`, and keep Consul's struct and field names. Shapes
//!   several areas share are in [`args`]; every request answers [`RequestInfo`] (datacenter,
//!   [`Token`], read options, leader-only). Answers are [`RpcResponse`]s, and endpoint errors
//!   travel as [`crate::RpcError`].
//! * **Server side** — [`RpcListener`] hands requests to an [`RpcHandler`] (which calls the
//!   same `crate::endpoints` as local calls) and Raft to the node in its [`RaftSlot`].
//! * **Client side** — [`ConnPool`]: one multiplexed connection per server, a stream per call,
//!   redial on failure, idle close; Consul's blocking-query timeout rule in
//!   [`RpcRequest::timeout`]. [`RpcTransport`] is the `consul_raft::Transport` over it.
//!
//! ```no_run
//! # async fn demo(server: std::sync::Arc<dyn consul_server::rpc::RpcHandler>) -> Result<(), Box<dyn std::error::Error>> {
//! use consul_server::endpoints::kv::{KeyRequest, KvRpc};
//! use consul_server::rpc::*;
//! let listener = RpcListener::bind("127.0.0.1:0".parse()?, server, ListenerConfig::default()).await?;
//! let pool = ConnPool::new(PoolConfig::default());
//! let req = RpcRequest::Kv(KvRpc::Get(KeyRequest { key: "a".into(), ..Default::default() }));
//! let entries = pool
//!     .call_with_hold(listener.local_addr(), &req, std::time::Duration::from_secs(7))
//!     .await?
//!     .into_dir_entries()?;
//! # Ok(()) }
//! ```

pub mod args;
mod error;
pub mod frame;
mod handler;
mod info;
mod listener;
mod mux;
mod pool;
mod protocol;
mod query;
mod raft;
mod request;
mod response;
mod retry;
mod token;
mod transport;
mod wire_time;

pub use args::{DcSpecificRequest, NodeSpecificRequest, ServiceSpecificRequest};
pub use error::{CallError, FrameError, WireError};
pub use handler::{BoxFuture, LateHandler, RpcHandler};
pub use info::{AreaArgs, RequestInfo};
pub use listener::{ListenerConfig, RpcListener};
pub use pool::{ConnPool, PoolConfig, PoolStats, DEFAULT_RPC_TIMEOUT};
pub use protocol::RpcType;
pub use query::{WireQueryMeta, WireQueryOptions};
pub use raft::{RaftReply, RaftRpc, RaftSlot};
pub use request::RpcRequest;
pub use response::IndexedSessions;
pub use response::{
    IndexedCheckServiceNodes, IndexedDirEntries, IndexedHealthChecks, IndexedKeyList,
    IndexedNodeServices, IndexedNodes, IndexedServiceNodes, IndexedServices, RpcResponse,
};
pub use retry::{can_retry, is_read};
pub use token::Token;
pub use transport::{RaftChannel, RaftTransportConfig, RpcTransport};
