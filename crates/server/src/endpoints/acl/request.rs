//! What the ACL area accepts (`ACL.*`), with the names of Consul's
//! `structs.ACL*Request`.

use consul_types::acl::{AclPolicy, AclRole, AclToken};
use consul_types::acl_auth::{AclAuthMethod, AclBindingRule, AclLoginParams};
use serde::{Deserialize, Serialize};

use crate::rpc::args::{read_request_info, DcSpecificRequest};
use crate::rpc::{AreaArgs, RequestInfo, Token, WireQueryOptions};

/// `ACL.*` calls. Each answers `RpcResponse::Acl`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AclRpc {
    /// `ACL.BootstrapTokens`: the first management token.
    Bootstrap(AclWriteRequest<()>),
    /// `ACL.TokenRead` by accessor ID.
    TokenRead(AclGetRequest),
    /// `ACL.TokenRead` of the caller's own token (by its secret).
    TokenSelf(AclGetRequest),
    /// `ACL.TokenSet`: create (`create = true`) or update.
    TokenSet(AclWriteRequest<AclTokenWrite>),
    /// `ACL.TokenClone`: a copy with new IDs (and a new description if given).
    TokenClone(AclWriteRequest<AclTokenWrite>),
    /// `ACL.TokenDelete` by accessor ID.
    TokenDelete(AclWriteRequest<String>),
    /// `ACL.TokenList`.
    TokenList(AclTokenListRequest),
    /// `ACL.PolicyRead` by ID, or by name when `by_name`.
    PolicyRead(AclGetRequest),
    /// `ACL.PolicySet`: create or update.
    PolicySet(AclWriteRequest<AclPolicy>),
    /// `ACL.PolicyDelete` by ID.
    PolicyDelete(AclWriteRequest<String>),
    /// `ACL.PolicyList`.
    PolicyList(DcSpecificRequest),
    /// `ACL.RoleRead` by ID, or by name when `by_name`.
    RoleRead(AclGetRequest),
    /// `ACL.RoleSet`: create or update.
    RoleSet(AclWriteRequest<AclRole>),
    /// `ACL.RoleDelete` by ID.
    RoleDelete(AclWriteRequest<String>),
    /// `ACL.RoleList` (optionally only roles linking `policy`).
    RoleList(AclRoleListRequest),
    /// What the request's own token grants (the token, its roles and their
    /// policies), for a client agent to compile and cache (Consul's
    /// `ACL.TokenRead` + `ACL.PolicyResolve` + `ACL.RoleResolve`).
    Resolve(AclGetRequest),
    /// Legacy `ACL.Apply`: set or delete a legacy token (answers its secret).
    LegacyApply(AclWriteRequest<super::legacy::LegacyApply>),
    /// Legacy `ACL.Get` by secret (`id`).
    LegacyGet(AclGetRequest),
    /// Legacy `ACL.List`.
    LegacyList(DcSpecificRequest),
    /// `ACL.ReplicationStatus` (no token needed, as in Consul).
    ReplicationStatus(DcSpecificRequest),
    /// `ACL.AuthMethodRead` by name (`id`).
    AuthMethodRead(AclGetRequest),
    /// `ACL.AuthMethodSet`: create or update (by name).
    AuthMethodSet(AclWriteRequest<AclAuthMethod>),
    /// `ACL.AuthMethodDelete` by name.
    AuthMethodDelete(AclWriteRequest<String>),
    /// `ACL.AuthMethodList`.
    AuthMethodList(DcSpecificRequest),
    /// `ACL.BindingRuleRead` by ID.
    BindingRuleRead(AclGetRequest),
    /// `ACL.BindingRuleSet`: create (empty ID) or update.
    BindingRuleSet(AclWriteRequest<AclBindingRule>),
    /// `ACL.BindingRuleDelete` by ID.
    BindingRuleDelete(AclWriteRequest<String>),
    /// `ACL.BindingRuleList` (optionally of one auth method).
    BindingRuleList(AclBindingRuleListRequest),
    /// `ACL.Login`: a credential for a token (no token needed).
    Login(AclWriteRequest<AclLoginParams>),
    /// `ACL.Logout`: delete the caller's login token.
    Logout(AclWriteRequest<()>),
}

