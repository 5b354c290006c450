//! ACL endpoint (`ACL.*`): bootstrap, tokens, policies and roles. The
//! leader validates every write the way Consul's `acl_endpoint.go` does —
//! resolving policy and role names to IDs, choosing IDs and secrets, stamping
//! create times, expirations and hashes — before it enters Raft, so every
//! server applies the same rows. Reads block like every other read.

mod acl;
mod reply;
mod request;
mod validate;

pub use reply::{AclBody, AclReply};
pub use request::{
    AclGetRequest, AclRoleListRequest, AclRpc, AclTokenListRequest, AclTokenWrite, AclWriteRequest,
};

use consul_acl::builtin::{ANONYMOUS_TOKEN_ID, GLOBAL_MANAGEMENT_POLICY_ID};
use consul_state::TokenFilter;
use consul_types::acl::{AclPolicy, AclRequest, AclRole, AclToken, Link};
use consul_types::command::Command;
use consul_types::session::validate_uuid;
use consul_types::timestamp::Timestamp;

use crate::acl_init::{management_link, stamped};
use crate::dispatch::RequestCtx;
use crate::new_uuid::new_uuid;
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
            found(meta, t.map(|t| AclBody::Token(Some(t))))
        }
        AclRpc::TokenSelf(r) => {
            let secret = r.query_options.token.secret().to_string();
            let (meta, t) = server
                .read(opts, |snap, ws| snap.acl_token_by_secret(ws, &secret))
                .await?;
            found(meta, t.map(|t| AclBody::Token(Some(t))))
        }
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
                AclBody::Tokens(list.iter().map(AclToken::stub).collect()),
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
        AclRpc::RoleList(r) => {
            let (meta, list) = server
                .read(opts, |snap, ws| snap.acl_roles(ws, &r.policy))
                .await?;
            Ok(reply(meta, AclBody::Roles(list)))
        }
    }
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

/// The reset index in the data dir's `acl-bootstrap-reset` file (0: none).
fn reset_index(server: &Server) -> (u64, Option<std::path::PathBuf>) {
    let Some(dir) = &server.config().data_dir else {
        return (0, None);
    };
    let path = dir.join("acl-bootstrap-reset");
    match std::fs::read_to_string(&path) {
        Ok(text) => (text.trim().parse().unwrap_or(0), Some(path)),
        Err(_) => (0, None),
    }
}

/// `PUT /v1/acl/bootstrap`: create the first management token, once.
async fn bootstrap(server: &Server) -> Result<AclToken, RpcError> {
    let (reset, reset_file) = reset_index(server);
    let done = server.store().snapshot().acl_bootstrap_index();
    if done != 0 && reset != done {
        return Err(RpcError::Forbidden(format!(
            "Permission denied: ACL bootstrap no longer allowed (reset index: {done})"
        )));
    }
    let token = stamped(AclToken {
        accessor_id: new_uuid(),
        secret_id: new_uuid(),
        description: BOOTSTRAP_TOKEN_DESCRIPTION.into(),
        policies: vec![management_link()],
        ..Default::default()
    });
    let accessor = token.accessor_id.clone();
    let cmd = Command::Acl(AclRequest::Bootstrap {
        token,
        reset_index: reset,
    });
    server.apply(cmd).await?;
    if let Some(path) = reset_file {
        let _ = std::fs::remove_file(path);
    }
    read_token(server, &accessor)
}

fn read_token(server: &Server, accessor: &str) -> Result<AclToken, RpcError> {
    let mut ws = consul_state::WatchSet::new();
    server
        .store()
        .snapshot()
        .acl_token_by_accessor(&mut ws, accessor)
        .1
        .ok_or(RpcError::AclNotFound)
}

/// Resolve each link by ID or name into `{ID, Name}`; unknown ones fail
/// with Consul's message.
fn resolve_policy_links(server: &Server, links: &[Link]) -> Result<Vec<Link>, RpcError> {
    let snap = server.store().snapshot();
    let mut ws = consul_state::WatchSet::new();
    let mut out: Vec<Link> = Vec::new();
    for l in links {
        let p = if !l.id.is_empty() {
            snap.acl_policy_by_id(&mut ws, &l.id).1.ok_or_else(|| {
                RpcError::Internal(format!("No such ACL policy with ID {:?}", l.id))
            })?
        } else {
            snap.acl_policy_by_name(&mut ws, &l.name).1.ok_or_else(|| {
                RpcError::Internal(format!("No such ACL policy with name {:?}", l.name))
            })?
        };
        if !out.iter().any(|o| o.id == p.id) {
            out.push(Link {
                id: p.id,
                name: p.name,
            });
        }
    }
    Ok(out)
}

