//! ACL endpoint (`ACL.*`): bootstrap, tokens, policies and roles. The
//! leader validates every write the way Consul's `acl_endpoint.go` does —
//! resolving policy and role names to IDs, choosing IDs and secrets, stamping
//! create times, expirations and hashes — before it enters Raft, so every
//! server applies the same rows. Reads block like every other read.

mod acl;
mod auth_method;
mod binding_rule;
mod bootstrap;
mod legacy;
mod links;
mod login;
mod policy;
mod reply;
mod request;
mod role;
mod token;
mod validate;

pub use legacy::LegacyApply;
pub use reply::{AclBody, AclReply, ReplicationStatus};
pub use request::{
    AclBindingRuleListRequest, AclGetRequest, AclRoleListRequest, AclRpc, AclTokenListRequest,
    AclTokenWrite, AclWriteRequest,
};

use consul_state::TokenFilter;
use consul_types::acl::{AclPolicy, AclRequest, AclToken};
use consul_types::command::Command;
use consul_types::session::validate_uuid;

use bootstrap::bootstrap;
use policy::policy_delete;
pub use policy::policy_set;
pub use role::role_set;
pub use token::token_set;
use token::{token_clone, token_delete};

use crate::dispatch::RequestCtx;
use crate::rpc::RpcResponse;
use crate::{QueryMeta, RpcError, Server};

/// Description of a token made by `PUT /v1/acl/bootstrap`.
pub const BOOTSTRAP_TOKEN_DESCRIPTION: &str = "Bootstrap Token (Global Management)";