impl AreaArgs for AclRpc {
    fn args(&self) -> Option<&dyn RequestInfo> {
        Some(match self {
            AclRpc::Bootstrap(r) => r,
            AclRpc::TokenRead(r)
            | AclRpc::TokenSelf(r)
            | AclRpc::PolicyRead(r)
            | AclRpc::RoleRead(r)
            | AclRpc::Resolve(r)
            | AclRpc::LegacyGet(r)
            | AclRpc::AuthMethodRead(r)
            | AclRpc::BindingRuleRead(r) => r,
            AclRpc::AuthMethodSet(r) => r,
            AclRpc::AuthMethodDelete(r) | AclRpc::BindingRuleDelete(r) => r,
            AclRpc::AuthMethodList(r) => r,
            AclRpc::BindingRuleSet(r) => r,
            AclRpc::BindingRuleList(r) => r,
            AclRpc::Login(r) => r,
            AclRpc::Logout(r) => r,
            AclRpc::LegacyApply(r) => r,
            AclRpc::LegacyList(r) | AclRpc::ReplicationStatus(r) => r,
            AclRpc::TokenSet(r) | AclRpc::TokenClone(r) => r,
            AclRpc::TokenDelete(r) | AclRpc::PolicyDelete(r) | AclRpc::RoleDelete(r) => r,
            AclRpc::TokenList(r) => r,
            AclRpc::PolicySet(r) => r,
            AclRpc::PolicyList(r) => r,
            AclRpc::RoleSet(r) => r,
            AclRpc::RoleList(r) => r,
        })
    }
}

crate::request_info_from_args!(AclRpc);

/// An ACL write: the object (or ID) and the caller's token.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AclWriteRequest<T> {
    /// Target datacenter.
    pub datacenter: String,
    /// What to write.
    pub body: T,
    /// ACL token (`WriteRequest.Token`).
    pub token: Token,
}

impl<T> RequestInfo for AclWriteRequest<T> {
    fn datacenter(&self) -> &str {
        &self.datacenter
    }

    fn token(&self) -> &Token {
        &self.token
    }
}

/// A token to create or update (`structs.ACLTokenSetRequest`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AclTokenWrite {
    /// The token as the client sent it.
    #[serde(rename = "ACLToken")]
    pub acl_token: AclToken,
    /// A create (PUT /v1/acl/token) rather than an update of `AccessorID`.
    pub create: bool,
}

/// A read of one ACL object (`structs.ACLTokenGetRequest`, `ACLPolicyGetRequest`, …).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AclGetRequest {
    /// Target datacenter.
    pub datacenter: String,
    /// The ID (or name, with `by_name`).
    #[serde(rename = "ID")]
    pub id: String,
    /// Look up by name rather than ID.
    pub by_name: bool,
    /// Read options.
    #[serde(flatten)]
    pub query_options: WireQueryOptions,
}

/// `ACL.TokenList` (`structs.ACLTokenListRequest`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AclTokenListRequest {
    /// Target datacenter.
    pub datacenter: String,
    /// Only tokens linking this policy ID.
    pub policy: String,
    /// Only tokens linking this role ID.
    pub role: String,
    /// Only tokens created by this auth method.
    pub auth_method: String,
    /// Read options.
    #[serde(flatten)]
    pub query_options: WireQueryOptions,
}

/// `ACL.RoleList` (`structs.ACLRoleListRequest`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AclRoleListRequest {
    /// Target datacenter.
    pub datacenter: String,
    /// Only roles linking this policy ID.
    pub policy: String,
    /// Read options.
    #[serde(flatten)]
    pub query_options: WireQueryOptions,
}

/// `ACL.BindingRuleList` (`structs.ACLBindingRuleListRequest`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AclBindingRuleListRequest {
    /// Target datacenter.
    pub datacenter: String,
    /// Only rules of this auth method.
    pub auth_method: String,
    /// Read options.
    #[serde(flatten)]
    pub query_options: WireQueryOptions,
}

read_request_info!(
    AclGetRequest,
    AclTokenListRequest,
    AclRoleListRequest,
    AclBindingRuleListRequest
);
