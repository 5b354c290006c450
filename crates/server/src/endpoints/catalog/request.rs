//! What the catalog area accepts (`Catalog.*`). A registration or deregistration travels with
//! the caller's token beside it (Go's embedded `WriteRequest`, flattened the same way), so the
//! token never enters the Raft log with the command.

use consul_types::catalog::{DeregisterRequest, RegisterRequest};
use serde::{Deserialize, Serialize};

use crate::rpc::args::{DcSpecificRequest, NodeSpecificRequest, ServiceSpecificRequest};
use crate::rpc::{AreaArgs, RequestInfo, Token};

/// `Catalog.*` calls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CatalogRpc {
    /// `Catalog.Register`: answers `Bool` (boxed: by far the largest request).
    Register(Box<RegisterArgs>),
    /// `Catalog.Deregister`: answers `Bool`.
    Deregister(DeregisterArgs),
    /// `Catalog.ListDatacenters`: answers `Strings`.
    ListDatacenters,
    /// `Catalog.ListNodes`: answers `Nodes`.
    ListNodes(DcSpecificRequest),
    /// `Catalog.ListServices`: answers `Services`.
    ListServices(DcSpecificRequest),
    /// `Catalog.ServiceNodes`: answers `ServiceNodes`.
    ServiceNodes(ServiceSpecificRequest),
    /// `Catalog.NodeServices`: answers `NodeServices`.
    NodeServices(NodeSpecificRequest),
}

impl CatalogRpc {
    /// A registration on behalf of `token`'s holder.
    pub fn register(request: RegisterRequest, token: Token) -> Self {
        CatalogRpc::Register(Box::new(RegisterArgs { request, token }))
    }

    /// A deregistration on behalf of `token`'s holder.
    pub fn deregister(request: DeregisterRequest, token: Token) -> Self {
        CatalogRpc::Deregister(DeregisterArgs { request, token })
    }
}

impl AreaArgs for CatalogRpc {
    fn args(&self) -> Option<&dyn RequestInfo> {
        Some(match self {
            CatalogRpc::Register(r) => r.as_ref(),
            CatalogRpc::Deregister(r) => r,
            CatalogRpc::ListDatacenters => return None,
            CatalogRpc::ListNodes(r) | CatalogRpc::ListServices(r) => r,
            CatalogRpc::ServiceNodes(r) => r,
            CatalogRpc::NodeServices(r) => r,
        })
    }
}

// `ListDatacenters` has no arguments: it names no datacenter and any server answers it.
crate::request_info_from_args!(CatalogRpc);

/// `Catalog.Register`'s arguments: the registration and the caller's token.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RegisterArgs {
    /// The registration (as stored by the FSM).
    #[serde(flatten)]
    pub request: RegisterRequest,
    /// ACL token (`WriteRequest.Token`).
    #[serde(default)]
    pub token: Token,
}

impl RequestInfo for RegisterArgs {
    fn datacenter(&self) -> &str {
        &self.request.datacenter
    }

    fn token(&self) -> &Token {
        &self.token
    }
}

/// `Catalog.Deregister`'s arguments: the deregistration and the caller's token.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeregisterArgs {
    /// The deregistration (as stored by the FSM).
    #[serde(flatten)]
    pub request: DeregisterRequest,
    /// ACL token (`WriteRequest.Token`).
    #[serde(default)]
    pub token: Token,
}

impl RequestInfo for DeregisterArgs {
    fn datacenter(&self) -> &str {
        &self.request.datacenter
    }

    fn token(&self) -> &Token {
        &self.token
    }
}
