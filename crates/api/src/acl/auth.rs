//! `/v1/acl/auth-method*`, `/v1/acl/binding-rule*`, `/v1/acl/login` and
//! `/v1/acl/logout` (Go's `api.ACL` methods of the same names).

use reqwest::Method;

use super::{body, path, Acl};
use crate::acl::AclToken;
use crate::acl::{AclAuthMethod, AclAuthMethodListEntry, AclBindingRule, AclLoginParams};
use crate::{ApiError, QueryMeta, QueryOptions, WriteOptions};

impl Acl<'_> {
    /// Create an auth method.
    pub async fn auth_method_create(
        &self,
        m: &AclAuthMethod,
        w: &WriteOptions,
    ) -> Result<AclAuthMethod, ApiError> {
        if m.name.is_empty() {
            return Err(ApiError::Config(
                "Must specify a Name in Auth Method Creation".into(),
            ));
        }
        self.put("/v1/acl/auth-method", m, w).await
    }

    /// Replace the auth method named `m.name`.
    pub async fn auth_method_update(
        &self,
        m: &AclAuthMethod,
        w: &WriteOptions,
    ) -> Result<AclAuthMethod, ApiError> {
        if m.name.is_empty() {
            return Err(ApiError::Config(
                "Must specify a Name in Auth Method Update".into(),
            ));
        }
        self.put(&path("/v1/acl/auth-method/", &m.name), m, w).await
    }

    /// Delete an auth method by name (its rules and login tokens go too).
    pub async fn auth_method_delete(&self, name: &str, w: &WriteOptions) -> Result<(), ApiError> {
        if name.is_empty() {
            return Err(ApiError::Config(
                "Must specify a Name in Auth Method Delete".into(),
            ));
        }
        self.delete(&path("/v1/acl/auth-method/", name), w).await
    }

    /// One auth method by name; `None` when there is none.
    pub async fn auth_method_read(
        &self,
        name: &str,
        q: &QueryOptions,
    ) -> Result<(Option<AclAuthMethod>, QueryMeta), ApiError> {
        if name.is_empty() {
            return Err(ApiError::Config("Must specify a methodName to read".into()));
        }
        self.get_opt(&path("/v1/acl/auth-method/", name), q).await
    }

    /// Every auth method (without configs).
    pub async fn auth_method_list(
        &self,
        q: &QueryOptions,
    ) -> Result<(Vec<AclAuthMethodListEntry>, QueryMeta), ApiError> {
        self.get("/v1/acl/auth-methods", q).await
    }

    /// Create a binding rule; the answer carries its new ID.
    pub async fn binding_rule_create(
        &self,
        r: &AclBindingRule,
        w: &WriteOptions,
    ) -> Result<AclBindingRule, ApiError> {
        if !r.id.is_empty() {
            return Err(ApiError::Config(
                "Cannot specify an ID in Binding Rule Creation".into(),
            ));
        }
        self.put("/v1/acl/binding-rule", r, w).await
    }

    /// Replace the binding rule whose ID is `r.id`.
    pub async fn binding_rule_update(
        &self,
        r: &AclBindingRule,
        w: &WriteOptions,
    ) -> Result<AclBindingRule, ApiError> {
        if r.id.is_empty() {
            return Err(ApiError::Config(
                "Must specify an ID in Binding Rule Update".into(),
            ));
        }
        self.put(&path("/v1/acl/binding-rule/", &r.id), r, w).await
    }

    /// Delete a binding rule by ID.
    pub async fn binding_rule_delete(&self, id: &str, w: &WriteOptions) -> Result<(), ApiError> {
        self.delete(&path("/v1/acl/binding-rule/", id), w).await
    }

    /// One binding rule by ID; `None` when there is none.
    pub async fn binding_rule_read(
        &self,
        id: &str,
        q: &QueryOptions,
    ) -> Result<(Option<AclBindingRule>, QueryMeta), ApiError> {
        self.get_opt(&path("/v1/acl/binding-rule/", id), q).await
    }

    /// Every binding rule, or only `method`'s when it is not empty.
    pub async fn binding_rule_list(
        &self,
        method: &str,
        q: &QueryOptions,
    ) -> Result<(Vec<AclBindingRule>, QueryMeta), ApiError> {
        let params = if method.is_empty() {
            Vec::new()
        } else {
            vec![("authmethod", method.to_string())]
        };
        let (v, meta) = self
            .c
            .query::<Option<Vec<AclBindingRule>>>("/v1/acl/binding-rules", params, q, false)
            .await?;
        Ok((v.flatten().unwrap_or_default(), meta))
    }

    /// Trade a credential for a new token (sent without any token).
    pub async fn login(&self, p: &AclLoginParams, w: &WriteOptions) -> Result<AclToken, ApiError> {
        self.c
            .write(Method::POST, "/v1/acl/login", Vec::new(), w, Some(body(p)?))
            .await
    }

    /// Destroy the token the request is made with (a login's).
    pub async fn logout(&self, w: &WriteOptions) -> Result<(), ApiError> {
        self.c
            .write_unit(Method::POST, "/v1/acl/logout", Vec::new(), w, None)
            .await
    }
}