fn resolve_role_links(server: &Server, links: &[Link]) -> Result<Vec<Link>, RpcError> {
    let snap = server.store().snapshot();
    let mut ws = consul_state::WatchSet::new();
    let mut out: Vec<Link> = Vec::new();
    for l in links {
        let r = if !l.id.is_empty() {
            snap.acl_role_by_id(&mut ws, &l.id)
                .1
                .ok_or_else(|| RpcError::Internal(format!("No such ACL role with ID {:?}", l.id)))?
        } else {
            snap.acl_role_by_name(&mut ws, &l.name).1.ok_or_else(|| {
                RpcError::Internal(format!("No such ACL role with name {:?}", l.name))
            })?
        };
        if !out.iter().any(|o| o.id == r.id) {
            out.push(Link {
                id: r.id,
                name: r.name,
            });
        }
    }
    Ok(out)
}

/// Create or update a token (`ACL.TokenSet`).
pub async fn token_set(
    server: &Server,
    mut t: AclToken,
    create: bool,
) -> Result<AclToken, RpcError> {
    let snap = server.store().snapshot();
    let mut ws = consul_state::WatchSet::new();
    if create {
        if t.accessor_id.is_empty() {
            t.accessor_id = new_uuid();
        } else {
            validate::accessor_id(&t.accessor_id)?;
            if snap
                .acl_token_by_accessor(&mut ws, &t.accessor_id)
                .1
                .is_some()
            {
                return Err(RpcError::Internal(
                    "Invalid Token: AccessorID is already in use".into(),
                ));
            }
        }
        if t.secret_id.is_empty() {
            t.secret_id = new_uuid();
        } else if snap.acl_token_by_secret(&mut ws, &t.secret_id).1.is_some() {
            return Err(RpcError::Internal(
                "Invalid Token: SecretID is already in use".into(),
            ));
        }
        t.create_time = Timestamp::now();
        validate::expiration(&mut t)?;
    } else {
        let old = snap
            .acl_token_by_accessor(&mut ws, &t.accessor_id)
            .1
            .ok_or_else(|| RpcError::Internal(format!("Cannot find token {:?}", t.accessor_id)))?;
        if !t.secret_id.is_empty() && t.secret_id != old.secret_id {
            return Err(RpcError::Internal(
                "Changing a tokens SecretID is not permitted".into(),
            ));
        }
        if t.local != old.local {
            return Err(RpcError::Internal(format!(
                "Cannot toggle local mode of {}",
                t.accessor_id
            )));
        }
        t.secret_id = old.secret_id;
        t.create_time = old.create_time;
        t.expiration_time = old.expiration_time;
        t.expiration_ttl = std::time::Duration::ZERO;
        t.auth_method = old.auth_method;
    }
    t.policies = resolve_policy_links(server, &t.policies)?;
    t.roles = resolve_role_links(server, &t.roles)?;
    validate::identities(&t.service_identities, &t.node_identities)?;
    let t = stamped(t);
    let accessor = t.accessor_id.clone();
    server
        .apply(Command::Acl(AclRequest::TokenSet(vec![t])))
        .await?;
    read_token(server, &accessor)
}

/// Copy a token under new IDs (`ACL.TokenClone`); `tmpl.description`
/// replaces the description when not empty.
async fn token_clone(server: &Server, tmpl: &AclToken) -> Result<AclToken, RpcError> {
    validate_uuid(&tmpl.accessor_id)
        .map_err(|e| RpcError::Internal(format!("failed acl token lookup: index error: {e}")))?;
    let old = read_token(server, &tmpl.accessor_id)?;
    let copy = AclToken {
        accessor_id: String::new(),
        secret_id: String::new(),
        description: if tmpl.description.is_empty() {
            old.description.clone()
        } else {
            tmpl.description.clone()
        },
        expiration_time: None,
        create_index: 0,
        modify_index: 0,
        ..old
    };
    token_set(server, copy, true).await
}