/// Serve one `ACL.*` call (routed here by the dispatcher).
pub(crate) async fn serve(
    server: &Server,
    ctx: &RequestCtx,
    req: AclRpc,
) -> Result<RpcResponse, RpcError> {
    if !server.config().acl.enabled {
        return Err(RpcError::AclDisabled);
    }
    let opts = &ctx.read;
    let write = |body| Ok(reply(server.query_meta(0), body));
    match req {
        AclRpc::Bootstrap(_) => write(AclBody::Token(Some(bootstrap(server).await?))),
        AclRpc::TokenRead(r) => {
            validate_uuid(&r.id).map_err(|e| {
                RpcError::Internal(format!("failed acl token lookup: index error: {e}"))
            })?;
            let (meta, t) = server
                .read(opts, |snap, ws| snap.acl_token_by_accessor(ws, &r.id))
                .await?;
            found(meta, live(t).map(|t| AclBody::Token(Some(t))))
        }
        AclRpc::TokenSelf(r) => {
            let secret = r.query_options.token.secret().to_string();
            let (meta, t) = server
                .read(opts, |snap, ws| snap.acl_token_by_secret(ws, &secret))
                .await?;
            found(meta, live(t).map(|t| AclBody::Token(Some(t))))
        }
        AclRpc::TokenSet(r) if r.body.create && !r.body.acl_token.auth_method.is_empty() => Err(
            RpcError::Internal("AuthMethod field is disallowed outside of login".into()),
        ),
        AclRpc::TokenSet(r) => write(AclBody::Token(Some(
            token_set(server, r.body.acl_token, r.body.create).await?,
        ))),
        AclRpc::TokenClone(r) => write(AclBody::Token(Some(
            token_clone(server, &r.body.acl_token).await?,
        ))),
        AclRpc::TokenDelete(r) => {
            token_delete(server, &r.body, ctx).await?;
            write(AclBody::Deleted)
        }
        AclRpc::TokenList(r) => {
            let filter = TokenFilter {
                policy: r.policy,
                role: r.role,
                auth_method: r.auth_method,
            };
            let (meta, list) = server
                .read(opts, |snap, ws| snap.acl_tokens(ws, &filter))
                .await?;
            Ok(reply(
                meta,
                AclBody::Tokens(
                    list.into_iter()
                        .filter_map(|t| live(Some(t)))
                        .map(|t| t.stub())
                        .collect(),
                ),
            ))
        }
        AclRpc::PolicyRead(r) => {
            let (meta, p) = server
                .read(opts, |snap, ws| {
                    if r.by_name {
                        snap.acl_policy_by_name(ws, &r.id)
                    } else {
                        snap.acl_policy_by_id(ws, &r.id)
                    }
                })
                .await?;
            found(meta, p.map(|p| AclBody::Policy(Some(p))))
        }
        AclRpc::PolicySet(r) => write(AclBody::Policy(Some(policy_set(server, r.body).await?))),
        AclRpc::PolicyDelete(r) => {
            policy_delete(server, &r.body).await?;
            write(AclBody::Deleted)
        }
        AclRpc::PolicyList(_) => {
            let (meta, list) = server.read(opts, |snap, ws| snap.acl_policies(ws)).await?;
            Ok(reply(
                meta,
                AclBody::Policies(list.iter().map(AclPolicy::stub).collect()),
            ))
        }
        AclRpc::RoleRead(r) => {
            let (meta, role) = server
                .read(opts, |snap, ws| {
                    if r.by_name {
                        snap.acl_role_by_name(ws, &r.id)
                    } else {
                        snap.acl_role_by_id(ws, &r.id)
                    }
                })
                .await?;
            // Unlike tokens and policies, Consul answers a missing role with
            // no error (its HTTP layer then answers 404).
            Ok(reply(meta, AclBody::Role(role)))
        }
        AclRpc::RoleSet(r) => write(AclBody::Role(Some(role_set(server, r.body).await?))),
        AclRpc::RoleDelete(r) => {
            let cmd = Command::Acl(AclRequest::RoleDelete(vec![r.body]));
            server.apply(cmd).await?;
            write(AclBody::Deleted)
        }
        AclRpc::Resolve(r) => {
            let secret = r.query_options.token.secret().to_string();
            let snap = server.store().snapshot();
            let token = crate::acl_resolve::find_live_token(&snap, &secret)?;
            let (roles, policies) = crate::acl_resolve::grants_of(&snap, &token);
            let meta = server.query_meta(snap.acl_index());
            Ok(reply(
                meta,
                AclBody::Grants {
                    token,
                    roles,
                    policies,
                },
            ))
        }
        AclRpc::LegacyApply(r) => write(AclBody::LegacyId(legacy::apply(server, r.body).await?)),
        AclRpc::LegacyGet(r) => {
            let (meta, t) = server
                .read(opts, |snap, ws| snap.acl_token_by_secret(ws, &r.id))
                .await?;
            Ok(reply(meta, AclBody::Legacy(legacy::get(t))))
        }
        AclRpc::LegacyList(_) => {
            let (meta, list) = server
                .read(opts, |snap, ws| {
                    snap.acl_tokens(ws, &TokenFilter::default())
                })
                .await?;
            Ok(reply(meta, AclBody::Legacy(legacy::list(list))))
        }
        AclRpc::ReplicationStatus(_) => write(AclBody::Replication(ReplicationStatus::default())),
        AclRpc::AuthMethodRead(r) => {
            let (meta, m) = server
                .read(opts, |snap, ws| snap.acl_auth_method(ws, &r.id))
                .await?;
            // Consul: a missing auth method is a bare 404, not "ACL not found".
            Ok(reply(meta, AclBody::AuthMethod(m)))
        }
        AclRpc::AuthMethodSet(r) => write(AclBody::AuthMethod(Some(
            auth_method::set(server, r.body).await?,
        ))),
        AclRpc::AuthMethodDelete(r) => {
            auth_method::delete(server, &r.body).await?;
            write(AclBody::Deleted)
        }
        AclRpc::AuthMethodList(_) => {
            let (meta, list) = server
                .read(opts, |snap, ws| snap.acl_auth_methods(ws))
                .await?;
            Ok(reply(
                meta,
                AclBody::AuthMethods(list.iter().map(|m| m.stub()).collect()),
            ))
        }
        AclRpc::BindingRuleRead(r) => {
            let (meta, b) = server
                .read(opts, |snap, ws| snap.acl_binding_rule(ws, &r.id))
                .await?;
            // Likewise a missing binding rule.
            Ok(reply(meta, AclBody::BindingRule(b)))
        }
        AclRpc::BindingRuleSet(r) => write(AclBody::BindingRule(Some(
            binding_rule::set(server, r.body).await?,
        ))),
        AclRpc::BindingRuleDelete(r) => {
            binding_rule::delete(server, &r.body).await?;
            write(AclBody::Deleted)
        }
        AclRpc::BindingRuleList(r) => {
            let (meta, list) = server
                .read(opts, |snap, ws| snap.acl_binding_rules(ws, &r.auth_method))
                .await?;
            Ok(reply(meta, AclBody::BindingRules(list)))
        }
        AclRpc::Login(r) => write(AclBody::Token(Some(login::login(server, r.body).await?))),
        AclRpc::Logout(r) => {
            login::logout(server, r.token.secret()).await?;
            write(AclBody::Deleted)
        }
        AclRpc::RoleList(r) => {
            let (meta, list) = server
                .read(opts, |snap, ws| snap.acl_roles(ws, &r.policy))
                .await?;
            Ok(reply(meta, AclBody::Roles(list)))
        }
    }
}

/// A token that has not expired (an expired one reads as absent until the
/// leader reaps it, as in Consul).
pub(super) fn live(t: Option<AclToken>) -> Option<AclToken> {
    t.filter(|t| !t.expired(consul_types::timestamp::Timestamp::now()))
}

fn reply(meta: QueryMeta, body: AclBody) -> RpcResponse {
    RpcResponse::Acl(AclReply {
        body,
        query_meta: meta.into(),
    })
}

/// A single-object read: Consul answers a missing object with "ACL not found".
fn found(meta: QueryMeta, body: Option<AclBody>) -> Result<RpcResponse, RpcError> {
    body.map(|b| reply(meta, b)).ok_or(RpcError::AclNotFound)
}
