//! What the KV area accepts (`KVS.*`), with the names of Consul's `structs.KVSRequest`,
//! `structs.KeyRequest` and `structs.KeyListRequest`.

use consul_types::kv::{DirEntry, KvOp, KvRequest};
use serde::{Deserialize, Serialize};

use crate::rpc::args::read_request_info;
use crate::rpc::{AreaArgs, RequestInfo, Token, WireQueryOptions};

/// `KVS.*` calls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum KvRpc {
    /// `KVS.Apply`: answers `Bool`.
    Apply(KvsRequest),
    /// `KVS.Get`: answers `DirEntries` with zero or one entry.
    Get(KeyRequest),
    /// `KVS.List`: answers `DirEntries`.
    List(KeyRequest),
    /// `KVS.ListKeys`: answers `KeyList`.
    ListKeys(KeyListRequest),
}

impl AreaArgs for KvRpc {
    fn args(&self) -> Option<&dyn RequestInfo> {
        Some(match self {
            KvRpc::Apply(r) => r,
            KvRpc::Get(r) | KvRpc::List(r) => r,
            KvRpc::ListKeys(r) => r,
        })
    }
}

crate::request_info_from_args!(KvRpc);

/// A KV write (`structs.KVSRequest`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct KvsRequest {
    /// Target datacenter ("" = the server's own).
    #[serde(default)]
    pub datacenter: String,
    /// What to do.
    pub op: KvOp,
    /// The entry (key, value, flags, session; `ModifyIndex` for CAS).
    pub dir_ent: DirEntry,
    /// ACL token (`WriteRequest.Token`).
    #[serde(default)]
    pub token: Token,
}

impl KvsRequest {
    /// The endpoint's request.
    pub fn to_kv_request(&self) -> KvRequest {
        KvRequest {
            op: self.op,
            dir_ent: self.dir_ent.clone(),
        }
    }
}

impl RequestInfo for KvsRequest {
    fn datacenter(&self) -> &str {
        &self.datacenter
    }

    fn token(&self) -> &Token {
        &self.token
    }
}

/// A read of one key or prefix (`structs.KeyRequest`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct KeyRequest {
    /// Target datacenter.
    pub datacenter: String,
    /// The key (or prefix for `List`).
    pub key: String,
    /// Read options.
    #[serde(flatten)]
    pub query_options: WireQueryOptions,
}

/// A key listing (`structs.KeyListRequest`; Consul spells the field `Seperator`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct KeyListRequest {
    /// Target datacenter.
    pub datacenter: String,
    /// Key prefix.
    pub prefix: String,
    /// Roll keys up at this separator ("" = no roll-up).
    pub seperator: String,
    /// Read options.
    #[serde(flatten)]
    pub query_options: WireQueryOptions,
}

read_request_info!(KeyRequest, KeyListRequest);
