//! `/v1/acl/*`: bootstrap, tokens, policies and roles (Go's `api.ACL`),
//! auth methods, binding rules and login/logout ([`auth`]), and setting the
//! agent's own tokens (`/v1/agent/token/<kind>`).

mod auth;
mod auth_types;
mod types;

use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;

pub use auth_types::{AclAuthMethod, AclAuthMethodListEntry, AclBindingRule, AclLoginParams};
pub use types::{
    go_time_string, AclLink, AclNodeIdentity, AclPolicy, AclPolicyListEntry, AclRole,
    AclServiceIdentity, AclToken, AclTokenListEntry,
};

use crate::client::escape_path;
use crate::{ApiError, Client, QueryMeta, QueryOptions, WriteOptions};

/// The ACL endpoints of a [`Client`].
#[derive(Debug, Clone, Copy)]
pub struct Acl<'a> {
    pub(crate) c: &'a Client,
}

fn body<T: Serialize>(v: &T) -> Result<Vec<u8>, ApiError> {
    serde_json::to_vec(v).map_err(|e| ApiError::Decode(e.to_string()))
}

fn path(prefix: &str, id: &str) -> String {
    escape_path(&format!("{prefix}{id}"))
}

impl Acl<'_> {
    async fn put<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        b: &B,
        w: &WriteOptions,
    ) -> Result<T, ApiError> {
        self.c
            .write(Method::PUT, path, Vec::new(), w, Some(body(b)?))
            .await
    }

    async fn delete(&self, path: &str, w: &WriteOptions) -> Result<(), ApiError> {
        self.c
            .write_unit(Method::DELETE, path, Vec::new(), w, None)
            .await
    }

    /// A read that must succeed (any non-2xx is an error).
    async fn get<T: DeserializeOwned + Default>(
        &self,
        path: &str,
        q: &QueryOptions,
    ) -> Result<(T, QueryMeta), ApiError> {
        let (v, meta) = self
            .c
            .query::<Option<T>>(path, Vec::new(), q, false)
            .await?;
        Ok((v.flatten().unwrap_or_default(), meta))
    }

    /// A read where 404 means "no such object" (`None`).
    async fn get_opt<T: DeserializeOwned>(
        &self,
        path: &str,
        q: &QueryOptions,
    ) -> Result<(Option<T>, QueryMeta), ApiError> {
        let (v, meta) = self.c.query::<Option<T>>(path, Vec::new(), q, true).await?;
        Ok((v.flatten(), meta))
    }

    /// Create the initial management token (once per cluster).
    pub async fn bootstrap(&self) -> Result<AclToken, ApiError> {
        self.c
            .write(
                Method::PUT,
                "/v1/acl/bootstrap",
                Vec::new(),
                &WriteOptions::default(),
                None,
            )
            .await
    }

    /// Create a token; the answer carries the IDs the leader chose.
    pub async fn token_create(&self, t: &AclToken, w: &WriteOptions) -> Result<AclToken, ApiError> {
        self.put("/v1/acl/token", t, w).await
    }

    /// Replace the token whose accessor is `t.accessor_id`.
    pub async fn token_update(&self, t: &AclToken, w: &WriteOptions) -> Result<AclToken, ApiError> {
        if t.accessor_id.is_empty() {
            return Err(ApiError::Config(
                "Must specify an AccessorID for Token Updating".into(),
            ));
        }
        self.put(&path("/v1/acl/token/", &t.accessor_id), t, w)
            .await
    }

    /// A new token with the same links as `accessor_id`'s (and, if given,
    /// a new description).
    pub async fn token_clone(
        &self,
        accessor_id: &str,
        description: &str,
        w: &WriteOptions,
    ) -> Result<AclToken, ApiError> {
        let b = serde_json::json!({ "Description": description });
        self.put(
            &path("/v1/acl/token/", &format!("{accessor_id}/clone")),
            &b,
            w,
        )
        .await
    }

    /// Delete a token by accessor.
    pub async fn token_delete(&self, accessor_id: &str, w: &WriteOptions) -> Result<(), ApiError> {
        self.delete(&path("/v1/acl/token/", accessor_id), w).await
    }

    /// One token by accessor.
    pub async fn token_read(
        &self,
        accessor_id: &str,
        q: &QueryOptions,
    ) -> Result<(AclToken, QueryMeta), ApiError> {
        self.get(&path("/v1/acl/token/", accessor_id), q).await
    }

    /// The token the request is made with.
    pub async fn token_read_self(
        &self,
        q: &QueryOptions,
    ) -> Result<(AclToken, QueryMeta), ApiError> {
        self.get("/v1/acl/token/self", q).await
    }

    /// Every token.
    pub async fn token_list(
        &self,
        q: &QueryOptions,
    ) -> Result<(Vec<AclTokenListEntry>, QueryMeta), ApiError> {
        self.get("/v1/acl/tokens", q).await
    }

    /// Create a policy.
    pub async fn policy_create(
        &self,
        p: &AclPolicy,
        w: &WriteOptions,
    ) -> Result<AclPolicy, ApiError> {
        self.put("/v1/acl/policy", p, w).await
    }

    /// Replace the policy whose ID is `p.id`.
    pub async fn policy_update(
        &self,
        p: &AclPolicy,
        w: &WriteOptions,
    ) -> Result<AclPolicy, ApiError> {
        if p.id.is_empty() {
            return Err(ApiError::Config(
                "Must specify an ID in Policy Update".into(),
            ));
        }
        self.put(&path("/v1/acl/policy/", &p.id), p, w).await
    }

    /// Delete a policy by ID.
    pub async fn policy_delete(&self, id: &str, w: &WriteOptions) -> Result<(), ApiError> {
        self.delete(&path("/v1/acl/policy/", id), w).await
    }

    /// One policy by ID.
    pub async fn policy_read(
        &self,
        id: &str,
        q: &QueryOptions,
    ) -> Result<(AclPolicy, QueryMeta), ApiError> {
        self.get(&path("/v1/acl/policy/", id), q).await
    }

    /// One policy by name.
    pub async fn policy_read_by_name(
        &self,
        name: &str,
        q: &QueryOptions,
    ) -> Result<(AclPolicy, QueryMeta), ApiError> {
        self.get(&path("/v1/acl/policy/name/", name), q).await
    }

    /// Every policy.
    pub async fn policy_list(
        &self,
        q: &QueryOptions,
    ) -> Result<(Vec<AclPolicyListEntry>, QueryMeta), ApiError> {
        self.get("/v1/acl/policies", q).await
    }

    /// Create a role.
    pub async fn role_create(&self, r: &AclRole, w: &WriteOptions) -> Result<AclRole, ApiError> {
        self.put("/v1/acl/role", r, w).await
    }

    /// Replace the role whose ID is `r.id`.
    pub async fn role_update(&self, r: &AclRole, w: &WriteOptions) -> Result<AclRole, ApiError> {
        if r.id.is_empty() {
            return Err(ApiError::Config("Must specify an ID in Role Update".into()));
        }
        self.put(&path("/v1/acl/role/", &r.id), r, w).await
    }

    /// Delete a role by ID.
    pub async fn role_delete(&self, id: &str, w: &WriteOptions) -> Result<(), ApiError> {
        self.delete(&path("/v1/acl/role/", id), w).await
    }

    /// One role by ID; `None` when there is none.
    pub async fn role_read(
        &self,
        id: &str,
        q: &QueryOptions,
    ) -> Result<(Option<AclRole>, QueryMeta), ApiError> {
        self.get_opt(&path("/v1/acl/role/", id), q).await
    }

    /// One role by name; `None` when there is none.
    pub async fn role_read_by_name(
        &self,
        name: &str,
        q: &QueryOptions,
    ) -> Result<(Option<AclRole>, QueryMeta), ApiError> {
        self.get_opt(&path("/v1/acl/role/name/", name), q).await
    }

    /// Every role.
    pub async fn role_list(&self, q: &QueryOptions) -> Result<(Vec<AclRole>, QueryMeta), ApiError> {
        self.get("/v1/acl/roles", q).await
    }

    /// Set one of the agent's own tokens; `kind` is the URL name (`default`,
    /// `agent`, `agent_master`, `replication`, …).
    pub async fn set_agent_token(
        &self,
        kind: &str,
        token: &str,
        w: &WriteOptions,
    ) -> Result<(), ApiError> {
        let b = body(&serde_json::json!({ "Token": token }))?;
        self.c
            .write_unit(
                Method::PUT,
                &path("/v1/agent/token/", kind),
                Vec::new(),
                w,
                Some(b),
            )
            .await
    }
}
