//! The gossip keyring endpoints (`/v1/operator/keyring`), as Go's
//! `Operator().Keyring*` methods.

use std::collections::BTreeMap;

use reqwest::Method;
use serde::Deserialize;

use crate::client::Params;
use crate::operator::Operator;
use crate::{ApiError, QueryOptions, WriteOptions};

/// One gossip pool's keys (`api.KeyringResponse`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct KeyringResponse {
    /// Whether this is the WAN pool.
    #[serde(rename = "WAN")]
    pub wan: bool,
    /// The pool's datacenter.
    pub datacenter: String,
    /// Network segment (`""` for the default one).
    pub segment: String,
    /// Node name → error or warning.
    pub messages: BTreeMap<String, String>,
    /// Base64 key → members that have it installed.
    pub keys: BTreeMap<String, u64>,
    /// Base64 primary key → members using it.
    pub primary_keys: BTreeMap<String, u64>,
    /// Members in the pool.
    pub num_nodes: u64,
}

fn relay(relay_factor: u8) -> Params {
    if relay_factor == 0 {
        Vec::new()
    } else {
        vec![("relay-factor", relay_factor.to_string())]
    }
}

fn key_body(key: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({ "Key": key })).unwrap_or_default()
}

impl Operator<'_> {
    /// Every pool's installed keys, with how many members have each.
    pub async fn keyring_list(
        &self,
        q: &QueryOptions,
        relay_factor: u8,
    ) -> Result<Vec<KeyringResponse>, ApiError> {
        let (v, _) = self
            .c
            .query::<Option<Vec<KeyringResponse>>>(
                "/v1/operator/keyring",
                relay(relay_factor),
                q,
                false,
            )
            .await?;
        Ok(v.flatten().unwrap_or_default())
    }

    /// Install `key` (base64) on every member.
    pub async fn keyring_install(
        &self,
        key: &str,
        w: &WriteOptions,
        relay_factor: u8,
    ) -> Result<(), ApiError> {
        self.keyring_write(Method::POST, key, w, relay_factor).await
    }

    /// Make `key` the primary key on every member.
    pub async fn keyring_use(
        &self,
        key: &str,
        w: &WriteOptions,
        relay_factor: u8,
    ) -> Result<(), ApiError> {
        self.keyring_write(Method::PUT, key, w, relay_factor).await
    }

    /// Remove `key` from every member.
    pub async fn keyring_remove(
        &self,
        key: &str,
        w: &WriteOptions,
        relay_factor: u8,
    ) -> Result<(), ApiError> {
        self.keyring_write(Method::DELETE, key, w, relay_factor)
            .await
    }

    async fn keyring_write(
        &self,
        method: Method,
        key: &str,
        w: &WriteOptions,
        relay_factor: u8,
    ) -> Result<(), ApiError> {
        self.c
            .write_unit(
                method,
                "/v1/operator/keyring",
                relay(relay_factor),
                w,
                Some(key_body(key)),
            )
            .await
    }
}