async fn token_delete(server: &Server, accessor: &str, ctx: &RequestCtx) -> Result<(), RpcError> {
    validate_uuid(accessor)
        .map_err(|e| RpcError::Internal(format!("failed acl token lookup: index error: {e}")))?;
    if accessor == ANONYMOUS_TOKEN_ID {
        return Err(RpcError::Internal(
            "Delete operation not permitted on the anonymous token".into(),
        ));
    }
    if accessor == ctx.identity.accessor_id {
        return Err(RpcError::Internal(
            "Deletion of the request's authorization token is not permitted".into(),
        ));
    }
    let cmd = Command::Acl(AclRequest::TokenDelete(vec![accessor.to_string()]));
    server.apply(cmd).await.map(|_| ())
}

/// Create or update a policy (`ACL.PolicySet`).
pub async fn policy_set(server: &Server, mut p: AclPolicy) -> Result<AclPolicy, RpcError> {
    validate::name(&p.name, "Policy", 128)?;
    let snap = server.store().snapshot();
    let mut ws = consul_state::WatchSet::new();
    if p.id.is_empty() {
        p.id = new_uuid();
    } else {
        let old = snap
            .acl_policy_by_id(&mut ws, &p.id)
            .1
            .ok_or_else(|| RpcError::Internal(format!("Cannot find policy {}", p.id)))?;
        if p.id == GLOBAL_MANAGEMENT_POLICY_ID && p.rules.trim() != old.rules.trim() {
            return Err(RpcError::Internal(
                "Changing the Rules for the builtin global-management policy is not permitted"
                    .into(),
            ));
        }
        if p.id == GLOBAL_MANAGEMENT_POLICY_ID {
            p.rules = old.rules;
        }
    }
    if let Some(other) = snap.acl_policy_by_name(&mut ws, &p.name).1 {
        if other.id != p.id {
            return Err(RpcError::Internal(format!(
                "Invalid Policy: A Policy with Name {:?} already exists",
                p.name
            )));
        }
    }
    consul_acl::Policy::parse(&p.rules).map_err(|e| RpcError::Internal(e.to_string()))?;
    p.hash = Some(p.compute_hash());
    let id = p.id.clone();
    server
        .apply(Command::Acl(AclRequest::PolicySet(vec![p])))
        .await?;
    let mut ws = consul_state::WatchSet::new();
    server
        .store()
        .snapshot()
        .acl_policy_by_id(&mut ws, &id)
        .1
        .ok_or(RpcError::AclNotFound)
}

async fn policy_delete(server: &Server, id: &str) -> Result<(), RpcError> {
    if id == GLOBAL_MANAGEMENT_POLICY_ID {
        return Err(RpcError::Internal(
            "Delete operation not permitted on the builtin global-management policy".into(),
        ));
    }
    let cmd = Command::Acl(AclRequest::PolicyDelete(vec![id.to_string()]));
    server.apply(cmd).await.map(|_| ())
}

/// Create or update a role (`ACL.RoleSet`).
pub async fn role_set(server: &Server, mut r: AclRole) -> Result<AclRole, RpcError> {
    validate::name(&r.name, "Role", 256)?;
    let snap = server.store().snapshot();
    let mut ws = consul_state::WatchSet::new();
    if r.id.is_empty() {
        r.id = new_uuid();
    } else if snap.acl_role_by_id(&mut ws, &r.id).1.is_none() {
        return Err(RpcError::Internal(format!("Cannot find role {}", r.id)));
    }
    if let Some(other) = snap.acl_role_by_name(&mut ws, &r.name).1 {
        if other.id != r.id {
            return Err(RpcError::Internal(format!(
                "Invalid Role: A Role with Name {:?} already exists",
                r.name
            )));
        }
    }
    r.policies = resolve_policy_links(server, &r.policies)?;
    validate::identities(&r.service_identities, &r.node_identities)?;
    r.hash = Some(r.compute_hash());
    let id = r.id.clone();
    server
        .apply(Command::Acl(AclRequest::RoleSet(vec![r])))
        .await?;
    let mut ws = consul_state::WatchSet::new();
    server
        .store()
        .snapshot()
        .acl_role_by_id(&mut ws, &id)
        .1
        .ok_or(RpcError::AclNotFound)
}
