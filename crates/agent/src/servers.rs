//! Where an agent's requests are served: on a server agent by its own
//! [`Server`] (which forwards to the leader when it must), on a client agent
//! by a server of its datacenter over RPC ([`ServerRouter`]). Everything the
//! agent asks of the cluster — HTTP handlers, anti-entropy, DNS, alias checks
//! — goes through [`Servers::call`], so it works the same in both modes.

use std::sync::Arc;

use consul_server::rpc::{RpcRequest, RpcResponse};
use consul_server::{RpcError, Server};

use crate::router::ServerRouter;

/// The servers an agent sends its requests to. Cheap to clone.
#[derive(Clone)]
pub enum Servers {
    /// A server agent: requests run on its own server.
    Local(Server),
    /// A client agent: requests go to a server over RPC.
    Remote(Arc<ServerRouter>),
}

impl Servers {
    /// Send a typed request and wait for its answer.
    pub async fn call(&self, req: RpcRequest) -> Result<RpcResponse, RpcError> {
        match self {
            Servers::Local(server) => server.handle(req).await,
            Servers::Remote(router) => router.call(req).await,
        }
    }

    /// The local server, on a server agent.
    pub fn local(&self) -> Option<&Server> {
        match self {
            Servers::Local(server) => Some(server),
            Servers::Remote(_) => None,
        }
    }

    /// Stop: shut the local server down, or close the client's connections.
    pub async fn shutdown(&self) {
        match self {
            Servers::Local(server) => server.shutdown().await,
            Servers::Remote(router) => router.shutdown(),
        }
    }
}
