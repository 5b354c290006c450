//! `/v1/kv/*`: read, list and write keys.

use consul_types::kv::DirEntry;
use reqwest::Method;

use crate::client::{escape_path, Params};
use crate::{ApiError, Client, QueryMeta, QueryOptions, WriteOptions};

/// Optional parts of a KV write.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PutOptions {
    /// Opaque client flags stored with the key.
    pub flags: u64,
    /// Check-and-set: write only if the key's `ModifyIndex` equals this
    /// (0 = only if the key does not exist).
    pub cas: Option<u64>,
    /// Acquire the key's lock for this session.
    pub acquire: Option<String>,
    /// Release the key's lock held by this session.
    pub release: Option<String>,
}

/// The KV endpoints of a [`Client`].
#[derive(Debug, Clone, Copy)]
pub struct Kv<'a> {
    pub(crate) c: &'a Client,
}

fn kv_path(key: &str) -> String {
    escape_path(&format!("/v1/kv/{}", key.trim_start_matches('/')))
}

impl Kv<'_> {
    /// One key; `None` when it does not exist.
    pub async fn get(
        &self,
        key: &str,
        q: &QueryOptions,
    ) -> Result<(Option<DirEntry>, QueryMeta), ApiError> {
        let (entries, meta) = self
            .c
            .query::<Vec<DirEntry>>(&kv_path(key), Vec::new(), q, true)
            .await?;
        Ok((entries.and_then(|v| v.into_iter().next()), meta))
    }

    /// Every key under `prefix`, in key order (empty when none).
    pub async fn list(
        &self,
        prefix: &str,
        q: &QueryOptions,
    ) -> Result<(Vec<DirEntry>, QueryMeta), ApiError> {
        let params: Params = vec![("recurse", String::new())];
        let (entries, meta) = self
            .c
            .query::<Option<Vec<DirEntry>>>(&kv_path(prefix), params, q, true)
            .await?;
        Ok((entries.flatten().unwrap_or_default(), meta))
    }

    /// The key names under `prefix`; with a `separator`, keys are rolled up
    /// at its first occurrence after the prefix.
    pub async fn keys(
        &self,
        prefix: &str,
        separator: &str,
        q: &QueryOptions,
    ) -> Result<(Vec<String>, QueryMeta), ApiError> {
        let mut params: Params = vec![("keys", String::new())];
        if !separator.is_empty() {
            params.push(("separator", separator.to_string()));
        }
        let (keys, meta) = self
            .c
            .query::<Option<Vec<String>>>(&kv_path(prefix), params, q, true)
            .await?;
        Ok((keys.flatten().unwrap_or_default(), meta))
    }

    /// Write `value` at `key`. Answers whether the write happened (`false`
    /// when a CAS or lock condition did not hold).
    pub async fn put(
        &self,
        key: &str,
        value: &[u8],
        opts: &PutOptions,
        w: &WriteOptions,
    ) -> Result<bool, ApiError> {
        let mut params: Params = Vec::new();
        if opts.flags != 0 {
            params.push(("flags", opts.flags.to_string()));
        }
        if let Some(cas) = opts.cas {
            params.push(("cas", cas.to_string()));
        }
        if let Some(s) = &opts.acquire {
            params.push(("acquire", s.clone()));
        }
        if let Some(s) = &opts.release {
            params.push(("release", s.clone()));
        }
        self.c
            .write(Method::PUT, &kv_path(key), params, w, Some(value.to_vec()))
            .await
    }

    /// Check-and-set write: only if the key's `ModifyIndex` is `index`.
    pub async fn cas(
        &self,
        key: &str,
        value: &[u8],
        flags: u64,
        index: u64,
        w: &WriteOptions,
    ) -> Result<bool, ApiError> {
        let opts = PutOptions {
            flags,
            cas: Some(index),
            ..Default::default()
        };
        self.put(key, value, &opts, w).await
    }

    /// Delete one key (deleting a missing key succeeds).
    pub async fn delete(&self, key: &str, w: &WriteOptions) -> Result<bool, ApiError> {
        self.c
            .write(Method::DELETE, &kv_path(key), Vec::new(), w, None)
            .await
    }

    /// Delete every key under `prefix`.
    pub async fn delete_tree(&self, prefix: &str, w: &WriteOptions) -> Result<bool, ApiError> {
        let params: Params = vec![("recurse", String::new())];
        self.c
            .write(Method::DELETE, &kv_path(prefix), params, w, None)
            .await
    }

    /// Delete `key` only if its `ModifyIndex` is `index`.
    pub async fn delete_cas(
        &self,
        key: &str,
        index: u64,
        w: &WriteOptions,
    ) -> Result<bool, ApiError> {
        let params: Params = vec![("cas", index.to_string())];
        self.c
            .write(Method::DELETE, &kv_path(key), params, w, None)
            .await
    }
}
